/**
 * struct mm_struct data: include/linux/mm_types.h (mm_struct, MMF_* bits, enum rss counters),
 * include/linux/mm.h (get_mm_counter & co.), kernel/fork.c (mm_alloc, __mmdrop) (v6.18).
 *
 * Locks and seqcounts (mmap_lock, page_table_lock, write_protect_seq) belong to the engine:
 * src/kernel/mm/mm_struct.ts extends this class with them.
 * The VMA tree is a sorted array (mm_mt), standing in for the maple tree; see vma.ts.
 */
import { MM_ID_MIN } from './mapcount.js';
import { folio_test_anon, folio_test_swapbacked } from './page_flags.js';
import type { PgtablePool } from './pgtable.js';
import { pgd_alloc, pgd_free, type PgtableOwner } from './pgtable_walk.js';
import type { PhysMem } from './physmem.js';
import type { VmAreaStruct } from './vma.js';

/** include/linux/mm_types.h: MMF_* bit numbers of mm->flags (subset). @fidelity exact */
export const MMF_HUGE_ZERO_FOLIO = 23;
export const MMF_MULTIPROCESS = 26;
export const MMF_HAS_PINNED = 27;

/** include/linux/mm_types_task.h: enum rss counters. @fidelity exact */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;
export const NR_MM_COUNTERS = 4;

/** include/linux/mm_types.h: struct mm_struct (the data part). @fidelity simplified */
export class MmStruct implements PgtableOwner {
  /** mm->pgd: the PGD table id in the page-table pool, -1 once freed. */
  pgd = -1;
  /** mm->pgtables_bytes: bytes of PTE, PMD and PUD tables. */
  pgtables_bytes = 0;
  /** mm->mm_mt: the VMAs, sorted by vm_start and non-overlapping (a maple tree stand-in). */
  readonly mm_mt: VmAreaStruct[] = [];
  /** mm->map_count: number of VMAs. */
  map_count = 0;
  /** mm->flags (MMF_* bits). */
  flags = 0;
  /** mm->rss_stat[]. */
  readonly rss_stat = new Float64Array(NR_MM_COUNTERS);
  mm_users = 1;
  mm_count = 1;
  /** mm->total_vm, locked_vm, pinned_vm (pages). */
  total_vm = 0;
  locked_vm = 0;
  pinned_vm = 0;
  /** Source of VMA identities (vm_id) inside this mm. */
  next_vm_id = 1;

  /** mm->mm_id (CONFIG_MM_ID): the id folios record in _mm_id[]; also the table owner id. */
  constructor(readonly mm_id: number) {}
}

/** include/linux/mm_types.h: mm_flags_test(flag, mm). @fidelity exact */
export function mm_flags_test(flag: number, mm: MmStruct): boolean {
  return ((mm.flags >>> flag) & 1) === 1;
}

/** include/linux/mm_types.h: mm_flags_set(flag, mm). @fidelity exact */
export function mm_flags_set(flag: number, mm: MmStruct): void {
  mm.flags = (mm.flags | (1 << flag)) >>> 0;
}

/** include/linux/mm_types.h: mm_flags_clear(flag, mm). @fidelity exact */
export function mm_flags_clear(flag: number, mm: MmStruct): void {
  mm.flags = (mm.flags & ~(1 << flag)) >>> 0;
}

/** include/linux/mm_types.h: mm_flags_test_and_set(flag, mm): returns the old bit. @fidelity exact */
export function mm_flags_test_and_set(flag: number, mm: MmStruct): boolean {
  const old = mm_flags_test(flag, mm);
  mm_flags_set(flag, mm);
  return old;
}

/** include/linux/mm.h: get_mm_counter(mm, member). @fidelity exact */
export function get_mm_counter(mm: MmStruct, member: number): number {
  return mm.rss_stat[member];
}

/** include/linux/mm.h: add_mm_counter(mm, member, value). @fidelity exact */
export function add_mm_counter(mm: MmStruct, member: number, value: number): void {
  mm.rss_stat[member] = mm.rss_stat[member] + value;
}

/** include/linux/mm.h: inc_mm_counter(mm, member). @fidelity exact */
export function inc_mm_counter(mm: MmStruct, member: number): void {
  add_mm_counter(mm, member, 1);
}

/** include/linux/mm.h: dec_mm_counter(mm, member). @fidelity exact */
export function dec_mm_counter(mm: MmStruct, member: number): void {
  add_mm_counter(mm, member, -1);
}

/** include/linux/mm.h: mm_counter_file(folio). @fidelity exact */
export function mm_counter_file(m: PhysMem, folio: number): number {
  return folio_test_swapbacked(m, folio) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/** include/linux/mm.h: mm_counter(folio). @fidelity exact */
export function mm_counter(m: PhysMem, folio: number): number {
  return folio_test_anon(m, folio) ? MM_ANONPAGES : mm_counter_file(m, folio);
}

/** include/linux/mm.h: get_mm_rss(mm). @fidelity exact */
export function get_mm_rss(mm: MmStruct): number {
  return (
    get_mm_counter(mm, MM_FILEPAGES) +
    get_mm_counter(mm, MM_ANONPAGES) +
    get_mm_counter(mm, MM_SHMEMPAGES)
  );
}

/** kernel/fork.c: the mm_id IDA (mm_id_alloc / mm_id_free): lowest free id first. @fidelity simplified */
export class MmIdAllocator {
  private next = MM_ID_MIN;
  private readonly freed: number[] = [];

  alloc(): number {
    if (this.freed.length === 0) return this.next++;
    let best = 0;
    for (let i = 1; i < this.freed.length; i++) if (this.freed[i] < this.freed[best]) best = i;
    return this.freed.splice(best, 1)[0];
  }

  free(id: number): void {
    this.freed.push(id);
  }
}

/** kernel/fork.c: mm_alloc(): a new mm with an id and an empty PGD. @fidelity simplified */
export function mm_alloc(pool: PgtablePool, ids: MmIdAllocator): MmStruct {
  const mm = new MmStruct(ids.alloc());
  pgd_alloc(pool, mm);
  return mm;
}

/** kernel/fork.c: __mmdrop(mm): free the PGD and the id (VMAs and lower tables must be gone). @fidelity simplified */
export function __mmdrop(pool: PgtablePool, ids: MmIdAllocator, mm: MmStruct): void {
  pgd_free(pool, mm);
  ids.free(mm.mm_id);
}

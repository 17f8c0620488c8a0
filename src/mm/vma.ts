/**
 * VMAs: struct vm_area_struct (include/linux/mm_types.h), the per-mm VMA tree and its
 * operations (mm/mmap.c find_vma & co., mm/vma.c vma_link, __split_vma, split_vma and the
 * merge rules of is_mergeable_vma / is_mergeable_anon_vma), v6.18.
 *
 * The maple tree is modelled as an array sorted by vm_start (binary search; insertion and
 * removal are O(n), fine for the few VMAs a scenario creates). Addresses are bytes (the kernel's
 * fields), always page-aligned; only arithmetic, never 32-bit operators, touches them.
 *
 *   mm_mt:  [ vma0 )  [ vma1      )      [ vma2 )
 *           ^start   ^end                                (find_vma(a) = first vma with a < vm_end)
 */
import { maskAnd, maskAndNot, maskOr } from '../kernel/include/bits.js';
import { EINVAL, ENOMEM } from '../kernel/include/errno.js';
import { VM_MAYWRITE, VM_SHARED, VM_SOFTDIRTY, VM_SPECIAL } from '../kernel/include/vm_flags.js';
import { MmBug } from './bug.js';
import { PAGE_SIZE } from './layout.js';
import type { MmStruct } from './mm_types.js';

/** What a VMA knows of its file: identity only (the file layer owns the rest). */
export interface VmFile {
  readonly id: number;
}

/** include/linux/mm_types.h: struct vm_area_struct (data fields). @fidelity simplified */
export class VmAreaStruct {
  vm_start: number;
  vm_end: number;
  vm_flags: number;
  vm_page_prot: number;
  /** Offset in vm_file, or vm_start >> PAGE_SHIFT for anonymous memory, in pages. */
  vm_pgoff: number;
  vm_file: VmFile | null;
  /** The anon_vma id, or null before the first anonymous fault (anon_vma_prepare). */
  anon_vma: number | null = null;
  /** vm_userfaultfd_ctx.ctx: a userfaultfd context id, or null. */
  vm_userfaultfd_ctx: number | null = null;

  /** A VMA identity within its mm (per-VMA lock identity, traces). @fidelity custom */
  constructor(
    readonly vm_mm: MmStruct,
    readonly vm_id: number,
    start: number,
    end: number,
    flags: number,
    prot: number,
    pgoff: number,
    file: VmFile | null,
  ) {
    this.vm_start = start;
    this.vm_end = end;
    this.vm_flags = flags;
    this.vm_page_prot = prot;
    this.vm_pgoff = pgoff;
    this.vm_file = file;
  }
}

/** sysctl_max_map_count default (DEFAULT_MAX_MAP_COUNT). @fidelity exact */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** mm/vma.h: VM_IGNORE_MERGE (v6.18). @fidelity exact */
export const VM_IGNORE_MERGE = VM_SOFTDIRTY;

/** mm/vma.c: vm_area_alloc(mm) + field setup: a detached VMA. @fidelity simplified */
export function vm_area_alloc(
  mm: MmStruct,
  start: number,
  end: number,
  vm_flags: number,
  prot: number,
  pgoff: number,
  file: VmFile | null,
): VmAreaStruct {
  return new VmAreaStruct(mm, mm.next_vm_id++, start, end, vm_flags, prot, pgoff, file);
}

/** include/linux/mm.h: vma_pages(vma). @fidelity exact */
export function vma_pages(vma: VmAreaStruct): number {
  return (vma.vm_end - vma.vm_start) / PAGE_SIZE;
}

/** include/linux/mm.h: vma_is_anonymous(vma) (no vm_ops: here, no file). @fidelity simplified */
export function vma_is_anonymous(vma: VmAreaStruct): boolean {
  return vma.vm_file === null;
}

/** include/linux/pagemap.h: linear_page_index(vma, address). @fidelity exact */
export function linear_page_index(vma: VmAreaStruct, address: number): number {
  return (address - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff;
}

/** mm/internal.h: vma_address(vma, pgoff, nr_pages): the address of pgoff, or -EFAULT (-14). @fidelity exact */
export function vma_address(vma: VmAreaStruct, pgoff: number, nr_pages: number): number {
  if (pgoff >= vma.vm_pgoff) {
    const address = vma.vm_start + (pgoff - vma.vm_pgoff) * PAGE_SIZE;
    return address >= vma.vm_start && address < vma.vm_end ? address : -14;
  }
  return pgoff + nr_pages - 1 >= vma.vm_pgoff ? vma.vm_start : -14;
}

/** include/linux/mm.h: is_cow_mapping(flags). @fidelity exact */
export function is_cow_mapping(vm_flags: number): boolean {
  return (vm_flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** include/linux/mm.h: vm_flags_set(vma, flags) (64-bit safe). @fidelity exact */
export function vm_flags_set(vma: VmAreaStruct, flags: number): void {
  vma.vm_flags = maskOr(vma.vm_flags, flags);
}

/** include/linux/mm.h: vm_flags_clear(vma, flags) (64-bit safe). @fidelity exact */
export function vm_flags_clear(vma: VmAreaStruct, flags: number): void {
  vma.vm_flags = maskAndNot(vma.vm_flags, flags);
}

/** include/linux/mm.h: vm_flags_mod(vma, set, clear). @fidelity exact */
export function vm_flags_mod(vma: VmAreaStruct, set: number, clear: number): void {
  vma.vm_flags = maskAndNot(maskOr(vma.vm_flags, set), clear);
}

/** Index of the first VMA with vm_end > addr (mm_mt.length if none). */
function firstEndingAfter(mm: MmStruct, addr: number): number {
  let lo = 0;
  let hi = mm.mm_mt.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (mm.mm_mt[mid].vm_end > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** mm/mmap.c: find_vma(mm, addr): the first VMA with addr < vm_end, or null. @fidelity exact */
export function find_vma(mm: MmStruct, addr: number): VmAreaStruct | null {
  return mm.mm_mt[firstEndingAfter(mm, addr)] ?? null;
}

/** include/linux/mm.h: vma_lookup(mm, addr): the VMA containing addr, or null. @fidelity exact */
export function vma_lookup(mm: MmStruct, addr: number): VmAreaStruct | null {
  const vma = find_vma(mm, addr);
  return vma !== null && vma.vm_start <= addr ? vma : null;
}

/** mm/mmap.c: find_vma_intersection(mm, start, end): first VMA overlapping [start, end). @fidelity exact */
export function find_vma_intersection(
  mm: MmStruct,
  start: number,
  end: number,
): VmAreaStruct | null {
  const vma = find_vma(mm, start);
  return vma !== null && vma.vm_start < end ? vma : null;
}

/** include/linux/mm.h: vma_prev (by VMA rather than iterator): the VMA below, or null. @fidelity simplified */
export function vma_prev(mm: MmStruct, vma: VmAreaStruct): VmAreaStruct | null {
  const i = mm.mm_mt.indexOf(vma);
  return i > 0 ? mm.mm_mt[i - 1] : null;
}

/** include/linux/mm.h: vma_next (by VMA rather than iterator): the VMA above, or null. @fidelity simplified */
export function vma_next(mm: MmStruct, vma: VmAreaStruct): VmAreaStruct | null {
  const i = mm.mm_mt.indexOf(vma);
  return i >= 0 ? (mm.mm_mt[i + 1] ?? null) : null;
}

/** mm/vma.c: vma_link(mm, vma): insert; -ENOMEM if it overlaps an existing VMA. @fidelity simplified */
export function vma_link(mm: MmStruct, vma: VmAreaStruct): number {
  if (find_vma_intersection(mm, vma.vm_start, vma.vm_end) !== null) return -ENOMEM;
  mm.mm_mt.splice(firstEndingAfter(mm, vma.vm_start), 0, vma);
  mm.map_count++;
  return 0;
}

/** mm/vma.c: insert_vm_struct(mm, vma): vma_link, giving anonymous VMAs vm_pgoff = vm_start >> PAGE_SHIFT. @fidelity simplified */
export function insert_vm_struct(mm: MmStruct, vma: VmAreaStruct): number {
  if (find_vma_intersection(mm, vma.vm_start, vma.vm_end) !== null) return -ENOMEM;
  if (vma_is_anonymous(vma)) vma.vm_pgoff = vma.vm_start / PAGE_SIZE;
  return vma_link(mm, vma);
}

/** Take a VMA out of the tree (the tree half of munmap's vms_complete_munmap_vmas). @fidelity custom */
export function mm_remove_vma(mm: MmStruct, vma: VmAreaStruct): void {
  const i = mm.mm_mt.indexOf(vma);
  if (i < 0) throw new MmBug(`mm_remove_vma: vma ${vma.vm_id} is not in mm ${mm.mm_id}`);
  mm.mm_mt.splice(i, 1);
  mm.map_count--;
}

/**
 * mm/vma.c: __split_vma(vmi, vma, addr, new_below): split at addr; returns the new VMA, which
 * covers [vm_start, addr) when new_below, else [addr, vm_end). anon_vma is shared (anon_vma_clone).
 * @fidelity simplified
 */
export function __split_vma(
  mm: MmStruct,
  vma: VmAreaStruct,
  addr: number,
  new_below: boolean,
): VmAreaStruct {
  if (vma.vm_start >= addr || vma.vm_end <= addr || addr % PAGE_SIZE !== 0) {
    throw new MmBug(`__split_vma: bad split address ${addr} for [${vma.vm_start}, ${vma.vm_end})`);
  }
  const pages = (addr - vma.vm_start) / PAGE_SIZE;
  const nw = vm_area_alloc(
    mm,
    vma.vm_start,
    vma.vm_end,
    vma.vm_flags,
    vma.vm_page_prot,
    vma.vm_pgoff,
    vma.vm_file,
  );
  nw.anon_vma = vma.anon_vma;
  nw.vm_userfaultfd_ctx = vma.vm_userfaultfd_ctx;
  if (new_below) {
    nw.vm_end = addr;
    vma.vm_start = addr;
    vma.vm_pgoff += pages;
  } else {
    nw.vm_start = addr;
    nw.vm_pgoff += pages;
    vma.vm_end = addr;
  }
  mm.mm_mt.splice(firstEndingAfter(mm, nw.vm_start), 0, nw);
  mm.map_count++;
  return nw;
}

/** mm/vma.c: split_vma(vmi, vma, addr, new_below): 0, or -ENOMEM past sysctl_max_map_count. @fidelity simplified */
export function split_vma(
  mm: MmStruct,
  vma: VmAreaStruct,
  addr: number,
  new_below: boolean,
  max_map_count = DEFAULT_MAX_MAP_COUNT,
): number {
  if (mm.map_count >= max_map_count) return -ENOMEM;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  __split_vma(mm, vma, addr, new_below);
  return 0;
}

/**
 * mm/vma.c: is_mergeable_vma + is_mergeable_anon_vma + the pgoff and VM_SPECIAL checks of
 * can_vma_merge_after/before: may `below` and `above` (adjacent, below first) become one VMA?
 * anon_vma compatibility is "equal, or at least one NULL" (the kernel additionally requires a
 * singular anon_vma chain on the side that gives its anon_vma up).
 * @fidelity simplified
 */
export function vma_can_merge(below: VmAreaStruct, above: VmAreaStruct): boolean {
  if (below.vm_end !== above.vm_start) return false;
  if (
    maskAndNot(
      maskOr(
        maskAndNot(below.vm_flags, above.vm_flags),
        maskAndNot(above.vm_flags, below.vm_flags),
      ),
      VM_IGNORE_MERGE,
    ) !== 0
  )
    return false;
  if (maskAnd(below.vm_flags, VM_SPECIAL) !== 0) return false;
  if (below.vm_file !== above.vm_file) return false;
  if (below.vm_userfaultfd_ctx !== above.vm_userfaultfd_ctx) return false;
  if (below.anon_vma !== null && above.anon_vma !== null && below.anon_vma !== above.anon_vma)
    return false;
  return below.vm_pgoff + vma_pages(below) === above.vm_pgoff;
}

function absorb(mm: MmStruct, lower: VmAreaStruct, upper: VmAreaStruct): void {
  lower.vm_end = upper.vm_end;
  lower.anon_vma ??= upper.anon_vma;
  lower.vm_flags = maskOr(lower.vm_flags, maskAnd(upper.vm_flags, VM_IGNORE_MERGE));
  mm_remove_vma(mm, upper);
}

/**
 * mm/vma.c: vma_merge_existing_range(), reduced to its effect: merge `vma` with its previous
 * and/or next neighbour when vma_can_merge allows; returns the surviving VMA (the lower one).
 * @fidelity simplified
 */
export function vma_merge_neighbours(mm: MmStruct, vma: VmAreaStruct): VmAreaStruct {
  let cur = vma;
  const prev = vma_prev(mm, cur);
  if (prev !== null && vma_can_merge(prev, cur)) {
    absorb(mm, prev, cur);
    cur = prev;
  }
  const next = vma_next(mm, cur);
  if (next !== null && vma_can_merge(cur, next)) absorb(mm, cur, next);
  return cur;
}

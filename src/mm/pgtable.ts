/**
 * The page-table page pool: every PGD, PUD, PMD and PTE table of every mm, as 512-entry rows of
 * one Float64Array (4 KiB per table, like the kernel's page-table pages), grown by doubling.
 * Sources: include/linux/mm.h (pagetable_alloc, ptdesc, pte_lockptr/pmd_lockptr),
 * include/asm-generic/pgalloc.h (v6.18).
 *
 * A table is named by a small integer id, stable while the table exists; it is the identity of
 * the table's split page-table lock (ptdesc->ptl), so the kernel layer attaches its locks to it.
 * An entry is addressed by a "pointer" `table * 512 + index` (what pte_t * is in C).
 * Page-table pages are not taken from the simulated RAM (see docs/mm-data-model.md).
 */
import { MmBug } from './bug.js';
import { PTRS_PER_PTE } from './layout.js';
import { mk_table_entry } from './pgtable_types.js';

/** Table levels, numbered like enum pgtable_level's depth (PTE = 1 ... PGD = 4). @fidelity custom */
export const PGTABLE_LEVEL_PTE = 1;
export const PGTABLE_LEVEL_PMD = 2;
export const PGTABLE_LEVEL_PUD = 3;
export const PGTABLE_LEVEL_PGD = 4;

const INITIAL_TABLES = 64;

/** The shared pool of page-table pages. @fidelity custom */
export class PgtablePool {
  /** All entries; table t owns entries[t*512 .. t*512+511]. */
  entries: Float64Array = new Float64Array(INITIAL_TABLES * PTRS_PER_PTE);
  /** Per table: level (0 = free). */
  level: Uint8Array = new Uint8Array(INITIAL_TABLES);
  /** Per table: number of entries that are not none. */
  nr_used: Uint16Array = new Uint16Array(INITIAL_TABLES);
  /** Per table: owning mm id. */
  owner: Int32Array = new Int32Array(INITIAL_TABLES);
  /** Per PMD table: first deposited PTE table (pmd_huge_pte list head), or -1. */
  deposit_head: Int32Array = new Int32Array(INITIAL_TABLES).fill(-1);
  /** Per PTE table: next deposited table in its PMD table's list, or free-list link. */
  link: Int32Array = new Int32Array(INITIAL_TABLES).fill(-1);
  /** Tables ever handed out (ids below this are allocated or on the free list). */
  high_water = 0;
  /** Tables currently allocated. */
  nr_tables = 0;
  private free_head = -1;

  /** Capacity in tables. */
  get capacity(): number {
    return this.level.length;
  }

  /** Host bytes held by the pool's typed arrays. */
  get bytes(): number {
    return (
      this.entries.byteLength +
      this.level.byteLength +
      this.nr_used.byteLength +
      this.owner.byteLength +
      this.deposit_head.byteLength +
      this.link.byteLength
    );
  }

  /** include/linux/mm.h: pagetable_alloc(): a zeroed table at `level` owned by mm `owner`. */
  alloc_table(level: number, owner: number): number {
    let id = this.free_head;
    if (id >= 0) {
      this.free_head = this.link[id];
    } else {
      if (this.high_water === this.capacity) this.grow();
      id = this.high_water++;
    }
    this.level[id] = level;
    this.owner[id] = owner;
    this.nr_used[id] = 0;
    this.link[id] = -1;
    this.deposit_head[id] = -1;
    this.nr_tables++;
    return id;
  }

  /** include/linux/mm.h: pagetable_free(): the table must be empty and hold no deposits. */
  free_table(id: number): void {
    if (this.level[id] === 0) throw new MmBug(`pagetable_free: table ${id} is not allocated`);
    if (this.nr_used[id] !== 0)
      throw new MmBug(`pagetable_free: table ${id} still has ${this.nr_used[id]} entries`);
    if (this.deposit_head[id] !== -1)
      throw new MmBug(`pagetable_free: table ${id} still has deposited tables`);
    this.level[id] = 0;
    this.link[id] = this.free_head;
    this.free_head = id;
    this.nr_tables--;
  }

  /** Read the entry at pointer p (ptep_get / pmdp_get / READ_ONCE(*pudp)). */
  get(p: number): number {
    return this.entries[p];
  }

  /** Write the entry at pointer p, keeping nr_used exact (set_pte_at / set_pmd_at / ...). */
  set(p: number, v: number): void {
    const old = this.entries[p];
    this.entries[p] = v;
    if ((old === 0) !== (v === 0)) {
      const t = (p / PTRS_PER_PTE) | 0;
      this.nr_used[t] = this.nr_used[t] + (v === 0 ? -1 : 1);
    }
  }

  /**
   * Make room for `tables` tables at once (no effect on ids or contents): PhysMem sizes the pool
   * for its RAM so that populating and forking a large address space does not copy the pool
   * while it grows. The host memory is only committed as tables are used.
   */
  reserve(tables: number): void {
    if (tables > this.capacity) this.resize(Math.ceil(tables));
  }

  private grow(): void {
    this.resize(this.capacity * 2);
  }

  private resize(cap: number): void {
    this.entries = growF64(this.entries, cap * PTRS_PER_PTE);
    this.level = growU8(this.level, cap);
    this.nr_used = growU16(this.nr_used, cap);
    this.owner = growI32(this.owner, cap, 0);
    this.deposit_head = growI32(this.deposit_head, cap, -1);
    this.link = growI32(this.link, cap, -1);
  }
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

function growU16(a: Uint16Array, n: number): Uint16Array {
  const b = new Uint16Array(n);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, n: number, fill: number): Int32Array {
  const b = new Int32Array(n).fill(fill);
  b.set(a);
  return b;
}

/** The table a pointer lies in. @fidelity custom */
export function ptr_table(p: number): number {
  return (p / PTRS_PER_PTE) | 0;
}

/** The index of a pointer inside its table. @fidelity custom */
export function ptr_index(p: number): number {
  return p & (PTRS_PER_PTE - 1);
}

/** Pointer to entry `index` of `table`. @fidelity custom */
export function table_ptr(table: number, index: number): number {
  return table * PTRS_PER_PTE + index;
}

// Entry accessors with the kernel's names. The kernel passes mm and address too; the model
// needs neither, since a pointer names its table and slot.

/** include/linux/pgtable.h: ptep_get(ptep). @fidelity exact */
export function ptep_get(pool: PgtablePool, ptep: number): number {
  return pool.get(ptep);
}

/** include/linux/pgtable.h: set_pte_at(mm, addr, ptep, pte). @fidelity exact */
export function set_pte_at(pool: PgtablePool, ptep: number, pte: number): void {
  pool.set(ptep, pte);
}

/** include/linux/pgtable.h: set_ptes(mm, addr, ptep, pte, nr): nr entries, pfn advancing. @fidelity exact */
export function set_ptes(pool: PgtablePool, ptep: number, pte: number, nr: number): void {
  for (let i = 0; i < nr; i++) pool.set(ptep + i, pte + i * 4096); // pte_advance_pfn(pte, 1)
}

/** include/linux/pgtable.h: pte_clear(mm, addr, ptep). @fidelity exact */
export function pte_clear(pool: PgtablePool, ptep: number): void {
  pool.set(ptep, 0);
}

/** include/linux/pgtable.h: ptep_get_and_clear(mm, addr, ptep): the old entry. @fidelity exact */
export function ptep_get_and_clear(pool: PgtablePool, ptep: number): number {
  const old = pool.get(ptep);
  pool.set(ptep, 0);
  return old;
}

/** include/linux/pgtable.h: pmdp_get(pmdp). @fidelity exact */
export const pmdp_get = ptep_get;
/** include/linux/pgtable.h: set_pmd_at(mm, addr, pmdp, pmd) (a leaf or any entry). @fidelity exact */
export const set_pmd_at = set_pte_at;
/** include/linux/pgtable.h: pmd_clear(pmdp). @fidelity exact */
export const pmd_clear = pte_clear;
/** include/linux/pgtable.h: pmdp_huge_get_and_clear(mm, addr, pmdp). @fidelity exact */
export const pmdp_huge_get_and_clear = ptep_get_and_clear;
/** include/linux/pgtable.h: pudp_get(pudp). @fidelity exact */
export const pudp_get = ptep_get;
/** include/linux/pgtable.h: set_pud_at(mm, addr, pudp, pud). @fidelity exact */
export const set_pud_at = set_pte_at;
/** include/linux/pgtable.h: pud_clear(pudp). @fidelity exact */
export const pud_clear = pte_clear;

/** arch/x86/include/asm/pgalloc.h: pmd_populate(mm, pmd, pte) (no accounting, as in the kernel). @fidelity simplified */
export function pmd_populate(pool: PgtablePool, pmdp: number, pte_table: number): void {
  pool.set(pmdp, mk_table_entry(pte_table));
}

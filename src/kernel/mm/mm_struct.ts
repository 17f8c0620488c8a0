/**
 * struct mm_struct with its locks: the data of src/mm/mm_types.ts plus the engine objects the
 * kernel synchronises on.
 * - `mmap_lock` (include/linux/mmap_lock.h): an rw_semaphore, lockdep class `&mm->mmap_lock`;
 * - `write_protect_seq` (kernel/fork.c, mm/gup.c): a seqcount, odd while fork write-protects;
 * - `page_table_lock`: the mm-wide spinlock (page-table allocation, PUD-level leaves);
 * - split page-table locks, one per PTE or PMD table (`ptlock_ptr(ptdesc)`: x86-64 has split
 *   PTE and, with THP, split PMD locks), created on first use; `pte_lockptr`/`pmd_lockptr` of
 *   src/mm/pgtable_walk.ts give the table whose lock guards an entry.
 * @fidelity simplified: per-VMA locks (CONFIG_PER_VMA_LOCK) are not modelled; faults take
 * mmap_lock for reading, the fallback path the kernel always has.
 */
import { MmStruct } from '../../mm/mm_types.js';
import type { Machine } from '../../sim/machine.js';
import type { Kernel } from '../kernel.js';
import { RwSemaphore } from '../../sim/locking/rwsem.js';
import { SeqCount } from '../../sim/locking/seqcount.js';
import { SpinLock } from '../../sim/locking/spinlock.js';

export class mm_struct extends MmStruct {
  readonly mmap_lock: RwSemaphore;
  readonly write_protect_seq: SeqCount;
  readonly page_table_lock: SpinLock;
  /** Split locks by table number (a sparse array: a Map lookup per lock showed in profiles). */
  private readonly ptlocks: (SpinLock | undefined)[] = [];
  /** The kernel this address space belongs to (set by Kernel.mm_alloc). @fidelity custom */
  kernel: Kernel | null = null;
  /** mm->mm_users dropped to 0: exit_mmap() has run (or is running). @fidelity custom */
  dead = false;
  /** Highest RSS seen (mm->hiwater_rss), reset by clear_refs 5. */
  hiwater_rss = 0;

  constructor(
    readonly machine: Machine,
    mm_id: number,
  ) {
    super(mm_id);
    this.mmap_lock = new RwSemaphore(machine, `mm${mm_id}->mmap_lock`, '&mm->mmap_lock');
    this.write_protect_seq = new SeqCount(machine, `mm${mm_id}->write_protect_seq`);
    this.page_table_lock = new SpinLock(
      machine,
      `mm${mm_id}->page_table_lock`,
      '&mm->page_table_lock',
    );
  }

  /** include/linux/mm.h: ptlock_ptr(ptdesc): the split lock of PTE table `table`. */
  ptlock(table: number): SpinLock {
    let l = this.ptlocks[table];
    if (l === undefined) {
      l = new SpinLock(this.machine, `ptl(mm${this.mm_id}:pt${table})`, 'ptlock_ptr(ptdesc)');
      this.ptlocks[table] = l;
    }
    return l;
  }

  /** Forget the lock of a freed PTE table. */
  ptlock_free(table: number): void {
    this.ptlocks[table] = undefined;
  }

  /** The kernel of this mm (every mm_struct is made by Kernel.mm_alloc). */
  get k(): Kernel {
    if (this.kernel === null) throw new Error(`mm${this.mm_id} has no kernel`);
    return this.kernel;
  }
}

/**
 * Per-kernel memory-management state that the kernel keeps in globals: the anon_vma and
 * address_space registries (what folio->mapping ids point to), the folio-lock owners, vm event
 * counters (/proc/vmstat), the THP and khugepaged settings (/sys/kernel/mm/transparent_hugepage),
 * the deferred-split queue, sysctls, and the swap hook (the swap layer is another issue).
 * Created on first use per Kernel, like gup_state.ts.
 * @fidelity custom
 */
import type { VmAreaStruct } from '../../mm/vma.js';
import type { Sched, Thread } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { anon_vma } from './rmap.js';
import type { address_space } from './mm_types.js';
import type { swap_ops } from './swap.js';

/** THP policy of one order (transparent_hugepage/hugepages-<size>kB/enabled). */
export type ThpPolicy = 'never' | 'madvise' | 'always';

/**
 * Which thread holds each folio lock (PG_locked), for deadlock and holder reports: the owner's
 * thread id + 1 per pfn in a typed array (created at the first folio lock of the run), so that
 * taking and dropping the lock stores one number instead of changing a Map.
 */
export class FolioLockOwners {
  private owner: Int32Array | null = null;

  constructor(
    private readonly threads: readonly Thread[],
    private readonly nrPfns: number,
  ) {}

  /** Record `t` as the holder of the lock of `folio`. */
  set(folio: number, t: Thread): void {
    (this.owner ??= new Int32Array(this.nrPfns))[folio] = t.id + 1;
  }

  /** The holder of the lock of `folio`, if one is recorded. */
  get(folio: number): Thread | undefined {
    const o = this.owner === null ? 0 : this.owner[folio]!;
    return o === 0 ? undefined : this.threads[o - 1];
  }

  /** Forget the holder of the lock of `folio`. */
  delete(folio: number): void {
    if (this.owner !== null) this.owner[folio] = 0;
  }
}

export class MmState {
  readonly folioLockOwner: FolioLockOwners;
  readonly anonVmas = new Map<number, anon_vma>();
  nextAnonVmaId = 1;
  readonly mappings = new Map<number, address_space>();
  nextMappingId = 1;
  /** /proc/vmstat event counters (PGFAULT, PGREUSE, THP_SPLIT_PMD...). */
  readonly events = new Map<string, number>();
  /** THP policy per folio order (2..9); order 9 is the PMD size. */
  readonly thpPolicy: ThpPolicy[] = new Array<ThpPolicy>(10).fill('never');
  /** transparent_hugepage/use_zero_page. */
  thpUseZeroPage = true;
  /** khugepaged/max_ptes_none, max_ptes_swap, max_ptes_shared. */
  maxPtesNone = 511;
  maxPtesSwap = 64;
  maxPtesShared = 256;
  /** The deferred-split queue (deferred_split_folio), in queueing order. */
  readonly deferredSplit: number[] = [];
  /** vm.max_map_count. */
  maxMapCount = 65530;
  /** vm.mmap_min_addr (CONFIG_DEFAULT_MMAP_MIN_ADDR on x86-64 distributions). */
  mmapMinAddr = 65536;
  /** The swap layer, when one is installed; null: swap entries are never created. */
  swap: swap_ops | null = null;
  /** The file layer's shmem_zero_setup (MAP_SHARED|MAP_ANONYMOUS), when it provides one. */
  shmemZeroSetup: ((vma: VmAreaStruct) => number) | null = null;
  /** The reclaim layer's MADV_PAGEOUT / MADV_COLD (madvise_cold_or_pageout_pte_range), when installed. */
  reclaim:
    ((vma: VmAreaStruct, start: number, end: number, behavior: number) => Sched<number>) | null =
    null;

  constructor(k: Kernel) {
    this.folioLockOwner = new FolioLockOwners(k.m.threads, k.mem.flags.length);
    for (const t of k.config.thp ?? []) {
      const order = Math.log2(t.size / 4096);
      if (Number.isInteger(order) && order >= 2 && order <= 9) this.thpPolicy[order] = t.policy;
    }
    if ((k.config.thp ?? []).every((t) => t.size !== 2 * 1024 * 1024))
      this.thpPolicy[9] = 'madvise';
  }
}

const states = new WeakMap<Kernel, MmState>();
/**
 * The kernel asked about last and its state: the hot paths (folio locks, rmap walks) ask for
 * the same kernel many times in a row, and a WeakMap lookup costs more than the comparison.
 * Keeps at most that one kernel alive until another is asked about.
 */
let lastKernel: Kernel | null = null;
let lastState: MmState | null = null;

/** The memory-management state of a kernel, created on first use. */
export function mmState(k: Kernel): MmState {
  if (k === lastKernel) return lastState!;
  let s = states.get(k);
  if (s === undefined) {
    s = new MmState(k);
    states.set(k, s);
  }
  lastKernel = k;
  lastState = s;
  return s;
}

/** include/linux/vm_event_item.h: count_vm_event(item) / count_vm_events(item, n). @fidelity simplified */
export function count_vm_event(k: Kernel, item: string, n = 1): void {
  const ev = mmState(k).events;
  ev.set(item, (ev.get(item) ?? 0) + n);
}

/** The value of a vm event counter (0 if never counted). @fidelity custom */
export function vm_event(k: Kernel, item: string): number {
  return mmState(k).events.get(item) ?? 0;
}

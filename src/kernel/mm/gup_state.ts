/**
 * Per-kernel GUP state the kernel itself does not keep: the ledger of references handed out by
 * GUP (which page holds how many FOLL_PIN and FOLL_GET references taken through the API, and
 * which call took them), the call in progress on each thread (for trace explanations), and the
 * file facts GUP asks about (shmem, secretmem, fsdax, dirty tracking), which the file layer
 * supplies. Checkers read the ledger; the kernel model never decides anything from it.
 * @fidelity custom
 */
import type { Machine } from '../../sim/machine.js';
import type { Kernel } from '../kernel.js';
import type { VmFile } from '../../mm/vma.js';
import type { PagesArray } from './gup_args.js';
import type { mm_struct } from './mm_struct.js';

/** One GUP call that took references: where to point a leak report. */
export interface TakerRecord {
  readonly api: string;
  readonly thread: string;
  readonly step: number;
  /** `file:line:column` of the scenario step, when the caller set one. */
  readonly where: string | null;
  /** The caller's gup_flags (0 when not recorded). */
  readonly flags: number;
}

/**
 * The calls that took references, one row each, in typed arrays (a benchmark makes millions of
 * calls): strings are interned.
 */
export class TakerTable {
  private api: Int32Array = new Int32Array(256);
  private thread: Int32Array = new Int32Array(256);
  private where: Int32Array = new Int32Array(256);
  private step: Float64Array = new Float64Array(256);
  private flags: Int32Array = new Int32Array(256);
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  length = 0;

  add(api: string, thread: string, step: number, where: string | null, flags = 0): number {
    const a = this.intern(api, 0);
    const t = this.intern(thread, 1);
    const w = where === null ? -1 : this.intern(where, 2);
    // A call identical to the last one (a thread running alone does not advance the step count
    // between calls) shares its row: a benchmark's millions of calls need not grow the table.
    const last = this.length - 1;
    if (
      last >= 0 &&
      this.api[last] === a &&
      this.thread[last] === t &&
      this.where[last] === w &&
      this.step[last] === step &&
      this.flags[last] === flags
    ) {
      return last;
    }
    if (this.length === this.api.length) this.grow();
    const i = this.length++;
    this.flags[i] = flags;
    this.api[i] = a;
    this.thread[i] = t;
    this.where[i] = w;
    this.step[i] = step;
    return i;
  }

  /** Row i, or undefined. */
  get(i: number): TakerRecord | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const w = this.where[i]!;
    return {
      api: this.strings[this.api[i]!]!,
      thread: this.strings[this.thread[i]!]!,
      step: this.step[i]!,
      where: w < 0 ? null : this.strings[w]!,
      flags: this.flags[i]!,
    };
  }

  /** Per column (api, thread, where), the last string interned and its id: most calls repeat them. */
  private readonly lastString: string[] = ['', '', ''];
  private readonly lastId: number[] = [-1, -1, -1];

  private intern(s: string, column: number): number {
    if (s === this.lastString[column]) return this.lastId[column]!;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    this.lastString[column] = s;
    this.lastId[column] = i;
    return i;
  }

  private grow(): void {
    const n = this.api.length * 2;
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.api = grow32(this.api);
    this.thread = grow32(this.thread);
    this.where = grow32(this.where);
    this.flags = grow32(this.flags);
    const st = new Float64Array(n);
    st.set(this.step);
    this.step = st;
  }
}

/** Why a call stopped short (the last rule that ended progress). */
export interface GupStop {
  readonly addr: number;
  readonly errno: number;
  readonly rule: string;
  readonly fn: string;
}

/** The entry-point call a thread is in. */
export interface GupCall {
  readonly api: string;
  readonly fn: string;
  /** Ledger id of the call (index into GupState.takers). */
  readonly taker: number;
  stop: GupStop | null;
  /** Notable decisions taken on the way (unshare, fallback, retry, migration), for `why`. */
  notes: string[] | null;
}

/**
 * What GUP asks of a file (struct file / address_space / vm_ops facts). The file layer puts these
 * fields on its VmFile objects; a file without them is a regular page-cache file of a
 * writeback-capable filesystem without page_mkwrite.
 */
export interface GupFileFacts {
  readonly shmem?: boolean;
  readonly hugetlbfs?: boolean;
  readonly secretmem?: boolean;
  /** vma_is_fsdax(): a DAX file of a filesystem in fsdax mode. */
  readonly fsdax?: boolean;
  /** mapping_can_writeback(mapping). Default true; shmem and hugetlbfs: false. */
  readonly writeback?: boolean;
  /** vm_ops->page_mkwrite or ->pfn_mkwrite exist. */
  readonly page_mkwrite?: boolean;
  /** vm_ops->fault exists (FOLL_DUMP's hole rule). Default true. */
  readonly fault?: boolean;
}

/** The facts of a file as GUP sees them. */
export function file_facts(file: VmFile): GupFileFacts {
  return file as VmFile & GupFileFacts;
}

export class GupState {
  /** FOLL_PIN references per page taken through GUP and not yet released. */
  pinned: Int32Array;
  /** FOLL_GET references per page taken through GUP and not yet released. */
  gotten: Int32Array;
  /** Per page: index in `takers` of the call that last took a reference on it. */
  taker: Int32Array;
  readonly takers = new TakerTable();
  /** References in the ledger, of both kinds (none: the end-of-run scans can be skipped). */
  outstanding = 0;
  /** folio_add_pin() was used: nr_foll_pin_released may exceed nr_foll_pin_acquired. */
  addPinUsed = false;
  /** Set by the caller of a GUP entry point (scenario step location) for leak reports. */
  where: string | null = null;
  /** The call each thread is in, by thread id. */
  readonly active: (GupCall | undefined)[] = [];
  /**
   * Facts of a page-cache mapping id (folio->mapping) when a test wants to set them; null: ask
   * the file layer (gup_fast_allowed.ts: folio_file_mapping, shmem_mapping).
   */
  mappingFacts: ((mapping: number) => GupFileFacts) | null = null;
  /**
   * CONFIG_DEBUG_VM: run the kernel's debug-only checks (sanity_check_pinned_pages,
   * VM_WARN_ON_ONCE). Switched on by the checkers that report them; off in benchmarks.
   */
  debugVm = false;
  /** Checkers installed on this kernel (by id), so installing twice is harmless. */
  readonly installed = new Set<string>();
  /** Checkers that watch GUP decisions as they happen. */
  readonly observers: GupObserver[] = [];
  /** References each thread gained in the ledger (takes minus releases), by thread id. */
  readonly net: number[] = [];

  constructor(nr_pages: number) {
    this.pinned = new Int32Array(nr_pages);
    this.gotten = new Int32Array(nr_pages);
    this.taker = new Int32Array(nr_pages);
  }
}

const states = new WeakMap<Kernel, GupState>();
/** A one-entry cache in front of the map: nearly every lookup is for the same kernel. */
let lastKernel: Kernel | null = null;
let lastState: GupState | null = null;

/** The GUP state of a kernel, created on first use. */
export function gupState(k: Kernel): GupState {
  if (k === lastKernel) return lastState!;
  let s = states.get(k);
  if (s === undefined) {
    s = new GupState(k.mem.nr_pages);
    states.set(k, s);
  }
  lastKernel = k;
  lastState = s;
  return s;
}

/** Record a call that takes references; returns its ledger id. */
export function newTaker(s: GupState, m: Machine, api: string, flags = 0): number {
  return s.takers.add(api, m.current?.name ?? '-', m.steps, s.where, flags);
}

/**
 * True when no other thread can take a step before the caller's next one (every other thread has
 * finished): a scheduling point would then change nothing, and GUP elides its per-page points and
 * its uncontendable page-table locks. Exact: nobody else can run, so no interleaving is lost.
 */
export function gup_solo(m: Machine): boolean {
  const self = m.current;
  for (const t of m.threads) if (t !== self && !t.done) return false;
  return true;
}

/** What an entry point did, as the call-contract checkers see it on return. */
export interface GupCallInfo {
  readonly api: string;
  readonly mm: mm_struct;
  readonly start: number;
  readonly nr_pages: number;
  /** The caller's flags. */
  readonly gup_flags: number;
  /** The flags after is_valid_gup_args, or null when the arguments were invalid. */
  readonly flags: number | null;
  readonly pages: PagesArray | null;
  /** Where in `pages` the call wrote (C's `pages + off`). */
  readonly off: number;
  readonly ret: number;
  /** *locked on entry and on return (null: NULL was passed, or the API has no `locked`). */
  readonly lockedIn: number | null;
  readonly lockedOut: number | null;
  /** Whether the calling thread held mmap_lock on entry and on return. */
  readonly heldBefore: boolean;
  readonly heldAfter: boolean;
  /** References the thread gained in the ledger during the call. */
  readonly net: number;
  /** No other thread was alive when the call began (nothing could change the mapping). */
  readonly aloneAtEntry: boolean;
}

/** One lockless walk, as gup_fast returns it. */
export interface GupFastInfo {
  readonly mm: mm_struct;
  readonly flags: number;
  readonly pages: PagesArray;
  readonly off: number;
  /** Pages the walk returns (0 after a fork race). */
  readonly nr: number;
  /** Pages the walk had taken, before a fork race dropped them. */
  readonly walked: number;
  /** A page was taken after write_protect_seq moved (or while it was odd). */
  readonly overlap: boolean;
}

/** gup_fast_fallback's composition of the fast prefix and the slow remainder. */
export interface GupFallbackInfo {
  readonly nr_pages: number;
  readonly nr_pinned: number;
  /** What the slow part returned (null: it did not run). */
  readonly slow: number | null;
  readonly ret: number;
}

/** One check_and_migrate_movable_pages_or_folios: entries in, result, entries still pinned. */
export interface GupMigrateInfo {
  readonly entries: number;
  readonly ret: number;
  readonly stillPinned: number;
}

/** An unshare fault and the entry it left (for "an unshare never maps writable"). */
export interface GupUnshareInfo {
  readonly mm: mm_struct;
  readonly addr: number;
  readonly writableBefore: boolean;
  readonly writableAfter: boolean;
}

/** A checker watching GUP as it runs. Every method is optional. */
export interface GupObserver {
  callReturned?(k: Kernel, info: GupCallInfo): void;
  fastReturned?(k: Kernel, info: GupFastInfo): void;
  fallbackDone?(k: Kernel, info: GupFallbackInfo): void;
  migrateDone?(k: Kernel, info: GupMigrateInfo): void;
  unshareDone?(k: Kernel, info: GupUnshareInfo): void;
}

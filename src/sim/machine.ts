/**
 * The machine: all state of one run. It owns the threads and the scheduler loop, the decision
 * record (the schedule), the trace recorder, the checker registry and reports, lockdep, and the
 * quirk settings (named historical kernel behaviours, off by default).
 */
import { defaultThread, DefaultChooser, ScheduleMismatchError, type Chooser } from './chooser.js';
import { findDeadlock } from './deadlock.js';
import { Access, EVERYTHING, objId, objectSpace, type ObjId } from './footprint.js';

/** Object space of thread starts declared private (SpawnOptions.privateStart). */
const THREAD_START = objectSpace('thread-start');
import { Lockdep } from './locking/lockdep.js';
import { ExecutionResult } from './run-result.js';
import { encodeSchedule } from './schedule.js';
import { Thread, type Point, type Sched, type ThreadKind, type Waitable } from './thread.js';
import { TraceRecorder, type TraceEvent, type TraceKind, type TraceKinds } from './trace.js';
import { compareViolations, type CheckerInfo, type Violation } from './violation.js';

export interface MachineOptions {
  /** Record trace events (default true). The explorer turns this off for speed. */
  readonly trace?: boolean | undefined;
  /** Steps after which the run is stopped and reported as a livelock (default 1,000,000). */
  readonly maxSteps?: number | undefined;
  /** Ids of historical behaviours to switch on. */
  readonly quirks?: Iterable<string> | undefined;
  /** Who decides (default: the deterministic default chooser). */
  readonly chooser?: Chooser | undefined;
}

export interface SpawnOptions {
  readonly kind?: ThreadKind;
  /** Process (thread group) id, or -1 for none. */
  readonly group?: number;
  /**
   * True when the body touches nothing shared before its first `yield` (it only computes its
   * first point): the start step then depends on nothing but the thread itself, so the explorer
   * need not try it at every position. Default false: the start may touch anything.
   */
  readonly privateStart?: boolean;
}

export type RunStatus = 'done' | 'deadlock' | 'livelock' | 'bug';

export interface RunResult {
  readonly status: RunStatus;
  /** Steps executed (thread resumptions). */
  readonly steps: number;
  /** Times the running thread changed. */
  readonly switches: number;
  /** Switches away from a thread that could have gone on. */
  readonly preemptions: number;
  /** Decisions made (thread choices among several, and data choices). */
  readonly decisions: number;
  /** The schedule string that replays this run. */
  readonly schedule: string;
  readonly violations: readonly Violation[];
  /** Expectations checked during the run (scenario `expect` steps), in order. */
  readonly expectations: readonly Expectation[];
  readonly trace: readonly TraceEvent[];
}

/** One checked expectation: a failed one fails the execution. */
export interface Expectation {
  readonly thread: string | null;
  readonly step: number;
  readonly ok: boolean;
  readonly message: string;
  /** Where it is written (`file:line:column`), if known. */
  readonly where?: string;
}

/** A check run when the run ends (leaks, final-state invariants). */
export interface EndChecker extends CheckerInfo {
  atEnd(m: Machine): void;
}

/** The quirk set of machines without quirks (most of them), shared. */
const NO_QUIRKS: ReadonlySet<string> = new Set();
/** The (frozen) empty list of violations of a run without any, or of its trace when off. */
const NONE: readonly never[] = Object.freeze([]);
/**
 * The ids of the threads able to run, rebuilt at every step: one buffer serves every machine
 * (a run is synchronous, and the buffer is read only between collecting and resuming), so an
 * execution does not allocate one. A machine with more threads than it holds grows it.
 */
let enabledScratch = new Int32Array(16);

export class Machine {
  readonly threads: Thread[] = [];
  /** The threads not yet done, in id order (a finished thread never runs again). */
  private readonly live: Thread[] = [];
  readonly trace: TraceRecorder;
  readonly quirks: ReadonlySet<string>;
  readonly maxSteps: number;
  /** The thread running now (null between steps). */
  current: Thread | null = null;
  steps = 0;
  switches = 0;
  preemptions = 0;
  status: RunStatus | 'ready' | 'running' = 'ready';

  private readonly chooser: Chooser;
  private readonly violationList: Violation[] = [];
  private readonly expectationList: Expectation[] = [];
  // Created on first use: most runs need none of these.
  private endCheckers: EndChecker[] | null = null;
  /** Keys of reports kept once. */
  private reported: Set<string> | null = null;
  private lockdepState: Lockdep | null = null;
  private readonly dec: number[] = [];
  private decCount = 0;
  /** Decisions up to the last one the default chooser would not have made (the schedule's). */
  private decEnd = 0;
  private enabled = enabledScratch;
  private last = -1;
  private readonly decision = {
    enabled: this.enabled,
    count: 0,
    current: -1,
    index: 0,
    threads: this.threads as readonly Thread[],
  };
  /** True when the chooser observes every step (`Chooser.beforeStep`). */
  private readonly observeSteps: boolean;
  private nextObjIndex = 0;

  constructor(opts: MachineOptions = {}) {
    this.trace = new TraceRecorder(opts.trace ?? true);
    const q = opts.quirks;
    this.quirks = q === undefined || (Array.isArray(q) && q.length === 0) ? NO_QUIRKS : new Set(q);
    this.maxSteps = opts.maxSteps ?? 1_000_000;
    this.chooser = opts.chooser ?? new DefaultChooser();
    this.observeSteps = this.chooser.beforeStep !== undefined;
  }

  /** Lock-order tracking of this run (created when a lock is first taken). */
  get lockdep(): Lockdep {
    return (this.lockdepState ??= new Lockdep(this));
  }

  /** Is the named historical behaviour switched on? */
  quirk(id: string): boolean {
    return this.quirks.has(id);
  }

  /** A fresh index for an object of this machine (locks, wait queues...). */
  newObjectIndex(): number {
    return this.nextObjIndex++;
  }

  /** Create a thread. Its first step is its start; it may be created by a running thread. */
  spawn(name: string, body: () => Sched<unknown>, opts: SpawnOptions = {}): Thread {
    const t = new Thread(this.threads.length, name, opts.kind ?? 'user', opts.group ?? -1, body);
    // The start runs the body up to its first point. Unless the body promises that this touches
    // nothing shared (privateStart), it may touch anything.
    t.fpObj[0] = opts.privateStart === true ? objId(THREAD_START, t.id) : EVERYTHING;
    t.fpAcc[0] = Access.Write;
    this.threads.push(t);
    this.live.push(t);
    if (this.enabled.length < this.threads.length) {
      this.enabled = enabledScratch = new Int32Array(this.threads.length * 2);
    }
    if (this.trace.enabled) this.emit('sched.start', { name, kind: t.kind }, undefined, t.id);
    return t;
  }

  /** The running thread; throws when called outside a step (a model bug). */
  get self(): Thread {
    if (this.current === null) throw new Error('no simulated thread is running');
    return this.current;
  }

  /** Declare the next step's label and first object; `yield` the returned point. */
  at(label: string, obj: ObjId, acc: Access): Point {
    const t = this.self;
    t.label = label;
    t.fpObj[0] = obj;
    t.fpAcc[0] = acc;
    t.fpCount = 1;
    return t;
  }

  /** A preemption point whose next step may touch anything (the safe default). */
  point(label: string): Point {
    return this.at(label, EVERYTHING, Access.Write);
  }

  /** Block the running thread on `w` until `w.canProceed`; `yield` the returned point. */
  block(label: string, w: Waitable, obj: ObjId, acc: Access = Access.Write): Point {
    const t = this.at(label, obj, acc);
    t.waitOn = w;
    if (this.trace.enabled) this.emit('sched.block', { on: w.describe() });
    return t;
  }

  /** A data choice in [0, n): recorded in the schedule like thread choices. */
  choose(n: number, label: string): number {
    if (n <= 1) return 0;
    const index = this.decCount;
    const v = this.chooser.pickValue(n, label, index);
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new Error(`chooser returned ${v} for '${label}' with ${n} options`);
    }
    this.record(v, v === 0);
    if (this.trace.enabled) this.emit('sched.choice', { label, n, value: v });
    return v;
  }

  /** Register a check to run when the run ends. */
  addEndChecker(c: EndChecker): void {
    (this.endCheckers ??= []).push(c);
  }

  /** Report a broken rule. A report with the same id and dedupKey is kept once. */
  report(
    v: Omit<Violation, 'step' | 'thread'> & { thread?: string | null },
    dedupKey?: string,
  ): void {
    if (dedupKey !== undefined) {
      const key = `${v.id}\u0000${dedupKey}`;
      const reported = (this.reported ??= new Set());
      if (reported.has(key)) return;
      reported.add(key);
    }
    const full: Violation = {
      ...v,
      thread: v.thread ?? this.current?.name ?? null,
      step: this.steps,
    };
    this.violationList.push(full);
    this.emit('check.violation', { id: v.id, message: v.message });
  }

  /** Record an expectation's outcome; a failed one fails the execution (see verdict.ts). */
  expectation(ok: boolean, message: string, where?: string): void {
    const e: Expectation = {
      thread: this.current?.name ?? null,
      step: this.steps,
      ok,
      message,
      ...(where !== undefined ? { where } : {}),
    };
    this.expectationList.push(e);
    this.emit('check.expect', { ok, message });
  }

  get expectations(): readonly Expectation[] {
    return this.expectationList;
  }

  get violations(): readonly Violation[] {
    return this.violationList;
  }

  /** Record a trace event for the running thread (or `thread`). */
  emit<K extends TraceKind>(kind: K, args: TraceKinds[K], fn?: string, thread?: number): void {
    if (!this.trace.enabled) return;
    this.trace.record(this.steps, thread ?? this.current?.id ?? -1, kind, args, fn);
  }

  /** Push a kernel function on the running thread's simulated call stack. */
  enter(fn: string): void {
    this.self.stack.push(fn);
    if (this.trace.enabled) this.emit('call.enter', { fn }, fn);
  }

  /** Pop the running thread's simulated call stack. */
  leave(): void {
    const fn = this.self.stack.pop();
    if (this.trace.enabled && fn !== undefined) this.emit('call.exit', { fn }, fn);
  }

  /** kernel/sched/core.c: __might_sleep: sleeping with a spinlock held is a bug. */
  mightSleep(fn: string): void {
    const t = this.self;
    if (t.atomic === 0) return;
    const held = t.held.filter((h) => h.mode === 'exclusive').map((h) => h.lock.name);
    this.report(
      {
        id: 'sched.sleep-in-atomic',
        message: `BUG: sleeping function called from invalid context: ${fn} with spinlock held (${held.join(', ')})`,
        rule: 'kernel/sched/core.c: __might_sleep',
        details: [`stack: ${t.stack.join(' <- ') || '(top level)'}`],
      },
      `${t.name}\u0000${fn}`,
    );
  }

  /** Send a fatal signal (SIGKILL) to one thread. */
  kill(t: Thread): void {
    t.fatalSignal = true;
    this.emit('sched.signal', { target: t.name });
  }

  /** Send a fatal signal to every thread of a process. */
  killGroup(group: number): void {
    for (const t of this.threads) if (t.group === group && !t.done) this.kill(t);
  }

  /** Run until every thread has finished, or the run deadlocks, livelocks or hits a model bug. */
  run(): RunResult {
    if (this.status !== 'ready') throw new Error('a machine runs once');
    this.status = 'running';
    while (this.status === 'running') this.stepOnce();
    if (this.status === 'done' && this.endCheckers !== null) {
      for (const c of this.endCheckers) c.atEnd(this);
    }
    return this.result();
  }

  private stepOnce(): void {
    const n = this.collectEnabled();
    if (n === 0) {
      this.finishOrDeadlock();
      return;
    }
    const t = this.threads[n === 1 ? this.enabled[0]! : this.pick(n)]!;
    if (t.id !== this.last) {
      const preempted = this.last >= 0 && this.threads[this.last]!.enabled();
      this.switches++;
      if (preempted) this.preemptions++;
      if (this.trace.enabled) {
        const from = this.last >= 0 ? this.threads[this.last]!.name : null;
        this.emit('sched.switch', { from, to: t.name, preempted }, undefined, t.id);
      }
      this.last = t.id;
    }
    if (this.observeSteps) this.observe(t, n);
    this.resume(t);
    if (this.steps >= this.maxSteps && this.status === 'running') {
      this.status = 'livelock';
      this.report({
        id: 'sched.livelock',
        message: `the run did not finish within ${this.maxSteps} steps`,
        rule: 'kernel/watchdog.c: soft lockup detector',
      });
    }
  }

  private observe(t: Thread, n: number): void {
    const d = this.decision;
    d.enabled = this.enabled;
    d.count = n;
    this.chooser.beforeStep!(t, d);
  }

  private collectEnabled(): number {
    // scan only the live threads, dropping the finished ones: a run that spawns many short
    // threads (a device agent per request) would otherwise scan them all at every step
    const live = this.live;
    let n = 0;
    let kept = 0;
    for (let i = 0; i < live.length; i++) {
      const t = live[i]!;
      if (t.done) continue;
      live[kept++] = t;
      if (t.enabled()) this.enabled[n++] = t.id;
    }
    if (kept !== live.length) live.length = kept;
    return n;
  }

  private pick(n: number): number {
    const d = this.decision;
    d.enabled = this.enabled;
    d.count = n;
    d.current = this.last;
    d.index = this.decCount;
    const id = this.chooser.pickThread(d);
    this.record(id, id === defaultThread(d));
    return id;
  }

  private record(v: number, isDefault: boolean): void {
    this.dec.push(v);
    this.decCount++;
    if (!isDefault) this.decEnd = this.decCount;
  }

  private resume(t: Thread): void {
    this.current = t;
    t.waitOn = null;
    try {
      if (t.resume()) this.exitThread(t);
    } catch (e) {
      if (e instanceof ScheduleMismatchError) throw e;
      this.status = 'bug';
      const err = e instanceof Error ? e : new Error(String(e));
      this.report({
        id: 'model.bug',
        message: `${err.name}: ${err.message}`,
        rule: 'include/linux/mmdebug.h: VM_BUG_ON',
        details: [
          `stack: ${t.stack.join(' <- ') || '(top level)'}`,
          ...(err.stack ?? '').split('\n').slice(1, 6),
        ],
      });
    }
    this.steps++;
    this.current = null;
  }

  private exitThread(t: Thread): void {
    if (t.held.length > 0) {
      this.report({
        id: 'lockdep.held-at-exit',
        message: `${t.name} finished holding ${t.held.map((h) => h.lock.name).join(', ')}`,
        rule: 'kernel/locking/lockdep.c: lockdep_sys_exit',
      });
    }
    if (this.trace.enabled) this.emit('sched.exit', { name: t.name });
  }

  private finishOrDeadlock(): void {
    if (this.threads.every((t) => t.done)) {
      this.status = 'done';
      return;
    }
    this.status = 'deadlock';
    const d = findDeadlock(this.threads);
    this.report({
      id: 'sched.deadlock',
      message: d.message,
      rule: d.rule,
      thread: null,
      details: d.details,
    });
  }

  /** The schedule that replays this run so far (trailing default decisions dropped). */
  schedule(): string {
    return encodeSchedule(this.dec, this.decEnd);
  }

  /** All decisions made so far, untrimmed (for explorers). */
  decisions(): Int32Array {
    return Int32Array.from(this.dec);
  }

  private result(): RunResult {
    const v = this.violationList;
    return new ExecutionResult(
      this.status as RunStatus,
      this.steps,
      this.switches,
      this.preemptions,
      this.decCount,
      this.dec,
      this.decEnd,
      v.length === 0 ? NONE : [...v].sort(compareViolations),
      this.expectationList,
      this.trace.enabled ? this.trace.events : NONE,
    );
  }
}

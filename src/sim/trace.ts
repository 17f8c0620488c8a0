/**
 * The trace: typed events with namespaced kinds, recorded by a listener-style recorder.
 *
 * Every event carries the step number (how many steps had run when it was recorded), the
 * thread, its kind (`sched.*`, `lock.*`, `mm.*`, `gup.*`, `check.*` ...) and, where it models
 * kernel code, the kernel function (`mm/gup.c: __get_user_pages`). Later layers add their event
 * kinds to `TraceKinds` by declaration merging, so `emit` stays type-checked everywhere.
 */

/** Event kinds and their arguments. Extend with `declare module` in the layer that emits them. */
export interface TraceKinds {
  'sched.start': { name: string; kind: string };
  'sched.exit': { name: string };
  'sched.switch': { from: string | null; to: string; preempted: boolean };
  'sched.block': { on: string };
  'sched.choice': { label: string; n: number; value: number };
  'sched.signal': { target: string };
  'lock.acquire': { lock: string; mode: LockMode };
  'lock.release': { lock: string; mode: LockMode };
  'lock.contend': { lock: string; mode: LockMode; holders: string[] };
  'lock.trylock-fail': { lock: string; mode: LockMode };
  'lock.interrupted': { lock: string; mode: LockMode; ret: number };
  'call.enter': { fn: string };
  'call.exit': { fn: string };
  'check.violation': { id: string; message: string };
  'check.expect': { ok: boolean; message: string };
  note: { text: string };
}

export type LockMode = 'exclusive' | 'read' | 'write';

export type TraceKind = keyof TraceKinds;

export interface TraceEvent<K extends TraceKind = TraceKind> {
  /** Position in the trace, from 0. */
  readonly seq: number;
  /** Steps executed before this event. */
  readonly step: number;
  /** Thread id, or -1 for the machine itself. */
  readonly thread: number;
  readonly kind: K;
  /** The kernel function this event models, if any. */
  readonly fn: string | undefined;
  readonly args: TraceKinds[K];
}

/** Something that wants to see events as they are recorded (exporters, checkers, viewers). */
export type TraceListener = (e: TraceEvent) => void;

/**
 * Collects events. When `enabled` is false nothing is stored (the fast mode used by the
 * explorer and benchmarks); emitters on hot paths test `enabled` before building arguments.
 */
export class TraceRecorder {
  // Allocated on first use: the explorer makes a recorder per execution and records nothing.
  private list: TraceEvent[] | null = null;
  private listeners: TraceListener[] | null = null;

  constructor(public enabled: boolean) {}

  /** The events recorded so far, in order. */
  get events(): TraceEvent[] {
    return (this.list ??= []);
  }

  listen(l: TraceListener): void {
    (this.listeners ??= []).push(l);
  }

  record<K extends TraceKind>(
    step: number,
    thread: number,
    kind: K,
    args: TraceKinds[K],
    fn?: string,
  ): void {
    if (!this.enabled) return;
    const events = this.events;
    const e: TraceEvent<K> = { seq: events.length, step, thread, kind, fn, args };
    events.push(e as unknown as TraceEvent);
    if (this.listeners !== null) for (const l of this.listeners) l(e as unknown as TraceEvent);
  }
}

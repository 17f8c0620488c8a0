/**
 * Chrome Trace Event JSON (the format ui.perfetto.dev and chrome://tracing open) from a run's
 * trace: one track per simulated thread, slices for kernel calls (call.enter/call.exit),
 * instants for faults and checker reports, and flow arrows for lock hand-offs (a release by
 * one thread to the next acquisition of the same lock by another).
 *
 * Time is simulated: each step is STEP_US microseconds, and events within a step are spaced
 * by one microsecond so their order is kept.
 */
import type { TraceEvent } from '../sim/trace.js';

export const STEP_US = 100;
const PID = 1;

export interface ChromeEvent {
  name: string;
  ph: 'B' | 'E' | 'X' | 'i' | 'M' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't' | 'p' | 'g';
  id?: number;
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: 'ns' | 'ms';
  metadata: Record<string, unknown>;
}

/** Event kinds shown as instants on the thread's track (faults, reports, blocking). */
const INSTANT_PREFIXES = [
  'check.',
  'mm.fault',
  'sched.block',
  'sched.signal',
  'gup.',
  'lock.contend',
  'lock.interrupted',
];

function tidOf(e: TraceEvent): number {
  return e.thread + 1; // tid 0 is the machine
}

function isInstant(kind: string): boolean {
  return INSTANT_PREFIXES.some((p) => kind.startsWith(p));
}

class Builder {
  readonly events: ChromeEvent[] = [];
  private readonly open = new Map<number, string[]>();
  private readonly lastRelease = new Map<string, { tid: number; ts: number }>();
  private flowId = 0;
  private lastStep = -1;
  private within = 0;
  ts = 0;

  time(e: TraceEvent): number {
    if (e.step !== this.lastStep) {
      this.lastStep = e.step;
      this.within = 0;
    }
    this.ts = e.step * STEP_US + Math.min(this.within++, STEP_US - 2);
    return this.ts;
  }

  enter(tid: number, name: string, ts: number): void {
    const stack = this.open.get(tid) ?? [];
    stack.push(name);
    this.open.set(tid, stack);
    this.events.push({ name, ph: 'B', ts, pid: PID, tid, cat: 'kernel' });
  }

  exit(tid: number, name: string, ts: number): void {
    const stack = this.open.get(tid) ?? [];
    const i = stack.lastIndexOf(name);
    if (i < 0) return;
    while (stack.length > i)
      this.events.push({ name: stack.pop()!, ph: 'E', ts, pid: PID, tid, cat: 'kernel' });
  }

  /** A short slice for a lock operation, with flow arrows from the previous releaser. */
  lock(tid: number, e: TraceEvent, ts: number): void {
    const a = e.args as { lock: string; mode: string };
    const name = `${e.kind === 'lock.acquire' ? 'acquire' : 'release'} ${a.lock}`;
    this.events.push({
      name,
      ph: 'X',
      ts,
      dur: 1,
      pid: PID,
      tid,
      cat: 'lock',
      args: { mode: a.mode },
    });
    if (e.kind === 'lock.release') {
      this.lastRelease.set(a.lock, { tid, ts });
      return;
    }
    const from = this.lastRelease.get(a.lock);
    if (from !== undefined && from.tid !== tid) {
      const id = ++this.flowId;
      this.events.push({
        name: `hand-off ${a.lock}`,
        ph: 's',
        ts: from.ts,
        pid: PID,
        tid: from.tid,
        cat: 'lock',
        id,
      });
      this.events.push({
        name: `hand-off ${a.lock}`,
        ph: 'f',
        bp: 'e',
        ts,
        pid: PID,
        tid,
        cat: 'lock',
        id,
      });
    }
    this.lastRelease.delete(a.lock);
  }

  closeAll(ts: number): void {
    for (const [tid, stack] of [...this.open.entries()].sort((x, y) => x[0] - y[0])) {
      while (stack.length > 0)
        this.events.push({ name: stack.pop()!, ph: 'E', ts, pid: PID, tid, cat: 'kernel' });
    }
  }
}

/** Convert a trace to Chrome Trace Event JSON. */
export function toChromeTrace(
  events: readonly TraceEvent[],
  threadNames: readonly string[],
  meta: Record<string, unknown> = {},
): ChromeTrace {
  const b = new Builder();
  b.events.push({
    name: 'process_name',
    ph: 'M',
    ts: 0,
    pid: PID,
    tid: 0,
    args: { name: 'gupsim machine' },
  });
  b.events.push({
    name: 'thread_name',
    ph: 'M',
    ts: 0,
    pid: PID,
    tid: 0,
    args: { name: 'machine' },
  });
  threadNames.forEach((name, i) =>
    b.events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: i + 1, args: { name } }),
  );
  for (const e of events) addEvent(b, e);
  b.closeAll(b.ts + 1);
  return {
    traceEvents: b.events,
    displayTimeUnit: 'ns',
    metadata: { 'gupsim-step-us': STEP_US, ...meta },
  };
}

function addEvent(b: Builder, e: TraceEvent): void {
  const ts = b.time(e);
  const tid = tidOf(e);
  if (e.kind === 'call.enter') b.enter(tid, (e.args as { fn: string }).fn, ts);
  else if (e.kind === 'call.exit') b.exit(tid, (e.args as { fn: string }).fn, ts);
  else if (e.kind === 'lock.acquire' || e.kind === 'lock.release') b.lock(tid, e, ts);
  else if (e.kind === 'sched.exit') b.exit(tid, '', ts);
  else if (isInstant(e.kind)) {
    const scope = e.kind.startsWith('check.') ? 'g' : 't';
    const args = { ...(e.args as object), ...(e.fn !== undefined ? { kernel: e.fn } : {}) };
    b.events.push({
      name: e.kind,
      ph: 'i',
      s: scope,
      ts,
      pid: PID,
      tid,
      cat: e.kind.split('.')[0]!,
      args,
    });
  }
}

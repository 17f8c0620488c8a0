/**
 * The chooser of one execution of a systematic search (plain DFS or DPOR). It replays the
 * path's decisions, extends the path with new nodes, keeps the sleep set (threads whose next
 * step was already covered by an earlier sibling and is independent of everything since), and,
 * for DPOR, checks every state for races and adds the reversing thread to the backtrack set of
 * the node where the race began.
 *
 * An execution stops early (by throwing from the scheduler, never from thread code) when every
 * thread that can run is asleep: all its continuations were covered elsewhere.
 */
import type { Chooser, StepView, ThreadDecision } from '../sim/chooser.js';
import type { Thread } from '../sim/thread.js';
import { MAX_THREADS, bit, has, lowest, maskOf } from './bits.js';
import { stillAsleep } from './dependence.js';
import type { Races } from './races.js';
import { Node, NodeKind, allowedThreads, alternatives, type Path } from './path.js';

export interface SearchMode {
  /** Alternatives come from races (DPOR) rather than from every thread that can run. */
  readonly dpor: boolean;
  readonly sleepSets: boolean;
  /** Preemption bound, or null. */
  readonly bound: number | null;
}

/** What a probe found at the node just below its prefix. */
export type ProbeInfo =
  | { readonly kind: 'end' }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'node'; readonly alternatives: readonly number[] };

/** Thrown through the machine to stop an execution that sleep sets made redundant. */
class SleepBlocked extends Error {}
/** Thrown through the machine to stop a probe once it has seen its node. */
class ProbeStop extends Error {}

const SLEEP_BLOCKED = new SleepBlocked('sleep-set blocked');
const PROBE_END: ProbeInfo = { kind: 'end' };
const PROBE_STOP = new ProbeStop('probe done');

export function isStop(e: unknown): boolean {
  return e === SLEEP_BLOCKED || e === PROBE_STOP;
}

export class SearchRun implements Chooser {
  /** Set by a probe: the node below the prefix. */
  probe: ProbeInfo = PROBE_END;
  private pos = 0;
  private step = 0;
  private sleep = 0;
  private enabledNow = 0;
  private prevEnabled = 0;
  /** The thread that took the last step. */
  private prevThread = -1;
  private preemptions = 0;
  private stateSeen = -1;
  private decisionStep = -1;
  private decisionNode = -1;
  private pending: Error | null = null;

  constructor(
    private readonly path: Path,
    private readonly prefix: readonly number[],
    private readonly mode: SearchMode,
    /** DPOR's race check, or null (plain DFS, probes). */
    private readonly races: Races | null,
    /** States up to this step were checked for races by an earlier execution. */
    private readonly checkedUpTo: number,
    private readonly probing = false,
  ) {
    races?.reset();
  }

  pickThread(d: ThreadDecision): number {
    this.raisePending();
    this.atState(maskOf(d.enabled, d.count), d.threads);
    const node = this.threadNode(d.current);
    this.decisionStep = this.step;
    this.decisionNode = this.pos - 1;
    if (this.mode.sleepSets) this.sleep = node.sleep | (node.done & ~bit(node.chosen));
    return node.chosen;
  }

  pickValue(n: number): number {
    const path = this.path;
    if (this.pos < path.length) {
      const node = path.nodes[this.pos++]!;
      if (node.kind === NodeKind.Value && node.options === n) return node.chosen;
      this.pending = nondeterminism(this.pos - 1, `a data choice with ${n} options`);
      return 0;
    }
    if (this.probing && this.pos === this.prefix.length) {
      this.probe = { kind: 'node', alternatives: Array.from({ length: n }, (_, i) => i) };
      this.pending = PROBE_STOP;
      return 0;
    }
    const frozen = this.pos < this.prefix.length;
    let v = frozen ? this.prefix[this.pos]! : 0;
    if (v >= n) {
      this.pending = nondeterminism(this.pos, `a data choice with ${n} options`);
      v = 0;
    }
    path.nodes.push(new Node(NodeKind.Value, v, 0, 0, -1, 0, 0, this.step - 1, n, frozen));
    this.pos++;
    return v;
  }

  beforeStep(t: Thread, view: StepView): void {
    this.raisePending();
    this.atState(maskOf(view.enabled, view.count), view.threads);
    if (has(this.sleep, t.id)) {
      if (this.probing) this.probe = { kind: 'blocked' };
      throw SLEEP_BLOCKED;
    }
    this.races?.record(t, this.decisionStep === this.step ? this.decisionNode : -1);
    if (this.sleep !== 0) this.sleep = stillAsleep(this.sleep, t, view.threads);
    const prev = this.prevThread;
    if (t.id !== prev && prev >= 0 && has(this.enabledNow, prev)) this.preemptions++;
    this.prevThread = t.id;
    this.step++;
  }

  /** After the run: the final state is checked like every other. */
  finish(threads: readonly Thread[]): void {
    if (this.pending === PROBE_STOP) return;
    this.raisePending();
    let enabled = 0;
    for (const t of threads) if (t.enabled()) enabled |= bit(t.id);
    this.atState(enabled, threads);
  }

  private raisePending(): void {
    const e = this.pending;
    if (e === null) return;
    this.pending = null;
    throw e;
  }

  private threadNode(current: number): Node {
    const path = this.path;
    const enabled = this.enabledNow;
    if (this.pos < path.length) {
      const n = path.nodes[this.pos]!;
      if (n.kind !== NodeKind.Thread || n.enabled !== enabled) {
        throw nondeterminism(this.pos, `threads [${maskList(enabled)}] able to run`);
      }
      this.pos++;
      return n;
    }
    const allowed = allowedThreads(enabled, current, this.preemptions, this.mode.bound);
    const avail = enabled & ~this.sleep & allowed;
    const alts = alternatives(avail, current);
    if (this.probing && this.pos === this.prefix.length) {
      this.probe = alts.length === 0 ? { kind: 'blocked' } : { kind: 'node', alternatives: alts };
      throw PROBE_STOP;
    }
    const frozen = this.pos < this.prefix.length;
    const chosen = frozen ? this.prefix[this.pos]! : alts[0];
    if (chosen === undefined) throw SLEEP_BLOCKED;
    const at = alts.indexOf(chosen);
    if (at < 0) throw nondeterminism(this.pos, `thread ${chosen} able to run`);
    const backtrack = frozen || this.mode.dpor ? bit(chosen) : avail;
    const n = new Node(
      NodeKind.Thread,
      chosen,
      backtrack,
      enabled,
      current,
      this.sleep,
      this.preemptions,
      this.step,
      0,
      frozen,
    );
    if (frozen) for (const id of alts.slice(0, at)) n.done |= bit(id);
    path.nodes.push(n);
    this.pos++;
    return n;
  }

  /** Process the state the run is in: `enabled` threads can run. Once per state. */
  private atState(enabled: number, threads: readonly Thread[]): void {
    if (this.stateSeen === this.step) return;
    this.stateSeen = this.step;
    if (threads.length > MAX_THREADS) throw tooManyThreads(threads.length);
    const races = this.races;
    const known = races?.hb.threads ?? 0;
    races?.hb.ensureThreads(threads.length);
    let changed = 0;
    if (this.step > 0) {
      changed = (enabled ^ this.prevEnabled) & ~bit(this.prevThread);
      this.sleep &= ~changed;
      if (races !== null) {
        for (let m = changed; m !== 0; m &= m - 1) races.hb.setEnabler(lowest(m), this.step - 1);
      }
    }
    this.prevEnabled = enabled;
    this.enabledNow = enabled;
    if (races !== null && this.step > this.checkedUpTo) {
      races.check(threads, this.step, this.prevThread, known, changed);
    }
  }
}

function maskList(mask: number): string {
  const ids: number[] = [];
  for (let m = mask; m !== 0; m &= m - 1) ids.push(lowest(m));
  return ids.join(', ');
}

/** The program did something else under the same decisions: it is not deterministic. */
export class NondeterminismError extends Error {
  override readonly name = 'NondeterminismError';
  readonly code = 'GS301';
}

function nondeterminism(index: number, found: string): Error {
  return new NondeterminismError(
    `decision ${index} found ${found}, unlike an earlier execution with the same decisions: ` +
      'the program is not deterministic (does it read the clock, Math.random, or state kept between runs?)',
  );
}

function tooManyThreads(n: number): Error {
  return new RangeError(
    `the program has ${n} threads; systematic exploration handles at most ${MAX_THREADS} (use --strategy random or pct)`,
  );
}

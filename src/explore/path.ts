/**
 * The search path of a stateless depth-first exploration: one node per decision of the current
 * execution (which thread runs, or which value a data choice takes), each remembering what is
 * left to try there. An execution replays the path's choices, then extends it; afterwards
 * `next()` moves to the deepest untried alternative. Frozen nodes are a task's fixed prefix:
 * the search never backtracks into them.
 */
import { bit, has, lowest } from './bits.js';

export const enum NodeKind {
  Thread,
  Value,
}

export class Node {
  /** Thread nodes: threads tried here (bitmask). */
  done = 0;

  constructor(
    readonly kind: NodeKind,
    /** The chosen thread id or value. */
    public chosen: number,
    /** Thread nodes: threads to try (DPOR adds to it as it finds races). */
    public backtrack: number,
    /** Thread nodes: the threads that could run. Value nodes: 0. */
    readonly enabled: number,
    /** Thread nodes: the thread that ran the previous step, or -1. */
    readonly current: number,
    /** Thread nodes: threads asleep on arrival (covered by earlier siblings). */
    readonly sleep: number,
    /** Thread nodes: preemptions before this decision. */
    readonly preemptions: number,
    /** The step this decision belongs to (a thread node starts it; a value node is inside it). */
    readonly step: number,
    /** Value nodes: how many values. */
    readonly options: number,
    readonly frozen: boolean,
  ) {}

  /** Would running `id` here preempt the current thread? */
  preempts(id: number): boolean {
    return this.current >= 0 && id !== this.current && has(this.enabled, this.current);
  }

  /** The threads a preemption bound (null: none) allows here. */
  allowed(bound: number | null): number {
    return allowedThreads(this.enabled, this.current, this.preemptions, bound);
  }
}

/**
 * The threads that may run without exceeding a preemption bound (null: none): once the bound
 * is reached, only the current thread, unless it cannot run (then switching is no preemption).
 */
export function allowedThreads(
  enabled: number,
  current: number,
  preemptions: number,
  bound: number | null,
): number {
  if (bound === null || preemptions < bound) return enabled;
  return current >= 0 && has(enabled, current) ? bit(current) : enabled;
}

/** The order alternatives are tried in at a thread node: the default choice first, then by id. */
export function alternatives(avail: number, current: number): number[] {
  const out: number[] = [];
  if (current >= 0 && has(avail, current)) out.push(current);
  for (let m = avail; m !== 0; m &= m - 1) {
    const id = lowest(m);
    if (id !== current) out.push(id);
  }
  return out;
}

export class Path {
  readonly nodes: Node[] = [];

  get length(): number {
    return this.nodes.length;
  }

  /**
   * Move to the next alternative: the deepest node with one left is switched to it and the path
   * is cut below it. Returns that node's index, or -1 when the (unfrozen) tree is exhausted.
   */
  next(bound: number | null): number {
    const nodes = this.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      if (n.frozen) return -1;
      if (advance(n, bound)) {
        nodes.length = i + 1;
        return i;
      }
    }
    return -1;
  }
}

function advance(n: Node, bound: number | null): boolean {
  if (n.kind === NodeKind.Value) {
    if (n.chosen + 1 >= n.options) return false;
    n.chosen++;
    return true;
  }
  n.done |= bit(n.chosen);
  const left = n.backtrack & n.enabled & n.allowed(bound) & ~n.done & ~n.sleep;
  if (left === 0) return false;
  n.chosen = lowest(left);
  return true;
}

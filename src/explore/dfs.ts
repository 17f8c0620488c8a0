/**
 * Plain exhaustive depth-first search over every decision of a program: each run follows a
 * prefix of choices (indices into the options at each decision) and then takes the first option;
 * the next run bumps the deepest decision that has an untried option. Stateless, no reduction:
 * the baseline that smarter strategies are checked against.
 */
import type { Chooser, ThreadDecision } from '../sim/chooser.js';
import { runProgram, type Program } from '../sim/program.js';
import type { RunResult } from '../sim/machine.js';

class PrefixChooser implements Chooser {
  readonly taken: number[] = [];
  readonly options: number[] = [];
  constructor(private readonly prefix: readonly number[]) {}

  private next(n: number): number {
    const i = this.taken.length;
    const k = i < this.prefix.length ? this.prefix[i]! : 0;
    this.taken.push(k);
    this.options.push(n);
    return k;
  }

  pickThread(d: ThreadDecision): number {
    return d.enabled[this.next(d.count)]!;
  }

  pickValue(n: number): number {
    return this.next(n);
  }
}

export interface DfsOptions {
  /** Stop after this many executions (default: no limit). */
  readonly maxExecutions?: number;
  readonly maxSteps?: number;
  /** Called after every execution; return false to stop early. */
  readonly onExecution?: (r: RunResult) => boolean | void;
}

export interface DfsResult {
  readonly executions: number;
  /** True when every schedule was run. */
  readonly complete: boolean;
}

/** Run `p` once for every distinct sequence of decisions. */
export function exploreDfs(p: Program, opts: DfsOptions = {}): DfsResult {
  let prefix: number[] = [];
  let executions = 0;
  const limit = opts.maxExecutions ?? Infinity;
  for (;;) {
    const c = new PrefixChooser(prefix);
    const { result } = runProgram(p, {
      chooser: c,
      trace: false,
      ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    });
    executions++;
    if (opts.onExecution?.(result) === false) return { executions, complete: false };
    let i = c.taken.length - 1;
    while (i >= 0 && c.taken[i]! + 1 >= c.options[i]!) i--;
    if (i < 0) return { executions, complete: true };
    if (executions >= limit) return { executions, complete: false };
    prefix = c.taken.slice(0, i);
    prefix.push(c.taken[i]! + 1);
  }
}

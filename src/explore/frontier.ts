/**
 * Splitting a systematic search into independent tasks, the same way whatever the number of
 * workers or shards: the top of the tree is expanded breadth-first (every thread that can run,
 * minus sleeping ones; every value of a data choice) until there are enough subtrees, and each
 * subtree becomes a task. A task's prefix is frozen; below it the search runs on its own, so
 * tasks need no shared state, and their results combine in a fixed order.
 */
import type { Program } from '../sim/program.js';
import { execute } from './execute.js';
import { Path } from './path.js';
import { SearchRun, isStop, type ProbeInfo, type SearchMode } from './search-run.js';

/** Expand until there are at least this many subtrees (enough to keep 16 workers busy). */
export const TARGET_TASKS = 64;
/** ... or the prefixes are this long. */
const MAX_DEPTH = 24;

/** What the node below `prefix` offers, found by running the prefix once. */
export function probe(
  p: Program,
  prefix: readonly number[],
  mode: SearchMode,
  maxSteps?: number,
): ProbeInfo {
  const run = new SearchRun(new Path(), prefix, mode, null, Infinity, true);
  execute(p, run, maxSteps, isStop);
  return run.probe;
}

/** The task prefixes of a search, in the order their results combine. */
export function frontier(
  p: Program,
  mode: SearchMode,
  maxSteps?: number,
  target = TARGET_TASKS,
): number[][] {
  let level: number[][] = [[]];
  for (let depth = 0; level.length < target && depth < MAX_DEPTH; depth++) {
    const next: number[][] = [];
    let grew = false;
    for (const prefix of level) {
      const info: ProbeInfo =
        prefix.length === depth ? probe(p, prefix, mode, maxSteps) : { kind: 'end' };
      if (info.kind === 'end') next.push(prefix);
      else if (info.kind === 'node') {
        for (const alt of info.alternatives) next.push([...prefix, alt]);
        grew = true;
      }
    }
    level = next;
    if (!grew) break;
  }
  return level;
}

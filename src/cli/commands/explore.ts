/**
 * `gupsim explore FILE`: search interleavings for a failing execution, shrink it, and print it
 * with its trace and the command that replays it. `--all` explores the whole catalogue;
 * `--shard I/N` explores one share of the work and prints it as JSON for `gupsim merge`.
 */
import { describePct } from '../../explore/pct.js';
import type { Measured } from '../../explore/shrink.js';
import type { ExploreConfig, StrategyName } from '../../explore/types.js';
import type { Program } from '../../sim/program.js';
import { CliError, EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { exploreFile, type Report, type Settings, type Shard } from '../explore.js';
import { loadProgram } from '../load.js';
import { parseCount, parseSeed, parseSteps } from '../options.js';
import { printRun, verdictOf } from '../report.js';
import { bold, dim, green, out } from '../style.js';
import { exploreAll } from './start.js';
import {
  failureOf,
  resultObject,
  type FailurePart,
  type ReplayedFailure,
} from './explore-result.js';

export interface ExploreFlags {
  readonly strategy?: string;
  readonly preemptionBound?: string;
  readonly maxExecutions?: string;
  readonly timeout?: string;
  readonly seed?: string;
  readonly workers?: string;
  readonly shard?: string;
  readonly depth?: string;
  readonly schedule?: string;
  readonly maxSteps?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly progress?: boolean;
}

export const STRATEGIES: readonly StrategyName[] = ['dpor', 'dfs', 'pct', 'random', 'replay'];

export async function exploreCommand(
  file: string | undefined,
  flags: ExploreFlags,
): Promise<number> {
  if (flags.all === true) {
    if (file !== undefined) throw new CliError('give a FILE or --all, not both', 'GS220');
    if (flags.shard !== undefined)
      throw new CliError('--shard explores one FILE; it does not combine with --all', 'GS220');
    return exploreAll(settingsOf(flags), flags.json === true);
  }
  if (file === undefined)
    throw new CliError('explore needs a FILE (or --all for the catalogue)', 'GS220');
  const s = settingsOf(flags);
  const p = await loadProgram(file);
  const report = await exploreFile(file, p, s).catch((e: unknown) => {
    throw asUsageError(e);
  });
  const failure = failureOf(file, p, report);
  if (s.shard !== undefined)
    out(JSON.stringify(shardBlob(p, report, failure?.part ?? null, s.shard), null, 2));
  else if (flags.json === true)
    out(JSON.stringify(resultObject(p.name, report.exploration, failure?.part ?? null), null, 2));
  else printReport(file, p, report, failure);
  return report.exploration.failure !== undefined ? EXIT_FAIL : EXIT_PASS;
}

/** The explorer settings the flags ask for. */
export function settingsOf(flags: ExploreFlags): Settings {
  const strategy = parseStrategy(flags.strategy);
  const bound = parseBound(flags.preemptionBound);
  const maxSteps = parseSteps(flags.maxSteps);
  const timeout = parseTimeout(flags.timeout);
  const shard = parseShard(flags.shard);
  if (strategy === 'replay' && flags.schedule === undefined) {
    throw new CliError('--strategy replay needs --schedule S', 'GS221');
  }
  const config: ExploreConfig = {
    strategy,
    maxExecutions:
      parseCount('--max-executions', flags.maxExecutions) ?? defaultExecutions(strategy),
    seed: flags.seed !== undefined ? parseSeed(flags.seed) : 0,
    ...(bound !== undefined ? { preemptionBound: bound } : {}),
    ...(flags.depth !== undefined ? { pctDepth: parseCount('--depth', flags.depth)! } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
  };
  return {
    config,
    workers: parseWorkers(flags.workers),
    progress: flags.progress !== false && process.stderr.isTTY === true,
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    ...(shard !== undefined ? { shard } : {}),
  };
}

function defaultExecutions(s: StrategyName): number {
  return s === 'dpor' || s === 'dfs' ? 1_000_000 : s === 'replay' ? 1 : 10_000;
}

function parseStrategy(s: string | undefined): StrategyName {
  const strategy = (s ?? 'dpor') as StrategyName;
  if (!STRATEGIES.includes(strategy)) {
    throw new CliError(`--strategy '${s}' is not one of: ${STRATEGIES.join(', ')}`, 'GS212');
  }
  return strategy;
}

function parseBound(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) > 1000) {
    throw new CliError(`--preemption-bound '${s}' is not an integer from 0 to 1000`, 'GS213');
  }
  return Number(s);
}

function parseTimeout(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(s) || Number(s) <= 0) {
    throw new CliError(`--timeout '${s}' is not a positive number of seconds`, 'GS214');
  }
  return Number(s);
}

function parseWorkers(s: string | undefined): number | 'auto' {
  if (s === undefined || s === 'auto') return 'auto';
  return parseCount('--workers', s)!;
}

function parseShard(s: string | undefined): Shard | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) {
    throw new CliError(`--shard '${s}' is not I/N with 1 <= I <= N (e.g. --shard 2/3)`, 'GS215');
  }
  return { index, count };
}

/** What `--shard` prints: this shard's result object and its per-task results, for merge. */
function shardBlob(p: Program, r: Report, f: FailurePart | null, shard: Shard): object {
  return {
    ...resultObject(p.name, r.exploration, f),
    shard: {
      index: shard.index,
      count: shard.count,
      failure: f,
      plan: { ...r.plan, tasks: r.plan.tasks.length },
      results: r.taskIndices.map((task) => {
        const t = r.results[task];
        if (t === undefined) return { task };
        const { failure, ...rest } = t;
        return {
          task,
          ...rest,
          ...(failure !== undefined
            ? { failure: { execution: failure.execution, signature: failure.signature } }
            : {}),
        };
      }),
    },
  };
}

function scope(r: Report): string {
  const ex = r.exploration;
  const runs = `${ex.executions} executions`;
  if (!ex.complete) return `${runs} (not exhaustive)`;
  const bound =
    ex.preemptionBound !== undefined ? ` with at most ${ex.preemptionBound} preemptions` : '';
  return `every interleaving${bound}: ${runs}, ${ex.redundant} cut short by sleep sets`;
}

function how(r: Report): string {
  const w = r.workersUsed === 0 ? 'in this thread' : `${r.workersUsed} workers`;
  return dim(
    `strategy ${r.exploration.strategy}, ${r.exploration.tasks} tasks, ${w}, ${r.seconds.toFixed(1)} s`,
  );
}

function printReport(file: string, p: Program, r: Report, f: ReplayedFailure | undefined): void {
  const ex = r.exploration;
  if (f === undefined) {
    out(`${bold(p.name)}: ${green('PASS')} in ${scope(r)}`);
    out(`  ${how(r)}`);
  } else {
    const c = r.counterexample!;
    out(`found a failing execution after ${ex.executions} executions (strategy ${ex.strategy})`);
    const size = (m: Measured): string =>
      `${plural(m.preemptions, 'preemption')}, ${plural(m.steps, 'step')}`;
    out(dim(`shrunk from ${size(c.found)} to ${size(c.shrunk)} (${plural(c.runs, 'replay')})`));
    out(f.trace);
    out();
    printRun(file, p, f.run.result, verdictOf(p, f.run.result));
    out(`  ${how(r)}`);
  }
  if (ex.pct !== undefined) out(dim(`  ${describePct(ex.pct, ex.executions)}`));
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Explorer errors that are the user's input, not a bug: a schedule that does not fit, a bad setting. */
export function asUsageError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  const ours = [
    'ScheduleMismatchError',
    'ScheduleSyntaxError',
    'ExploreConfigError',
    'NondeterminismError',
  ];
  return ours.includes(e.name) && typeof code === 'string' ? new CliError(e.message, code) : e;
}

/**
 * One oracle run: for each scenario, run it in gupsim, reproduce it on the host (in gupsim's
 * order of whole steps), compare. Every skip says why. The host is prepared inside one
 * CleanupRegistry for the run (mounts, swap) and one per scenario (hugetlb pages, THP knobs),
 * and everything is undone when they end, whatever the reproducers did.
 */
import { readFileSync } from 'node:fs';
import { ScenarioError, type ScenarioSpec } from '../../scenario/index.js';
import {
  probeHost,
  whyNot,
  withCleanup,
  type CleanupRegistry,
  type HostProbe,
} from '../host/index.js';
import {
  generateRepro,
  refusalsOf,
  ReproRefused,
  type Repro,
  type StepOrder,
} from '../repro/index.js';
import { compareSides, type Difference } from './compare.js';
import { HostEnvironment, type Skip } from './environment.js';
import { runInGupsim, type GupsimOutcome, type GupsimSide } from './gupsim.js';
import { runOnHost, type HostEnd, type HostRun } from './host.js';
import { knownFor, type KnownDivergence } from './known.js';
import { loadSpec } from './spec.js';

export type OracleVerdict = 'agree' | 'disagree' | 'known' | 'skip' | 'error';

export interface ScenarioOutcome {
  readonly file: string;
  readonly id: string;
  readonly verdict: OracleVerdict;
  /** Why it was skipped, or what went wrong. */
  readonly reason?: string;
  /** gupsim's column: `pass 3/3`, `fail 2/3`, or why it did not run. */
  readonly gupsim: string;
  /** The host's column: `3/3 expectations held`, a skip reason, `crashed`... */
  readonly host: string;
  readonly differences: readonly Difference[];
  readonly unobservable: readonly string[];
  readonly known?: KnownDivergence;
  /** The host ran it and every expectation held. */
  readonly hostPassed?: boolean;
  /** How the reproducer ended, when it was built. */
  readonly hostEnd?: HostEnd;
  /** What the reproducer printed, for failures. */
  readonly transcript?: string;
  /** The scenario file itself is bad (a usage error of the command). */
  readonly inputError?: boolean;
}

export interface OracleOptions {
  readonly files: readonly string[];
  readonly known: readonly KnownDivergence[];
  readonly timeoutMs?: number;
  readonly schedule?: string;
  readonly probe?: HostProbe;
  /** Called before each scenario (for a progress bar). */
  readonly onStart?: (index: number, total: number, file: string) => void;
}

function gupsimColumn(g: GupsimOutcome): string {
  if ('unavailable' in g) return 'did not run';
  const ok = g.expectations.filter((e) => e.ok).length;
  return `${g.verdict} ${ok}/${g.expectations.length}`;
}

function hostColumn(h: HostRun | undefined, skip: string | undefined): string {
  if (h !== undefined) return h.end === 'passed' || h.end === 'failed' ? h.summary : h.end;
  return skip === undefined ? '-' : 'skipped';
}

interface Sides {
  readonly spec: ScenarioSpec;
  readonly gupsim: GupsimOutcome;
}

function orderFor(sides: Sides, schedule: string | undefined): StepOrder | undefined | Skip {
  const g = sides.gupsim;
  if ('unavailable' in g) {
    if (schedule !== undefined)
      return {
        skip: `the order of --schedule comes from gupsim, which could not run it: ${g.unavailable}`,
      };
    return undefined; // the default schedule's order, computed without the model
  }
  if ('problem' in g.order)
    return { skip: `the host cannot follow this schedule: ${g.order.problem}` };
  return g.order;
}

function refusalReason(e: ReproRefused): string {
  const first = e.refusals[0]!;
  if (first.what === 'kernel.quirks') return `quirks switched on: ${first.reason}`;
  const more = e.refusals.length > 1 ? ` (and ${e.refusals.length - 1} more)` : '';
  return `refused step ${first.what} (line ${first.pos.line}): ${first.reason}${more}`;
}

function reproOf(sides: Sides, schedule: string | undefined): Repro | Skip {
  // A step without a door is the reason, whatever the order: name it first.
  const refusals = refusalsOf(sides.spec);
  if (refusals.length > 0) return { skip: refusalReason(new ReproRefused(refusals)) };
  const order = orderFor(sides, schedule);
  if (order !== undefined && 'skip' in order) return order;
  try {
    return generateRepro(sides.spec, {
      ...(order !== undefined ? { order } : {}),
      command: `gupsim oracle ${sides.spec.file}`,
    });
  } catch (e) {
    if (e instanceof ReproRefused) return { skip: refusalReason(e) };
    throw e;
  }
}

function hostSkip(probe: HostProbe): string | undefined {
  const why = whyNot(probe, 'linux', 'cc', 'kernel-6.18');
  if (why === undefined) return undefined;
  return probe.missing['kernel-6.18'] === why
    ? `host kernel older than the modelled baseline: ${why}`
    : why;
}

/** Prepares what the scenario needs; a need the host cannot meet is a skip. */
function prepare(
  env: HostEnvironment,
  c: CleanupRegistry,
  repro: Repro,
  probe: HostProbe,
): Record<string, string> | Skip {
  const needs = repro.needs;
  if (needs.ioUring) {
    const why = whyNot(probe, 'io_uring');
    if (why !== undefined) return { skip: `host lacks io_uring: ${why}` };
  }
  if (needs.swap) {
    const s = env.ensureSwap();
    if (s !== undefined) return s;
  }
  for (const h of needs.hugetlb) {
    const s = env.ensureHugetlb(c, h.size, h.pages);
    if (s !== undefined) return s;
  }
  const thp = env.ensureThp(c, needs.thp);
  if (thp !== undefined) return thp;
  return env.fsEnv(needs);
}

function verdictOf(
  spec: ScenarioSpec,
  g: GupsimOutcome,
  h: HostRun,
  known: readonly KnownDivergence[],
): Pick<ScenarioOutcome, 'verdict' | 'reason' | 'differences' | 'unobservable' | 'known'> {
  const none = { differences: [], unobservable: [] };
  if (h.end === 'skipped') return { verdict: 'skip', reason: `host: ${h.summary}`, ...none };
  if (h.end !== 'passed' && h.end !== 'failed')
    return { verdict: 'error', reason: `the reproducer ${h.end}: ${h.summary}`, ...none };
  if ('unavailable' in g) {
    const verdict = g.modelBug === true ? 'error' : 'skip';
    return { verdict, reason: `gupsim: ${g.unavailable}`, ...none };
  }
  const c = compareSides(spec, g as GupsimSide, h);
  if (c.differences.length === 0) return { verdict: 'agree', ...c };
  const k = knownFor(known, spec.id, c.differences);
  return k === undefined
    ? { verdict: 'disagree', ...c }
    : { verdict: 'known', known: k, reason: k.reason, ...c };
}

interface RunCx {
  readonly env: HostEnvironment;
  readonly probe: HostProbe;
  readonly o: OracleOptions;
}

async function oneScenario(cx: RunCx, file: string): Promise<ScenarioOutcome> {
  const text = readFileSync(file, 'utf8');
  const spec = loadSpec(file, text);
  const gupsim = runInGupsim(spec, text, cx.o.schedule);
  const base = {
    file,
    id: spec.id,
    gupsim: gupsimColumn(gupsim),
    differences: [],
    unobservable: [],
  };
  if ('unavailable' in gupsim && gupsim.inputError === true)
    return {
      ...base,
      verdict: 'error',
      reason: `gupsim: ${gupsim.unavailable}`,
      host: '-',
      inputError: true,
    };
  const repro = reproOf({ spec, gupsim }, cx.o.schedule);
  const skip = 'skip' in repro ? repro.skip : hostSkip(cx.probe);
  if (skip !== undefined) return { ...base, verdict: 'skip', reason: skip, host: 'skipped' };
  return withCleanup(async (c) => {
    const env = prepare(cx.env, c, repro as Repro, cx.probe);
    if ('skip' in env)
      return { ...base, verdict: 'skip', reason: `host: ${String(env.skip)}`, host: 'skipped' };
    const h = await runOnHost(c, {
      name: spec.id.replace(/[^\w-]/g, '_'),
      source: (repro as Repro).source,
      env,
      timeoutMs: cx.o.timeoutMs ?? 60_000,
    });
    const v = verdictOf(spec, gupsim, h, cx.o.known);
    return {
      ...base,
      ...v,
      host: hostColumn(h, undefined),
      hostPassed: h.end === 'passed',
      hostEnd: h.end,
      ...(v.verdict === 'agree' ? {} : { transcript: h.transcript }),
    };
  });
}

function errorOutcome(file: string, e: Error): ScenarioOutcome {
  const input = e instanceof ScenarioError;
  const none = { gupsim: '-', host: '-', differences: [], unobservable: [] };
  return {
    file,
    id: file,
    verdict: 'error',
    reason: e.message,
    ...none,
    ...(input ? { inputError: true } : {}),
  };
}

/** Runs every scenario of `o.files` through both sides, one at a time. */
export async function runOracle(o: OracleOptions): Promise<ScenarioOutcome[]> {
  const probe = o.probe ?? probeHost();
  return withCleanup(async (c) => {
    const cx: RunCx = { env: new HostEnvironment(c, probe), probe, o };
    const outcomes: ScenarioOutcome[] = [];
    for (const [i, file] of o.files.entries()) {
      o.onStart?.(i, o.files.length, file);
      try {
        outcomes.push(await oneScenario(cx, file));
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        outcomes.push(errorOutcome(file, e));
      }
    }
    return outcomes;
  });
}

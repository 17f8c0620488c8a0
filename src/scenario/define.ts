/**
 * TypeScript scenarios: the power of a YAML scenario from code, for what YAML cannot say.
 *
 *   export default defineScenario({
 *     scenario: 'two-lockers',
 *     description: 'A reader and a writer of one mmap_lock',
 *     threads: {
 *       reader: { *body(ctx) { yield* ctx.step(mmap_read_lock, {}); ... } },
 *       writer: { *body(ctx) { yield* ctx.wait('read'); ... } },
 *     },
 *   });
 *
 * The machine, quirks, processes, tags and end expectation are checked exactly as the loader
 * checks a file (same rules, same error codes); each thread body is a generator that calls the
 * kernel surface directly (`yield* down_read(ctx.process.mm!.mmap_lock)`) or runs operations of
 * the format as typed steps (`yield* ctx.step(op, args, { as: 'p' })`).
 */
import type { Sched } from '../sim/thread.js';
import { ScenarioError } from './errors.js';
import { compileScenario, type ThreadBody } from './interp/compile.js';
import { loadModelScenario } from './interp/load.js';
import type { ScenarioProgram } from './interp/program.js';
import { tsContext, type ScenarioThreadContext } from './interp/ts-context.js';

/** A size: bytes, or a string with a unit (`'64MiB'`). */
export type SizeInput = number | string;

export interface ScenarioMachineInput {
  readonly memory?: SizeInput;
  readonly movable?: SizeInput;
  readonly cma?: SizeInput;
  readonly thp?:
    'never' | 'madvise' | 'always' | Readonly<Record<string, 'never' | 'madvise' | 'always'>>;
  readonly hugetlb?: Readonly<Record<string, number>>;
  readonly swap?: SizeInput;
}

export interface ScenarioThreadInput {
  /** The process it runs in (default: the first process). */
  readonly process?: string;
  body(ctx: ScenarioThreadContext): Sched<void>;
}

export interface ScenarioInput {
  readonly scenario: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly kernel?: { readonly quirks?: readonly string[] };
  readonly machine?: ScenarioMachineInput;
  readonly processes?: readonly string[];
  readonly threads: Readonly<Record<string, ScenarioThreadInput>>;
  readonly expect?: {
    readonly violations?: 'none' | 'any' | readonly string[];
    readonly explore?: 'pass' | 'fail';
  };
}

/** The document the loader checks: the scenario with every thread's steps empty. */
function documentOf(s: ScenarioInput): string {
  const threads = Object.fromEntries(
    Object.entries(s.threads).map(([name, t]) => [
      name,
      { ...(t.process !== undefined ? { process: t.process } : {}), steps: [] },
    ]),
  );
  const { description, tags, kernel, machine, processes, expect } = s;
  return JSON.stringify({
    scenario: s.scenario,
    description,
    tags,
    kernel,
    machine,
    processes,
    threads,
    expect,
  });
}

/** A Program from a scenario written in TypeScript. Throws Error for invalid settings. */
export function defineScenario(s: ScenarioInput): ScenarioProgram {
  const file = `${s.scenario} (TypeScript)`;
  let spec;
  try {
    spec = loadModelScenario(file, documentOf(s));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const hint = e.hint === null ? '' : `; ${e.hint}`;
    throw new Error(
      `scenario '${s.scenario}': ${e.code} ${e.problem}${hint} (accepted: ${e.accepted})`,
    );
  }
  const bodies = new Map<string, ThreadBody>(
    Object.entries(s.threads).map(([name, t]) => [name, (tr) => t.body(tsContext(tr, file))]),
  );
  return compileScenario(spec, { bodies });
}

export type { ScenarioThreadContext, BindOptions, StepOptions } from './interp/ts-context.js';
export { arg, type StepArgs } from './interp/ts-args.js';

/**
 * `gupsim repro FILE [--schedule S] [-o OUT.c]`: the scenario as a standalone C program that
 * does it on the real kernel, its steps in the order gupsim ran them. A step without an exact
 * user-space door is refused by name, with its line and why (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ScenarioError, type ScenarioSpec } from '../../scenario/index.js';
import { CliError, EXIT_PASS } from '../errors.js';
import { scenarioInputError } from '../load.js';
import { runInGupsim, ScheduleMismatchError, ScheduleSyntaxError } from '../oracle/gupsim.js';
import { loadSpec } from '../oracle/spec.js';
import { generateRepro, ReproRefused, type StepOrder } from '../repro/index.js';
import { err, out } from '../style.js';

export interface ReproFlags {
  readonly schedule?: string;
  readonly output?: string;
}

function readSpec(file: string): { spec: ScenarioSpec; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`, 'GS201');
  }
  try {
    return { spec: loadSpec(file, text), text };
  } catch (e) {
    if (e instanceof ScenarioError) throw scenarioInputError(e);
    throw e;
  }
}

/**
 * The order gupsim ran the steps in under `schedule`. Without a schedule, when the model cannot
 * run the scenario yet, undefined: the default schedule's order, computed without the model.
 */
function orderOf(
  spec: ScenarioSpec,
  text: string,
  schedule: string | undefined,
): StepOrder | undefined {
  let g;
  try {
    g = runInGupsim(spec, text, schedule);
  } catch (e) {
    if (e instanceof ScheduleSyntaxError || e instanceof ScheduleMismatchError)
      throw new CliError(`--schedule: ${e.message}`, e.code);
    throw e;
  }
  if ('unavailable' in g) {
    if (schedule === undefined) {
      if (g.modelBug === true)
        err(`gupsim: ${g.unavailable}; the steps follow the default schedule`);
      return undefined;
    }
    throw new CliError(
      `--schedule: the order of a schedule comes from running the scenario in gupsim, which cannot run it: ${g.unavailable}`,
      'GS241',
    );
  }
  if ('problem' in g.order) throw new CliError(`--schedule: ${g.order.problem}`, 'GS241');
  return g.order;
}

export async function reproCommand(file: string, flags: ReproFlags): Promise<number> {
  const { spec, text } = readSpec(file);
  const order = orderOf(spec, text, flags.schedule);
  const command = `gupsim repro ${file}${flags.schedule !== undefined ? ` --schedule ${flags.schedule}` : ''}`;
  let source: string;
  try {
    source = generateRepro(spec, { ...(order !== undefined ? { order } : {}), command }).source;
  } catch (e) {
    if (!(e instanceof ReproRefused)) throw e;
    const n = e.refusals.length;
    throw new CliError(
      `${e.message}\n${file}: ${n} step${n === 1 ? '' : 's'} without an exact user-space door (docs/oracle.md): no reproducer`,
      'GS240',
      2,
      true,
    );
  }
  if (flags.output === undefined) out(source.trimEnd());
  else {
    writeFileSync(flags.output, source);
    err(`wrote ${flags.output}: cc -O2 -Wall -Werror -o repro ${flags.output} -lpthread`);
  }
  return EXIT_PASS;
}

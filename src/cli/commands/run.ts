/** `gupsim run FILE`: one execution, under the default, a seeded random, or a given schedule. */
import { DefaultChooser, RandomChooser, type Chooser } from '../../sim/chooser.js';
import type { Machine, RunResult } from '../../sim/machine.js';
import { runProgram, type Program } from '../../sim/program.js';
import { renderTraceText } from '../../sim/render.js';
import { EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { loadProgram, scenarioInputError } from '../load.js';
import { parseSeed, parseSteps, replaying, scheduleChooser } from '../options.js';
import { printRun, resultJson, runtimeErrorOf, verdictOf } from '../report.js';
import { out } from '../style.js';

export interface RunFlags {
  readonly schedule?: string;
  readonly seed?: string;
  readonly json?: boolean;
  readonly trace?: boolean;
  readonly maxSteps?: string;
}

export interface Execution {
  readonly p: Program;
  readonly machine: Machine;
  readonly result: RunResult;
}

/** Load FILE and run it once with the trace on, as --schedule / --seed / --max-steps say. */
export async function executeOnce(
  file: string,
  flags: Pick<RunFlags, 'schedule' | 'seed' | 'maxSteps'>,
): Promise<Execution> {
  const p = await loadProgram(file);
  let chooser: Chooser = new DefaultChooser();
  if (flags.seed !== undefined) chooser = new RandomChooser(parseSeed(flags.seed));
  if (flags.schedule !== undefined) chooser = scheduleChooser(flags.schedule, chooser);
  const maxSteps = parseSteps(flags.maxSteps);
  const { machine, result } = replaying(() =>
    runProgram(p, { chooser, trace: true, ...(maxSteps !== undefined ? { maxSteps } : {}) }),
  );
  return { p, machine, result };
}

/** A runtime input error of a scenario is an input error: exit 2 with its position. */
export function throwIfInputError(e: Execution): void {
  const error = runtimeErrorOf(e.p, e.result);
  if (error !== null) throw scenarioInputError(error);
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const e = await executeOnce(file, flags);
  throwIfInputError(e);
  const { p, machine, result } = e;
  const v = verdictOf(p, result);
  if (flags.json === true) {
    out(JSON.stringify(resultJson(p, result, v), null, 2));
  } else {
    if (flags.trace === true) {
      out(
        renderTraceText(
          result.trace,
          machine.threads.map((t) => t.name),
        ),
      );
      out();
    }
    printRun(file, p, result, v);
  }
  return v.pass ? EXIT_PASS : EXIT_FAIL;
}

/** `gupsim run FILE`: one execution, under the default, a seeded random, or a given schedule. */
import { DefaultChooser, RandomChooser, type Chooser } from '../../sim/chooser.js';
import { runProgram } from '../../sim/program.js';
import { renderTraceText } from '../../sim/render.js';
import { EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { loadProgram } from '../load.js';
import { parseSeed, parseSteps, replaying, scheduleChooser } from '../options.js';
import { printRun, resultJson, verdictOf } from '../report.js';
import { out } from '../style.js';

export interface RunFlags {
  readonly schedule?: string;
  readonly seed?: string;
  readonly json?: boolean;
  readonly trace?: boolean;
  readonly maxSteps?: string;
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const p = await loadProgram(file);
  let chooser: Chooser = new DefaultChooser();
  if (flags.seed !== undefined) chooser = new RandomChooser(parseSeed(flags.seed));
  if (flags.schedule !== undefined) chooser = scheduleChooser(flags.schedule, chooser);
  const maxSteps = parseSteps(flags.maxSteps);
  const { machine, result } = replaying(() =>
    runProgram(p, { chooser, trace: true, ...(maxSteps !== undefined ? { maxSteps } : {}) }),
  );
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

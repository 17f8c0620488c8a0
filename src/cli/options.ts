/** Parsing option values, with usage errors that say what is accepted. */
import { ReplayChooser, ScheduleMismatchError, type Chooser } from '../sim/chooser.js';
import { decodeSchedule, ScheduleSyntaxError } from '../sim/schedule.js';
import { CliError } from './errors.js';

export function parseSeed(s: string): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s))
    throw new CliError(`--seed '${s}' is not a non-negative integer`, 'GS210');
  return Number(s) >>> 0;
}

export function parseCount(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < 1)
    throw new CliError(`${name} '${s}' is not a positive integer`, 'GS211');
  return Number(s);
}

export function parseSteps(s: string | undefined): number | undefined {
  return parseCount('--max-steps', s);
}

/** A replay chooser for `--schedule`, continuing with `then` after the schedule ends. */
export function scheduleChooser(text: string, then: Chooser): Chooser {
  try {
    return new ReplayChooser(decodeSchedule(text), then);
  } catch (e) {
    if (e instanceof ScheduleSyntaxError) throw new CliError(`--schedule: ${e.message}`, e.code);
    throw e;
  }
}

/** Run `f`, turning a schedule that does not fit the program into a usage error. */
export function replaying<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ScheduleMismatchError) throw new CliError(`--schedule: ${e.message}`, e.code);
    throw e;
  }
}

/** `gupsim trace FILE`: the full trace of one execution, as text, JSON or Perfetto JSON. */
import { writeFileSync } from 'node:fs';
import { renderTraceText, traceJson } from '../../sim/render.js';
import { toChromeTrace } from '../../trace/perfetto.js';
import { CliError, EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { verdictOf } from '../report.js';
import { out } from '../style.js';
import { executeOnce, throwIfInputError } from './run.js';

export interface TraceFlags {
  readonly schedule?: string;
  readonly seed?: string;
  readonly format?: string;
  readonly output?: string;
}

const FORMATS = ['text', 'json', 'perfetto'] as const;
type Format = (typeof FORMATS)[number];

export async function traceCommand(file: string, flags: TraceFlags): Promise<number> {
  const format = (flags.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    throw new CliError(`--format '${flags.format}' is not one of: ${FORMATS.join(', ')}`, 'GS213');
  }
  const e = await executeOnce(file, flags);
  throwIfInputError(e);
  const { p, machine, result } = e;
  const names = machine.threads.map((t) => t.name);
  let text: string;
  if (format === 'text') text = renderTraceText(result.trace, names);
  else if (format === 'json') text = JSON.stringify(traceJson(p.name, result, names), null, 1);
  else
    text = JSON.stringify(
      toChromeTrace(result.trace, names, { program: p.name, schedule: result.schedule }),
    );
  if (flags.output !== undefined) {
    try {
      writeFileSync(flags.output, `${text}\n`);
    } catch (err) {
      throw new CliError(
        `-o ${flags.output}: ${err instanceof Error ? err.message : String(err)}`,
        'GS214',
      );
    }
  } else out(text);
  return verdictOf(p, result).pass ? EXIT_PASS : EXIT_FAIL;
}

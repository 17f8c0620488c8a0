/**
 * `gupsim oracle FILE|DIR... [--json]`: each scenario run in gupsim and reproduced on the host,
 * compared expectation by expectation and value by value. Exit 0 when every comparable scenario
 * agrees, 1 on a disagreement or a reproducer that broke, 2 on usage errors.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { CliError } from '../errors.js';
import { SCENARIO_EXTS } from '../load.js';
import { loadKnown } from '../oracle/known.js';
import {
  details,
  exitStatus,
  oracleJson,
  summarize,
  summaryLine,
  table,
} from '../oracle/report.js';
import { runOracle } from '../oracle/run.js';
import { parseCount } from '../options.js';
import { out } from '../style.js';

export interface OracleFlags {
  readonly json?: boolean;
  readonly schedule?: string;
  readonly timeout?: string;
  readonly known?: string;
}

function scenariosIn(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...scenariosIn(path));
    else if (SCENARIO_EXTS.has(name.slice(name.lastIndexOf('.')))) found.push(path);
  }
  return found;
}

/**
 * The scenario files named: files as they are, directories searched for .yaml/.yml/.json. A file
 * named twice (a directory and one inside it) is run once, where it first appears.
 */
export function scenarioFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    const key = resolve(f);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(f);
  };
  for (const a of args) {
    if (!existsSync(a)) throw new CliError(`${a}: no such file or directory`, 'GS201');
    if (statSync(a).isDirectory()) scenariosIn(a).forEach(add);
    else add(a);
  }
  if (files.length === 0) throw new CliError(`no scenario files in ${args.join(', ')}`, 'GS201');
  return files;
}

function progressBar(enabled: boolean): cliProgress.SingleBar | null {
  if (!enabled) return null;
  return new cliProgress.SingleBar(
    {
      format: 'oracle {bar} {value}/{total} {scenario}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
}

export async function oracleCommand(args: readonly string[], flags: OracleFlags): Promise<number> {
  const files = scenarioFiles(args);
  const timeout = parseCount('--timeout', flags.timeout);
  const known = loadKnown(flags.known);
  const bar = progressBar(process.stderr.isTTY === true && flags.json !== true);
  bar?.start(files.length, 0, { scenario: '' });
  const outcomes = await runOracle({
    files,
    known,
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    ...(flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
    onStart: (i, _n, file) => bar?.update(i, { scenario: file }),
  });
  bar?.update(files.length, { scenario: '' });
  bar?.stop();
  if (flags.json === true) out(JSON.stringify(oracleJson(outcomes), null, 2));
  else {
    for (const line of [...table(outcomes), ...details(outcomes)]) out(line);
    out('');
    out(`oracle: ${summaryLine(summarize(outcomes))}`);
  }
  return exitStatus(outcomes);
}

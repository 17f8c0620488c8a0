/**
 * `gupsim explore --all`, and `gupsim start` (what `npm start` runs): explore every catalogue
 * entry and print a table of scenario, expected and actual verdict, executions and time. Exits
 * 1 if any entry misbehaves: a `pass` entry with a failing execution, or a `fail` demonstration
 * whose failure was not found.
 */
import { join } from 'node:path';
import { catalogueFiles, PACKAGE_ROOT } from '../catalogue.js';
import { EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { exploreFile, type Settings } from '../explore.js';
import { loadProgram } from '../load.js';
import { bold, green, out, red } from '../style.js';
import { failureOf, resultObject } from './explore-result.js';

interface Row {
  readonly file: string;
  readonly name: string;
  readonly expected: string;
  readonly got: string;
  readonly executions: number;
  readonly complete: boolean;
  readonly ms: number;
  readonly ok: boolean;
  readonly replay: string;
  readonly result: object;
}

/** `gupsim start`: the catalogue under the default explorer settings. */
export function startCommand(): Promise<number> {
  const progress = process.stderr.isTTY === true;
  return exploreAll(
    { config: { strategy: 'dpor', maxExecutions: 1_000_000, seed: 0 }, workers: 'auto', progress },
    false,
  );
}

/** Explore every catalogue entry with the same settings; a table, or JSON with `json`. */
export async function exploreAll(s: Settings, json: boolean): Promise<number> {
  const rows: Row[] = [];
  for (const file of catalogueFiles()) rows.push(await exploreEntry(file, s));
  if (json)
    out(
      JSON.stringify(
        rows.map(({ file, expected, ok, result }) => ({ file, expected, ok, result })),
        null,
        2,
      ),
    );
  else printTable(rows, s.config.strategy);
  return rows.every((r) => r.ok) ? EXIT_PASS : EXIT_FAIL;
}

async function exploreEntry(file: string, s: Settings): Promise<Row> {
  const p = await loadProgram(join(PACKAGE_ROOT, file));
  const t0 = performance.now();
  const r = await exploreFile(join(PACKAGE_ROOT, file), p, s);
  const expected = p.expectation ?? 'pass';
  const f = failureOf(file, p, r);
  const got = f === undefined ? 'pass' : 'fail';
  return {
    file,
    name: p.name,
    expected,
    got,
    executions: r.exploration.executions,
    complete: r.exploration.complete,
    ms: performance.now() - t0,
    ok: expected === got,
    replay: f?.part.replay ?? '',
    result: resultObject(p.name, r.exploration, f?.part ?? null),
  };
}

function printTable(rows: readonly Row[], strategy: string): void {
  const w = Math.max(8, ...rows.map((r) => r.name.length));
  out(bold(`${'scenario'.padEnd(w)}  expected  verdict  executions      time`));
  for (const r of rows) {
    const verdict = (r.ok ? green : red)(r.got.padEnd(7));
    const runs = `${r.executions}${r.complete || r.got === 'fail' ? '' : '+'}`;
    out(
      `${r.name.padEnd(w)}  ${r.expected.padEnd(8)}  ${verdict}  ${runs.padStart(10)}  ${r.ms.toFixed(0).padStart(6)} ms`,
    );
    if (r.replay !== '') out(`${''.padEnd(w)}  counterexample: ${r.replay}`);
  }
  out(`strategy ${strategy}; + marks an exploration that stopped before covering its whole space`);
  const bad = rows.filter((r) => !r.ok).length;
  out(
    bad === 0
      ? green(`all ${rows.length} behaved as expected`)
      : red(`${bad} of ${rows.length} misbehaved`),
  );
}

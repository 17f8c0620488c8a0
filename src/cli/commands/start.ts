/**
 * `gupsim start` (what `npm start` runs): explore every catalogue entry and print a table of
 * scenario, expected and actual verdict, executions and time. Exits 1 if any entry misbehaves:
 * a `pass` entry with a failing execution, or a `fail` demonstration whose failure was not found.
 */
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { catalogueFiles, PACKAGE_ROOT } from '../catalogue.js';
import { EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { explore } from '../explore.js';
import { loadProgram } from '../load.js';
import { replayCommand } from '../report.js';
import { bold, green, out, red } from '../style.js';

interface Row {
  readonly name: string;
  readonly expected: string;
  readonly got: string;
  readonly executions: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly replay: string;
}

export async function startCommand(): Promise<number> {
  const files = catalogueFiles();
  const bar = new cliProgress.SingleBar(
    {
      format: 'exploring {bar} {value}/{total} {name}',
      noTTYOutput: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(files.length, 0, { name: '' });
  const rows: Row[] = [];
  for (const file of files) {
    const p = await loadProgram(join(PACKAGE_ROOT, file));
    bar.update({ name: p.name });
    const t0 = performance.now();
    const o = explore(p, { strategy: 'dfs', maxExecutions: 100_000, seed: 0 });
    const expected = p.expectation ?? 'pass';
    const got = o.failure === undefined ? 'pass' : 'fail';
    rows.push({
      name: p.name,
      expected,
      got,
      executions: o.executions,
      ms: performance.now() - t0,
      ok: expected === got,
      replay: o.failure !== undefined ? replayCommand(file, o.failure.schedule) : '',
    });
    bar.increment();
  }
  bar.stop();
  printTable(rows);
  return rows.every((r) => r.ok) ? EXIT_PASS : EXIT_FAIL;
}

function printTable(rows: readonly Row[]): void {
  const w = Math.max(8, ...rows.map((r) => r.name.length));
  out(bold(`${'scenario'.padEnd(w)}  expected  verdict  executions      time`));
  for (const r of rows) {
    const verdict = (r.ok ? green : red)(r.got.padEnd(7));
    out(
      `${r.name.padEnd(w)}  ${r.expected.padEnd(8)}  ${verdict}  ${String(r.executions).padStart(10)}  ${r.ms.toFixed(0).padStart(6)} ms`,
    );
    if (r.replay !== '') out(`${''.padEnd(w)}  counterexample: ${r.replay}`);
  }
  const bad = rows.filter((r) => !r.ok).length;
  out(
    bad === 0
      ? green(`all ${rows.length} behaved as expected`)
      : red(`${bad} of ${rows.length} misbehaved`),
  );
}

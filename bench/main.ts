/**
 * `npm run bench`: every benchmark, as a table (or JSON with --json). Speed lives here, never in
 * the tests. Figures measured on both sides (the model and the host kernel) are then printed
 * side by side with their ratio (bench/compare.ts).
 */
import { comparisonTable, fmt } from './compare.js';
import { runDioBench } from './dio.bench.js';
import { runEngineBench } from './engine.bench.js';
import { runGupBench } from './gup.bench.js';
import { runKernelMmBench } from './kernel-mm.bench.js';
import { runMigrateBench } from './migrate.bench.js';
import { runExploreBench, runExploreScalingBench } from './explore.bench.js';
import { runFilesBench } from './files.bench.js';
import { runMmBench } from './mm.bench.js';
import { runNativeBench } from './native.js';
import { meetsTarget, type BenchResult } from './result.js';

const suites: Record<string, () => BenchResult[] | Promise<BenchResult[]>> = {
  engine: runEngineBench,
  explore: runExploreBench,
  'explore-scaling': runExploreScalingBench,
  files: runFilesBench,
  dio: runDioBench,
  mm: runMmBench,
  gup: runGupBench,
  'kernel-mm': runKernelMmBench,
  migrate: runMigrateBench,
  native: runNativeBench,
};

function line(r: BenchResult): string {
  if (r.skipped !== undefined) return `${r.name.padEnd(52)} ${'skipped'.padStart(9)}: ${r.skipped}`;
  const ok = meetsTarget(r);
  const verdict = ok === undefined ? '' : ok ? '  meets target' : '  BELOW TARGET';
  const target =
    r.target !== undefined
      ? ` (target ${r.higherIsBetter === false ? '<=' : '>='} ${fmt(r.target)})`
      : '';
  const note = r.note !== undefined ? `  [${r.note}]` : '';
  return `${r.name.padEnd(52)} ${fmt(r.value).padStart(9)} ${r.unit}${target}${verdict}${note}`;
}

/** Suites that repeat part of another and run only when named. */
const SUBSETS = new Set(['explore-scaling']);

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (only.length > 0 ? !only.includes(name) : SUBSETS.has(name)) continue;
    results.push(...(await run()));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  for (const r of results) process.stdout.write(`${line(r)}\n`);
  const table = comparisonTable(results);
  if (table.length > 0) process.stdout.write(`\n${table.join('\n')}\n`);
}

await main();

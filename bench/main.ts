/**
 * `npm run bench`: every benchmark, as a table (or JSON with --json). Speed lives here, never in
 * the tests.
 */
import { runEngineBench } from './engine.bench.js';
import { meetsTarget, type BenchResult } from './result.js';

const suites: Record<string, () => BenchResult[]> = {
  engine: runEngineBench,
};

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n < 10 ? 2 : 1);
}

function main(): void {
  const json = process.argv.includes('--json');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (only.length > 0 && !only.includes(name)) continue;
    results.push(...run());
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    const ok = meetsTarget(r);
    const verdict = ok === undefined ? '' : ok ? '  meets target' : '  BELOW TARGET';
    const target =
      r.target !== undefined
        ? ` (target ${r.higherIsBetter === false ? '<=' : '>='} ${fmt(r.target)})`
        : '';
    process.stdout.write(
      `${r.name.padEnd(52)} ${fmt(r.value).padStart(9)} ${r.unit}${target}${verdict}\n`,
    );
  }
}

main();

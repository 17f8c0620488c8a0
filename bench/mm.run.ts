/** `npx tsx bench/mm.run.ts`: print the memory-model benchmark figures. */
import { runMmBench } from './mm.bench.js';

for (const r of runMmBench()) {
  const target =
    r.target !== undefined
      ? ` (target ${r.higherIsBetter === false ? '<=' : '>='} ${r.target})`
      : '';
  process.stdout.write(
    `${r.name.padEnd(44)} ${r.value.toFixed(r.value < 100 ? 2 : 0).padStart(12)} ${r.unit}${target}\n`,
  );
}

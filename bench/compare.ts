/**
 * gupsim beside the host kernel. A suite reports a figure with `compare: { key, side }`; the
 * native suite (bench/native.ts) fills the `host` side, a model suite the `gupsim` side. Figures
 * with the same key and unit are printed on one line with their ratio, gupsim / host (above 1:
 * the model is slower than the kernel it models). A side nobody measured shows `-`.
 */
import type { BenchResult } from './result.js';

export interface Comparison {
  readonly key: string;
  readonly unit: string;
  readonly gupsim?: number;
  readonly host?: number;
}

/** 1234567 -> `1.23M`, 1234 -> `1.2k`, 3.14159 -> `3.14`. */
export function fmt(n: number): string {
  if (Number.isNaN(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n < 10 ? 2 : 1);
}

/** gupsim / host, when both were measured. */
export function ratio(c: Comparison): number | undefined {
  return c.gupsim !== undefined && c.host !== undefined && c.host > 0
    ? c.gupsim / c.host
    : undefined;
}

/** Pairs the rows by key (in the order keys first appear); skipped rows count as unmeasured. */
export function pairFigures(results: readonly BenchResult[]): Comparison[] {
  const byKey = new Map<string, { key: string; unit: string; gupsim?: number; host?: number }>();
  for (const r of results) {
    if (r.compare === undefined) continue;
    const id = `${r.compare.key}\u0000${r.unit}`;
    const c = byKey.get(id) ?? { key: r.compare.key, unit: r.unit };
    if (r.skipped === undefined) c[r.compare.side] = r.value;
    byKey.set(id, c);
  }
  return [...byKey.values()];
}

const HEADER = `${'gupsim vs host'.padEnd(28)} ${'unit'.padEnd(14)} ${'gupsim'.padStart(9)} ${'host'.padStart(9)} ${'gupsim/host'.padStart(12)}`;

/** One line: key, unit, the gupsim figure, the host figure, their ratio. */
export function formatSideBySide(c: Comparison): string {
  const r = ratio(c);
  const cell = (v: number | undefined): string => (v === undefined ? '-' : fmt(v)).padStart(9);
  const ratioText = (r === undefined ? '-' : `${fmt(r)}x`).padStart(12);
  return `${c.key.padEnd(28)} ${c.unit.padEnd(14)} ${cell(c.gupsim)} ${cell(c.host)} ${ratioText}`;
}

/** The side-by-side table of every compared figure (no lines when nothing is compared). */
export function comparisonTable(results: readonly BenchResult[]): string[] {
  const pairs = pairFigures(results);
  return pairs.length === 0 ? [] : [HEADER, ...pairs.map(formatSideBySide)];
}

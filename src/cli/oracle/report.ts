/** Printing an oracle run: the table, both sides of each disagreement, every skip's reason. */
import type { OracleVerdict, ScenarioOutcome } from './run.js';

export interface OracleSummary {
  readonly agreed: number;
  readonly disagreed: number;
  readonly known: number;
  readonly skipped: number;
  readonly errors: number;
}

export function summarize(outcomes: readonly ScenarioOutcome[]): OracleSummary {
  const n = (v: OracleVerdict): number => outcomes.filter((o) => o.verdict === v).length;
  return {
    agreed: n('agree'),
    disagreed: n('disagree'),
    known: n('known'),
    skipped: n('skip'),
    errors: n('error'),
  };
}

/** `12 agreed, 0 disagreed, 1 known divergence, 3 skipped, 0 errors`. */
export function summaryLine(s: OracleSummary): string {
  const known = `${s.known} known divergence${s.known === 1 ? '' : 's'}`;
  const errors = `${s.errors} error${s.errors === 1 ? '' : 's'}`;
  return `${s.agreed} agreed, ${s.disagreed} disagreed, ${known}, ${s.skipped} skipped, ${errors}`;
}

const AGREE: Readonly<Record<OracleVerdict, string>> = {
  agree: 'yes',
  disagree: 'NO',
  known: 'known',
  skip: 'skip',
  error: 'ERROR',
};

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

/** The table: scenario, gupsim, host, agree. */
export function table(outcomes: readonly ScenarioOutcome[]): string[] {
  const w = Math.min(44, Math.max(8, ...outcomes.map((o) => o.id.length)));
  const rows = outcomes.map(
    (o) => `${pad(o.id, w)}  ${pad(o.gupsim, 12)}  ${pad(o.host, 28)}  ${AGREE[o.verdict]}`,
  );
  return [`${pad('scenario', w)}  ${pad('gupsim', 12)}  ${pad('host', 28)}  agree`, ...rows];
}

function tail(text: string, lines = 25): string[] {
  const all = text.trimEnd().split('\n');
  return all.length <= lines ? all : ['...', ...all.slice(-lines)];
}

/** The details after the table: disagreements (both sides), errors, known ones, skips. */
export function details(outcomes: readonly ScenarioOutcome[]): string[] {
  const out: string[] = [];
  for (const o of outcomes.filter((x) => x.verdict === 'disagree' || x.verdict === 'known')) {
    const head =
      o.verdict === 'known' ? `known divergence (${o.known?.kind}): ${o.reason}` : 'disagreement';
    out.push('', `${o.id} (${o.file}): ${head}`);
    for (const d of o.differences)
      out.push(`  ${d.what}`, `    gupsim: ${d.gupsim}`, `    host:   ${d.host}`);
  }
  for (const o of outcomes.filter((x) => x.verdict === 'error')) {
    out.push('', `${o.id} (${o.file}): ${o.reason ?? 'error'}`);
    if (o.transcript !== undefined) out.push(...tail(o.transcript).map((l) => `  | ${l}`));
  }
  const skips = outcomes.filter((x) => x.verdict === 'skip');
  if (skips.length > 0) out.push('', 'skipped:');
  for (const o of skips) out.push(`  ${o.id}: ${o.reason ?? ''}`);
  const unobserved = outcomes.filter((x) => x.unobservable.length > 0);
  for (const o of unobserved) {
    out.push('', `${o.id}: not observable on the host:`);
    for (const u of o.unobservable) out.push(`  ${u}`);
  }
  return out;
}

/** The exit status: 0 every comparable scenario agrees, 1 a disagreement or a broken reproducer. */
export function exitStatus(outcomes: readonly ScenarioOutcome[]): number {
  if (outcomes.some((o) => o.inputError === true)) return 2;
  return outcomes.some((o) => o.verdict === 'disagree' || o.verdict === 'error') ? 1 : 0;
}

export function oracleJson(outcomes: readonly ScenarioOutcome[]): object {
  return { format: 'gupsim-oracle', version: 1, summary: summarize(outcomes), scenarios: outcomes };
}

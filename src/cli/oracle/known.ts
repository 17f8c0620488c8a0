/**
 * Known divergences (oracle/known-divergences.yaml): scenarios on which gupsim and the host are
 * known to disagree, each with the reason. A listed disagreement is reported as `known`, not as a
 * failure; an entry that no longer disagrees is reported so that it can be removed.
 *
 *   - scenario: vmsplice-after-fork          # the scenario id
 *     kind: simplification                   # simplification | kernel-version | model-pending
 *     reason: the model ... (docs/...)       # why, with where it is documented
 *     differences: [expect main:7]           # optional: only differences starting so
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../catalogue.js';
import { CliError } from '../errors.js';
import type { Difference } from './compare.js';

export const KNOWN_KINDS = ['simplification', 'kernel-version', 'model-pending'] as const;
export type KnownKind = (typeof KNOWN_KINDS)[number];

export interface KnownDivergence {
  readonly scenario: string;
  readonly kind: KnownKind;
  readonly reason: string;
  readonly differences?: readonly string[];
}

export const KNOWN_FILE = join(PACKAGE_ROOT, 'oracle', 'known-divergences.yaml');

function entry(file: string, raw: unknown, i: number): KnownDivergence {
  const bad = (why: string): never => {
    throw new CliError(`${file}: entry ${i + 1}: ${why}`, 'GS230');
  };
  if (typeof raw !== 'object' || raw === null) return bad('not a map');
  const e = raw as Record<string, unknown>;
  if (typeof e['scenario'] !== 'string') bad('scenario: a scenario id is required');
  if (!KNOWN_KINDS.includes(e['kind'] as KnownKind)) bad(`kind: one of ${KNOWN_KINDS.join(', ')}`);
  if (typeof e['reason'] !== 'string' || e['reason'].trim() === '') bad('reason: required');
  const diffs = e['differences'];
  if (diffs !== undefined && (!Array.isArray(diffs) || diffs.some((d) => typeof d !== 'string')))
    bad('differences: a list of strings');
  return {
    scenario: e['scenario'] as string,
    kind: e['kind'] as KnownKind,
    reason: e['reason'] as string,
    ...(diffs !== undefined ? { differences: diffs as string[] } : {}),
  };
}

/** The known divergences of `file` (none when it does not exist). */
export function loadKnown(file = KNOWN_FILE): KnownDivergence[] {
  if (!existsSync(file)) return [];
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`, 'GS230');
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc))
    throw new CliError(`${file}: a list of divergences is expected`, 'GS230');
  return doc.map((raw, i) => entry(file, raw, i));
}

/** The entry that covers every one of these differences, if any. */
export function knownFor(
  known: readonly KnownDivergence[],
  scenario: string,
  differences: readonly Difference[],
): KnownDivergence | undefined {
  return known.find(
    (k) =>
      k.scenario === scenario &&
      (k.differences === undefined ||
        differences.every((d) => k.differences!.some((p) => d.what.startsWith(p)))),
  );
}

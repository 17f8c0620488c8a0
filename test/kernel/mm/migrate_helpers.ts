// Shared bits of the migration tests: run a one-thread scenario on a given machine and read
// its results and migration events.
import type { TraceEvent } from '../../../src/sim/trace.js';
import { run, scenario, type Run } from '../../scenario/interp/helpers.js';

/** Run `main`'s steps on a machine (`machine:` YAML flow map) with optional `files:` lines. */
export function runSteps(
  machine: string,
  steps: readonly string[],
  files: readonly string[] = [],
): Run {
  const text = [
    'scenario: t',
    `machine: ${machine}`,
    ...(files.length > 0 ? ['files:', ...files.map((f) => `  ${f}`)] : []),
    'threads:',
    '  main:',
    '    steps:',
    ...steps.map((l) => `      - ${l}`),
    '',
  ].join('\n');
  return run(scenario(text));
}

/** The events of one kind, with their args. */
export function events(r: Run, kind: string): Record<string, unknown>[] {
  return r.result.trace
    .filter((e: TraceEvent) => e.kind === kind)
    .map((e) => e.args as unknown as Record<string, unknown>);
}

/** A result value as a string ('' when absent). */
export function text(r: Run, key: string): string {
  const v = r.report.results[key];
  return v === undefined ? '' : String(v);
}

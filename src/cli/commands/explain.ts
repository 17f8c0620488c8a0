/**
 * `gupsim explain FILE`: one execution as a narrative: each step, the kernel's notable
 * decisions under it with the rule and kernel function behind each, its result, the
 * expectations and reports, and the verdict (docs/explain.md).
 */
import { narrate, type LineKind } from '../../scenario/interp/narrative.js';
import { EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { scenarioReportOf, verdictOf } from '../report.js';
import { bold, dim, green, out, red, yellow } from '../style.js';
import { executeOnce, throwIfInputError } from './run.js';

export interface ExplainFlags {
  readonly schedule?: string;
  readonly seed?: string;
  readonly maxSteps?: string;
  readonly verbose?: boolean;
}

const STYLE: Readonly<Record<LineKind, (s: string) => string>> = {
  title: bold,
  step: bold,
  event: (s) => s,
  why: dim,
  result: (s) => s,
  ok: green,
  fail: red,
  switch: yellow,
  verdict: bold,
};

export async function explainCommand(file: string, flags: ExplainFlags): Promise<number> {
  const e = await executeOnce(file, flags);
  throwIfInputError(e);
  const { p, machine, result } = e;
  const verdict = verdictOf(p, result);
  const lines = narrate({
    name: p.name,
    description: p.description,
    quirks: p.quirks,
    result,
    threadNames: machine.threads.map((t) => t.name),
    report: scenarioReportOf(p, result),
    verdict,
    verbose: flags.verbose === true,
  });
  for (const l of lines) out(STYLE[l.kind](l.text));
  out(dim(`replay: gupsim explain ${file} --schedule ${result.schedule}`));
  return verdict.pass ? EXIT_PASS : EXIT_FAIL;
}

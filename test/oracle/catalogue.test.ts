/**
 * The whole catalogue through the oracle: every scenario under scenarios/ run in gupsim and
 * reproduced on this host's kernel, compared expectation by expectation and value by value.
 *
 * - A disagreement fails unless oracle/known-divergences.yaml lists it with its reason.
 * - A reproducer that does not build, crashes, hangs or breaks fails (the host is restored).
 * - A scenario gupsim cannot run yet must still pass on the host: its expectations are the
 *   kernel's rules, and the host is the kernel.
 * - A scenario the host cannot run is skipped, saying why (never a silent pass).
 * The last test prints how many agreed, disagreed and were skipped, with the reasons.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/cli/catalogue.js';
import { scenarioFiles } from '../../src/cli/commands/oracle.js';
import { loadKnown } from '../../src/cli/oracle/known.js';
import { details, summarize, summaryLine } from '../../src/cli/oracle/report.js';
import { runOracle, type ScenarioOutcome } from '../../src/cli/oracle/run.js';

const FILES = scenarioFiles([join(PACKAGE_ROOT, 'scenarios')]);
const KNOWN = loadKnown();
let all: Promise<ScenarioOutcome[]> | undefined;

/** The oracle runs once over the whole catalogue (sharing scratch mounts); tests read its outcomes. */
function outcomes(): Promise<ScenarioOutcome[]> {
  all ??= runOracle({ files: FILES, known: KNOWN, timeoutMs: 60_000 });
  return all;
}

function explain(o: ScenarioOutcome): string {
  return [...details([o]), o.transcript ?? ''].join('\n');
}

const BROKE = new Set(['unbuilt', 'crashed', 'hung', 'broke']);

describe('the catalogue through the oracle (gupsim vs the host kernel)', () => {
  // Known divergences and the oracle's reports name scenarios by id.
  it('gives every scenario an id of its own', async () => {
    const ids = (await outcomes()).map((o) => o.id);
    expect(ids.filter((id, n) => ids.indexOf(id) !== n)).toEqual([]);
  });

  for (const [i, file] of FILES.entries()) {
    const name = file.slice(PACKAGE_ROOT.length);

    // The reproducer builds, runs, and every expectation (a rule of the kernel) holds on the host.
    it(`${name}: passes on the host`, async (ctx) => {
      const o = (await outcomes())[i]!;
      // An error before the host ran (a bad scenario, a mount that failed) is a failure here.
      if (o.verdict === 'error' && o.hostEnd === undefined) expect.fail(explain(o));
      if (o.hostEnd === undefined || o.hostEnd === 'skipped') return ctx.skip(o.reason ?? o.host);
      if (BROKE.has(o.hostEnd)) expect.fail(`the reproducer ${o.hostEnd}\n${explain(o)}`);
      const sameOnBothSides = o.verdict === 'agree' || o.verdict === 'known';
      if (o.hostEnd === 'failed' && !sameOnBothSides)
        expect.fail(`the host does not pass it: ${o.host}\n${explain(o)}`);
    });

    // gupsim and the host agree on every expectation and value (or the divergence is listed).
    it(`${name}: gupsim agrees with the host`, async (ctx) => {
      const o = (await outcomes())[i]!;
      expect(o.verdict, explain(o)).not.toBe('disagree');
      const hostBroke = o.hostEnd !== undefined && BROKE.has(o.hostEnd);
      if (o.verdict === 'error' && !hostBroke) expect.fail(explain(o)); // a gupsim bug
      ctx.skip(o.verdict === 'skip' || o.verdict === 'error', o.reason);
    });
  }

  afterAll(async () => {
    if (all === undefined) return;
    const done = await all;
    const lines = [
      `oracle over ${done.length} catalogue scenarios: ${summaryLine(summarize(done))}`,
    ];
    for (const o of done.filter((x) => x.verdict === 'skip'))
      lines.push(`  skipped ${o.id}: ${o.reason}`);
    for (const o of done.filter((x) => x.verdict === 'known'))
      lines.push(`  known ${o.id}: ${o.reason}`);
    for (const k of KNOWN) {
      const o = done.find((x) => x.id === k.scenario);
      if (o !== undefined && o.verdict === 'agree')
        lines.push(`  ${k.scenario} agrees now: remove it from oracle/known-divergences.yaml`);
    }
    console.log(lines.join('\n'));
  });
});

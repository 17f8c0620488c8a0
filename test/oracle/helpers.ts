/** Shared helpers of the oracle tests: scenario texts, loading, building and running reproducers. */
import { type TestContext } from 'vitest';
import { probeHost, whyNot, withCleanup, type Capability } from '../../src/cli/host/index.js';
import { runOnHost, type HostRun } from '../../src/cli/oracle/host.js';
import { loadSpec } from '../../src/cli/oracle/spec.js';
import { generateRepro, type Repro } from '../../src/cli/repro/index.js';
import type { ScenarioSpec } from '../../src/scenario/index.js';

export const HOST = probeHost();

/** A scenario from its text (the full operation catalogue, as `gupsim repro` loads it). */
export function spec(text: string, file = 'test.yaml'): ScenarioSpec {
  return loadSpec(file, text);
}

export function repro(text: string): Repro {
  return generateRepro(spec(text));
}

/** Skips, saying why, unless the host is Linux with a C compiler and every `caps`. */
export function need(ctx: TestContext, ...caps: Capability[]): void {
  const why = whyNot(HOST, 'linux', 'cc', 'kernel-6.18', ...caps);
  ctx.skip(why !== undefined, why);
}

/** Builds (cc -O2 -Wall -Werror) and runs a reproducer in a scratch directory. */
export async function buildAndRun(
  r: Repro,
  env: Record<string, string> = {},
  name = 'repro',
): Promise<HostRun> {
  return withCleanup((c) => runOnHost(c, { name, source: r.source, env, timeoutMs: 30_000 }));
}

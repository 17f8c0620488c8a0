/**
 * Host checks: small C programs (test/host/c/*.c, including native/harness.h) built and run on
 * this machine's kernel through src/cli/host. A check the host cannot run skips with the reason:
 * a missing capability (probeHost) or the program's own `1..0 # SKIP reason`. Set
 * GUPSIM_HOST_VERBOSE=1 to see every program's output (what the kernel did).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type TestContext } from 'vitest';
import {
  probeHost,
  runCProgram,
  whyNot,
  type Capability,
  type CleanupRegistry,
  type HostProgramRun,
} from '../../src/cli/host/index.js';

export const HOST = probeHost();

const C_DIR = fileURLToPath(new URL('./c/', import.meta.url));

/** Skips the test, saying why, unless the host is Linux with a C compiler and every `caps`. */
export function need(ctx: TestContext, ...caps: Capability[]): void {
  const why = whyNot(HOST, 'linux', 'cc', ...caps);
  ctx.skip(why !== undefined, why);
}

/** Builds test/host/c/<name>.c (linking `ldflags`) in a scratch directory and runs it (20 s limit). */
export async function runCheck(
  ctx: TestContext,
  c: CleanupRegistry,
  name: string,
  args: readonly string[] = [],
  ldflags: readonly string[] = [],
): Promise<HostProgramRun> {
  const source = readFileSync(`${C_DIR}${name}.c`, 'utf8');
  const run = await runCProgram(c, { source, name, args, ldflags, timeoutMs: 20_000 });
  if (process.env['GUPSIM_HOST_VERBOSE'] !== undefined)
    process.stderr.write(`--- ${name} ${args.join(' ')}\n${run.stdout}${run.stderr}`);
  ctx.skip(run.tap.skipAll !== undefined, run.tap.skipAll);
  return run;
}

/** Every TAP check passed and the program exited 0; on failure, shows all it printed. */
export function expectPassed(run: HostProgramRun): void {
  const transcript = `${run.stdout}\n${run.stderr}`;
  expect(run.tap.problems, transcript).toEqual([]);
  expect(run.timedOut, transcript).toBe(false);
  expect(run.status, transcript).toBe(0);
}

/** A number the program bound in its JSON line. */
export function bound(run: HostProgramRun, key: string): unknown {
  expect(run.tap.json, run.stdout).toBeDefined();
  return run.tap.json?.[key];
}

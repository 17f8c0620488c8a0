/** Building and running host programs: exit status, signals, time limits, orphans. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HostError,
  compileC,
  findCompiler,
  runBinary,
  runCProgram,
  withCleanup,
} from '../../../src/cli/host/index.js';

const noCc =
  process.platform !== 'linux'
    ? `not Linux (${process.platform})`
    : findCompiler() === undefined
      ? 'no C compiler'
      : undefined;

/** Is `pid` still running (a zombie waiting for init to reap it counts as gone)? */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits up to 2 s for `pid` to stop running. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && running(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !running(pid);
}

describe('host programs', () => {
  it('runs a harness program and reads its TAP and JSON', async (ctx) => {
    ctx.skip(noCc !== undefined, noCc);
    await withCleanup(async (c) => {
      const source = `#include "harness.h"
int main(int argc, char **argv) {
  tap_plan(2);
  tap_ok(argc == 2, "one argument");
  tap_ok(!strcmp(argv[1], "x"), "it is x");
  json_begin(); json_i64("argc", argc); json_str("q", "a\\"b"); json_end();
  return tap_done();
}`;
      const r = await runCProgram(c, { source, name: 'args', args: ['x'] });
      expect(r.status).toBe(0);
      expect(r.tap.passed).toBe(true);
      expect(r.tap.json).toEqual({ argc: 2, q: 'a"b' });
    });
  });

  it('reports a signal, and a timeout that kills the whole process group', async (ctx) => {
    ctx.skip(noCc !== undefined, noCc);
    await withCleanup(async (c) => {
      const dir = c.scratchDir();
      const crash = await compileC({
        source: '#include <signal.h>\nint main(void) { raise(SIGSEGV); return 0; }',
        name: 'crash',
        dir,
      });
      expect((await runBinary(crash)).signal).toBe('SIGSEGV');

      // The parent forks a child, prints its pid, and both sleep: the limit kills both.
      const hang = await compileC({
        source: `#include "harness.h"
int main(void) { pid_t p = fork(); if (p == 0) { pause(); } printf("%d\\n", p); fflush(stdout); pause(); return 0; }`,
        name: 'hang',
        dir,
      });
      const r = await runBinary(hang, { timeoutMs: 300 });
      expect(r.timedOut).toBe(true);
      expect(r.signal).toBe('SIGKILL');
      expect(await gone(Number(r.stdout.trim()))).toBe(true);
    });
  });

  it('kills children left behind when the program exits', async (ctx) => {
    ctx.skip(noCc !== undefined, noCc);
    await withCleanup(async (c) => {
      const source = `#include "harness.h"
int main(void) { pid_t p = fork(); if (p == 0) { pause(); } printf("%d\\n", p); return 0; }`;
      const r = await runCProgram(c, { source, name: 'orphan', timeoutMs: 10_000 });
      expect(r.timedOut).toBe(false);
      expect(r.status).toBe(0);
      expect(await gone(Number(r.stdout.trim()))).toBe(true);
    });
  });

  it('a compile error is a HostError quoting the compiler', async (ctx) => {
    ctx.skip(noCc !== undefined, noCc);
    await withCleanup(async (c) => {
      const p = compileC({
        source: 'int main(void) { return x; }',
        name: 'bad',
        dir: c.scratchDir(),
      });
      await expect(p).rejects.toThrow(HostError);
      await expect(p).rejects.toThrow(/undeclared/);
    });
  });
});

/**
 * The host side of the oracle: a reproducer that does not build is reported with the
 * compiler's output; one that crashes or hangs is reported as such, with its output, and its
 * whole process group is gone; what the oracle changes on the host is undone afterwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CleanupRegistry, sh, withCleanup } from '../../src/cli/host/index.js';
import { HostEnvironment } from '../../src/cli/oracle/environment.js';
import { runOnHost } from '../../src/cli/oracle/host.js';
import { HOST, need } from './helpers.js';

function run(source: string, timeoutMs = 20_000) {
  return withCleanup((c) => runOnHost(c, { name: 'prog', source, env: {}, timeoutMs }));
}

const HANG = `#include <stdio.h>
#include <unistd.h>
int main(void)
{
	if (fork() == 0)
		for (;;)
			pause();
	printf("# forked, now hanging\\n");
	fflush(stdout);
	for (;;)
		pause();
}
`;

function alive(pattern: string): boolean {
  try {
    return sh('pgrep', ['-f', pattern]).trim() !== '';
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

describe('running reproducers on the host', () => {
  it('one that does not build is a gupsim bug, shown with the compiler output', async (ctx) => {
    need(ctx);
    const r = await run('int main(void) { return undefined_thing; }\n');
    expect(r.end).toBe('unbuilt');
    expect(r.summary).toContain('gupsim bug');
    expect(r.transcript).toContain('undefined_thing');
  });

  it('one that crashes is reported with the signal and its output', async (ctx) => {
    need(ctx);
    const r = await run(
      '#include <signal.h>\n#include <stdio.h>\nint main(void) { puts("# about to crash"); fflush(stdout); raise(SIGSEGV); return 0; }\n',
    );
    expect(r.end).toBe('crashed');
    expect(r.summary).toBe('killed by SIGSEGV');
    expect(r.transcript).toContain('# about to crash');
  });

  it('one that hangs is killed with its children at the time limit', async (ctx) => {
    need(ctx);
    const r = await run(HANG, 1000);
    expect(r.end).toBe('hung');
    expect(r.summary).toBe('timed out after 1000 ms');
    expect(r.transcript).toContain('# forked, now hanging');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive('gupsim-repro-.*/prog')).toBe(false);
  });
});

// Other tests (the catalogue's oracle run) may change the host at the same time: each check
// looks only at what this test made.
describe('the host environment is restored', () => {
  it('scratch ext4 and tmpfs mounts are unmounted, detached and removed', async (ctx) => {
    need(ctx, 'root', 'loop-ext4');
    let ext4 = '';
    let tmpfs = '';
    await withCleanup(async (c) => {
      const env = new HostEnvironment(c, HOST);
      ext4 = env.fsDir('ext4') as string;
      tmpfs = env.fsDir('tmpfs') as string;
      expect(readFileSync('/proc/mounts', 'utf8')).toContain(` ${ext4} ext4 `);
      expect(readFileSync('/proc/mounts', 'utf8')).toContain(` ${tmpfs} tmpfs `);
    });
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(ext4);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(tmpfs);
    expect(existsSync(dirname(ext4))).toBe(false);
    expect(sh('losetup', ['-a'])).not.toContain(join(dirname(ext4), 'ext4.img'));
  });

  it('a swap file it adds is gone afterwards', async (ctx) => {
    need(ctx, 'root', 'swap');
    let file: string | undefined;
    await withCleanup(async (c) => {
      const env = new HostEnvironment(c, HOST);
      expect(env.ensureSwap()).toBeUndefined();
      file = env.swapFile();
      expect(file).toBeDefined();
      expect(readFileSync('/proc/swaps', 'utf8')).toContain(file);
    });
    expect(readFileSync('/proc/swaps', 'utf8')).not.toContain(file);
    expect(existsSync(file!)).toBe(false);
  });

  it('hugetlb pages it adds are taken back, by the number it added', (ctx) => {
    need(ctx, 'root');
    const nr = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
    const count = (): number => Number(readFileSync(nr, 'utf8'));
    const free = Number(readFileSync(nr.replace('nr_', 'free_'), 'utf8'));
    const c = new CleanupRegistry();
    const before = count();
    expect(new HostEnvironment(c, HOST).ensureHugetlb(c, 2 << 20, free + 1)).toBeUndefined();
    const added = count() - before;
    expect(added).toBeGreaterThan(0);
    expect(c.run()).toEqual([]);
    expect(count()).toBe(before);
  });
});

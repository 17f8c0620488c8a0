/**
 * The cleanup registry puts the host back, whatever happens to the work. The host changes (root
 * only) are checked against the host's own state before and after.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CleanupRegistry,
  HostError,
  addSwapFile,
  probeHost,
  reserveHugePages,
  whyNot,
  withCleanup,
} from '../../../src/cli/host/index.js';

const HOST = probeHost();
const NR_HUGEPAGES = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';

describe('CleanupRegistry', () => {
  it('undoes newest first, and every undo runs even if one fails', () => {
    const c = new CleanupRegistry();
    const order: string[] = [];
    c.defer('first', () => order.push('first'));
    c.defer('broken', () => {
      throw new Error('boom');
    });
    c.defer('last', () => order.push('last'));
    expect(c.run()).toEqual(['broken: boom']);
    expect(order).toEqual(['last', 'first']);
    expect(c.pending).toBe(0);
  });

  it('removes scratch directories when the work throws', async () => {
    let dir = '';
    const work = withCleanup(async (c) => {
      dir = c.scratchDir();
      writeFileSync(join(dir, 'f'), 'x');
      throw new Error('the work failed');
    });
    await expect(work).rejects.toThrow('the work failed');
    expect(existsSync(dir)).toBe(false);
  });

  it('reports a failed undo as HOST006 after successful work', async () => {
    const work = withCleanup(async (c) => {
      c.defer('cannot undo', () => {
        throw new Error('EBUSY');
      });
    });
    await expect(work).rejects.toThrow(HostError);
    await expect(work).rejects.toThrow(/cannot undo: EBUSY/);
  });
});

describe('host changes are undone', () => {
  it('hugetlb reservation: nr_hugepages is restored', async (ctx) => {
    const why = whyNot(HOST, 'linux', 'root');
    ctx.skip(why !== undefined, why);
    ctx.skip(!existsSync(NR_HUGEPAGES), 'no 2 MiB hugetlb pages in this kernel');
    const before = readFileSync(NR_HUGEPAGES, 'utf8').trim();
    await withCleanup(async (c) => {
      const free = reserveHugePages(c, 2);
      expect(free).toBeGreaterThanOrEqual(HOST.hugetlb2M.free);
      expect(Number(readFileSync(NR_HUGEPAGES, 'utf8'))).toBe(Number(before) + 2);
    });
    expect(readFileSync(NR_HUGEPAGES, 'utf8').trim()).toBe(before);
  });

  it('swap file: enabled inside, gone afterwards', async (ctx) => {
    const why = whyNot(HOST, 'linux', 'swap');
    ctx.skip(why !== undefined, why);
    let file = '';
    await withCleanup(async (c) => {
      file = join(c.scratchDir(), 'swapfile');
      addSwapFile(c, file, 16);
      expect(readFileSync('/proc/swaps', 'utf8')).toContain(file);
    });
    expect(readFileSync('/proc/swaps', 'utf8')).not.toContain(file);
    expect(existsSync(file)).toBe(false);
  });
});

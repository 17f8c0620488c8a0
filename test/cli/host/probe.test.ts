import { describe, expect, it } from 'vitest';
import { describeProbe, probeHost, whyNot } from '../../../src/cli/host/index.js';

describe('probeHost', () => {
  const p = probeHost();

  it('gives a reason for every missing capability, and none for what is present', () => {
    for (const why of Object.values(p.missing)) expect(why).toMatch(/\w/);
    expect(whyNot(p)).toBeUndefined();
    if (p.platform === 'linux') expect(p.missing.linux).toBeUndefined();
    expect(p.root).toBe(process.getuid?.() === 0);
    if (!p.root) expect(whyNot(p, 'root')).toBe('not root');
  });

  it('reads the kernel version and names the first missing need', () => {
    expect(p.kernel.major).toBeGreaterThan(0);
    const needs = ['linux', 'cc', 'io_uring', 'thp', 'hugetlb-2m'] as const;
    const first = needs.find((n) => p.missing[n] !== undefined);
    expect(whyNot(p, ...needs)).toBe(first === undefined ? undefined : p.missing[first]);
    expect(describeProbe(p)).toHaveLength(10);
  });
});

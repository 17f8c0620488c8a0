/** The `machine:` section: RAM, ZONE_MOVABLE, CMA, THP policy, hugetlb pools, swap. */
import { fixedKeys } from './keys.js';
import type { Source } from './source.js';
import type { HugetlbPool, MachineSpec, ThpPolicy, ThpSetting } from './spec.js';
import { listAccepted } from './suggest.js';
import {
  requireInteger,
  requireSize,
  showSize,
  sizeFromText,
  SIZE_FORMS,
} from './values/numbers.js';

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const PAGE_SIZE = 4 * KiB;
const MAX_MEMORY = 64 * GiB;

export const MACHINE_KEYS = ['memory', 'movable', 'cma', 'thp', 'hugetlb', 'swap'] as const;
export const THP_POLICIES: readonly ThpPolicy[] = ['never', 'madvise', 'always'];
/** mTHP sizes on x86-64: orders 2 to 9. */
export const THP_SIZES: readonly number[] = [16, 32, 64, 128, 256, 512, 1024, 2048].map(
  (k) => k * KiB,
);
export const HUGETLB_SIZES: readonly number[] = [2 * MiB, GiB];

export const MACHINE_DEFAULTS: MachineSpec = {
  memory: 64 * MiB,
  movable: 0,
  cma: 0,
  thp: THP_SIZES.map((size) => ({ size, policy: size === 2 * MiB ? 'madvise' : 'never' })),
  hugetlb: [],
  swap: 0,
};

function pageMultiple(src: Source, node: unknown, what: string): number {
  const size = requireSize(src, node, what);
  if (size % PAGE_SIZE !== 0)
    src.fail(
      'GS120',
      node,
      `${what} is ${size} bytes, not a whole number of 4KiB pages`,
      'a multiple of 4KiB',
    );
  return size;
}

function policy(src: Source, node: unknown, what: string): ThpPolicy {
  const value = src.scalar(node)?.value;
  const found = THP_POLICIES.find((p) => p === value);
  if (found !== undefined) return found;
  return src.fail(
    'GS115',
    node,
    `${what} must be a THP policy, found ${src.describe(node)}`,
    listAccepted(THP_POLICIES),
  );
}

/** A size written as a map key (`2MiB:`), which must be one of `sizes`. */
function keySize(
  src: Source,
  key: string,
  node: unknown,
  sizes: readonly number[],
  what: string,
): number {
  const size = sizeFromText(key);
  const accepted = sizes.map(showSize).join(', ');
  if (size === undefined)
    src.fail('GS110', node, `'${key}' in ${what} is not a size`, `${SIZE_FORMS}: ${accepted}`);
  if (!sizes.includes(size))
    src.fail('GS120', node, `${what} has no ${showSize(size)} size`, accepted);
  return size;
}

function thp(src: Source, node: unknown): readonly ThpSetting[] {
  if (!src.isMap(node)) {
    const pmd = policy(src, node, 'machine.thp');
    return MACHINE_DEFAULTS.thp.map((s) =>
      s.size === 2 * MiB ? { size: s.size, policy: pmd } : s,
    );
  }
  const chosen = new Map<number, ThpPolicy>();
  for (const entry of src.entries(node, 'machine.thp')) {
    const size = keySize(src, entry.key, entry.keyNode, THP_SIZES, 'machine.thp');
    if (chosen.has(size))
      src.fail(
        'GS120',
        entry.keyNode,
        `machine.thp sets ${showSize(size)} twice`,
        'each size once',
      );
    chosen.set(size, policy(src, entry.value, `machine.thp ${showSize(size)}`));
  }
  return MACHINE_DEFAULTS.thp.map((s) => ({
    size: s.size,
    policy: chosen.get(s.size) ?? s.policy,
  }));
}

function hugetlb(src: Source, node: unknown): readonly HugetlbPool[] {
  const pools = new Map<number, number>();
  for (const entry of src.entries(node, 'machine.hugetlb')) {
    const size = keySize(src, entry.key, entry.keyNode, HUGETLB_SIZES, 'machine.hugetlb');
    if (pools.has(size))
      src.fail(
        'GS120',
        entry.keyNode,
        `machine.hugetlb sets ${showSize(size)} twice`,
        'each size once',
      );
    pools.set(
      size,
      requireInteger(src, entry.value, `machine.hugetlb ${showSize(size)}`, 0, 1 << 20),
    );
  }
  return HUGETLB_SIZES.filter((s) => pools.has(s)).map((size) => ({
    size,
    pages: pools.get(size) ?? 0,
  }));
}

function checkTotals(src: Source, node: unknown, m: MachineSpec): void {
  if (m.memory === 0 || m.memory > MAX_MEMORY) {
    src.fail(
      'GS120',
      node,
      `machine.memory is ${showSize(m.memory)}`,
      `from 4KiB to ${showSize(MAX_MEMORY)}`,
    );
  }
  const carved = m.movable + m.cma;
  if (carved > m.memory) {
    src.fail(
      'GS120',
      node,
      `movable + cma (${showSize(carved)}) exceed memory (${showSize(m.memory)})`,
      'movable + cma no larger than memory',
    );
  }
  const huge = m.hugetlb.reduce((sum, p) => sum + p.size * p.pages, 0);
  if (huge > m.memory) {
    src.fail(
      'GS120',
      node,
      `hugetlb pools (${showSize(huge)}) exceed memory (${showSize(m.memory)})`,
      'hugetlb pages that fit in memory',
    );
  }
}

/** The machine section with defaults for every key not given. */
export function parseMachine(src: Source, node: unknown): MachineSpec {
  if (node === undefined) return MACHINE_DEFAULTS;
  const keys = fixedKeys(src, node, 'machine', MACHINE_KEYS);
  const get = <T>(key: string, parse: (n: unknown) => T, fallback: T): T => {
    const entry = keys.get(key);
    return entry === undefined ? fallback : parse(entry.value);
  };
  const machine: MachineSpec = {
    memory: get('memory', (n) => pageMultiple(src, n, 'machine.memory'), MACHINE_DEFAULTS.memory),
    movable: get('movable', (n) => pageMultiple(src, n, 'machine.movable'), 0),
    cma: get('cma', (n) => pageMultiple(src, n, 'machine.cma'), 0),
    thp: get('thp', (n) => thp(src, n), MACHINE_DEFAULTS.thp),
    hugetlb: get('hugetlb', (n) => hugetlb(src, n), []),
    swap: get('swap', (n) => pageMultiple(src, n, 'machine.swap'), 0),
  };
  checkTotals(src, node, machine);
  return machine;
}

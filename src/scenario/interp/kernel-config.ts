/** The `machine:` section of a scenario as the kernel's boot configuration. */
import type { KernelConfig } from '../../kernel/kernel.js';
import type { MachineSpec } from '../spec.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** MachineSpec (bytes, per-size lists) -> KernelConfig (what `new Kernel` boots). */
export function kernelConfig(machine: MachineSpec): KernelConfig {
  const pool = (size: number): number | undefined =>
    machine.hugetlb.find((h) => h.size === size)?.pages;
  const h2m = pool(2 * MiB);
  const h1g = pool(GiB);
  return {
    memory: machine.memory,
    movable: machine.movable,
    cma: machine.cma,
    hugetlb: {
      ...(h2m !== undefined ? { '2MiB': h2m } : {}),
      ...(h1g !== undefined ? { '1GiB': h1g } : {}),
    },
    thp: machine.thp.map((t) => ({ size: t.size, policy: t.policy })),
    swap: machine.swap,
  };
}

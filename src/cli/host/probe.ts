/**
 * What this host can do, and for everything it cannot, why. Checks and reproducers name what
 * they need and skip with the reason: `whyNot(probeHost(), 'root', 'io_uring')`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { findCompiler } from './compiler.js';
import { findTool } from './tools.js';

export type Capability =
  | 'linux'
  | 'root'
  | 'cc'
  | 'io_uring'
  | 'thp'
  | 'hugetlb-2m'
  | 'userfaultfd'
  | 'kernel-6.18'
  | 'loop-ext4'
  | 'swap';

export interface HostProbe {
  readonly platform: NodeJS.Platform;
  readonly kernel: { readonly release: string; readonly major: number; readonly minor: number };
  readonly root: boolean;
  /** Effective capability set (/proc/self/status CapEff); root may lack some (containers, VMs). */
  readonly capEff: bigint;
  readonly cc?: string;
  /** kernel.io_uring_disabled: 0 all, 1 root or io_uring_group only, 2 nobody. */
  readonly ioUringDisabled?: number;
  /** The selected modes of transparent_hugepage/enabled and /defrag. */
  readonly thp?: { readonly enabled: string; readonly defrag?: string };
  readonly hugetlb2M: { readonly total: number; readonly free: number };
  /** vm.unprivileged_userfaultfd; absent when the kernel has no userfaultfd. */
  readonly unprivilegedUserfaultfd?: number;
  /** Capabilities this host lacks, each with the reason. */
  readonly missing: Readonly<Partial<Record<Capability, string>>>;
}

/** Capability bits (include/uapi/linux/capability.h). */
export const CAP = { IPC_LOCK: 14, SYS_PTRACE: 19, SYS_ADMIN: 21, SYS_RESOURCE: 24 } as const;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  const s = read(path);
  return s === undefined || s === '' || Number.isNaN(Number(s)) ? undefined : Number(s);
}

/** `always [madvise] never` -> `madvise`. */
function selected(path: string): string | undefined {
  return /\[(\w[\w+]*)\]/.exec(read(path) ?? '')?.[1];
}

function capEff(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(read('/proc/self/status') ?? '');
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCap(p: HostProbe, bit: number): boolean {
  return ((p.capEff >> BigInt(bit)) & 1n) === 1n;
}

function kernelVersion(): HostProbe['kernel'] {
  const r = release();
  const m = /^(\d+)\.(\d+)/.exec(r);
  return { release: r, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) };
}

function ioUringGroupMember(): boolean {
  const gid = readNumber('/proc/sys/kernel/io_uring_group');
  return gid !== undefined && gid >= 0 && (process.getgroups?.() ?? []).includes(gid);
}

/** Reads /proc and /sys (cheap, synchronous); nothing is changed. */
export function probeHost(): HostProbe {
  const thpEnabled = selected('/sys/kernel/mm/transparent_hugepage/enabled');
  const thpDefrag = selected('/sys/kernel/mm/transparent_hugepage/defrag');
  const hp = '/sys/kernel/mm/hugepages/hugepages-2048kB';
  const base = {
    platform: process.platform,
    kernel: kernelVersion(),
    root: process.getuid?.() === 0,
    capEff: capEff(),
    ...optional('cc', findCompiler()),
    ...optional('ioUringDisabled', readNumber('/proc/sys/kernel/io_uring_disabled')),
    ...(thpEnabled !== undefined
      ? { thp: { enabled: thpEnabled, ...optional('defrag', thpDefrag) } }
      : {}),
    hugetlb2M: {
      total: readNumber(`${hp}/nr_hugepages`) ?? 0,
      free: readNumber(`${hp}/free_hugepages`) ?? 0,
    },
    ...optional('unprivilegedUserfaultfd', readNumber('/proc/sys/vm/unprivileged_userfaultfd')),
    missing: {},
  };
  return { ...base, missing: missingOf(base) };
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

function missingOf(p: HostProbe): Partial<Record<Capability, string>> {
  const m: Partial<Record<Capability, string>> = {};
  const notLinux = p.platform !== 'linux' ? `not Linux (${p.platform})` : undefined;
  const set = (c: Capability, why: string | undefined | false): void => {
    const reason = notLinux ?? (why === false ? undefined : why);
    if (reason !== undefined) m[c] = reason;
  };
  if (notLinux) m.linux = notLinux;
  set('root', !p.root && 'not root');
  set('cc', p.cc === undefined && 'no C compiler (cc, gcc, clang or $CC)');
  set('io_uring', ioUringReason(p));
  set('thp', thpReason(p));
  set('hugetlb-2m', p.hugetlb2M.free === 0 && hugetlbReason(p));
  set('userfaultfd', userfaultfdReason(p));
  set('kernel-6.18', kernelReason(p));
  set('loop-ext4', toolsReason(p, ['mkfs.ext4', 'losetup', 'mount', 'umount'], 'loop mounts'));
  set('swap', toolsReason(p, ['mkswap', 'swapon', 'swapoff'], 'swap files'));
  return m;
}

function ioUringReason(p: HostProbe): string | undefined {
  if (p.ioUringDisabled === 2) return 'io_uring disabled (kernel.io_uring_disabled = 2)';
  if (p.ioUringDisabled === 1 && !p.root && !ioUringGroupMember())
    return 'io_uring limited to root and kernel.io_uring_group (kernel.io_uring_disabled = 1)';
  return undefined;
}

function thpReason(p: HostProbe): string | undefined {
  if (p.thp === undefined)
    return 'no transparent hugepages (no /sys/kernel/mm/transparent_hugepage)';
  if (p.thp.enabled === 'never') return 'THP disabled (transparent_hugepage/enabled = never)';
  return undefined;
}

function hugetlbReason(p: HostProbe): string {
  const how = p.root ? 'reserveHugePages() can add some' : 'root can reserve some';
  return `no free 2 MiB hugetlb pages (nr_hugepages = ${p.hugetlb2M.total}; ${how})`;
}

function userfaultfdReason(p: HostProbe): string | undefined {
  if (p.unprivilegedUserfaultfd === undefined)
    return 'no userfaultfd (no /proc/sys/vm/unprivileged_userfaultfd: CONFIG_USERFAULTFD off?)';
  if (p.unprivilegedUserfaultfd === 1 || hasCap(p, CAP.SYS_PTRACE)) return undefined;
  return 'userfaultfd needs CAP_SYS_PTRACE (vm.unprivileged_userfaultfd = 0; UFFD_USER_MODE_ONLY still works)';
}

function kernelReason(p: HostProbe): string | undefined {
  const { major, minor, release: r } = p.kernel;
  return major > 6 || (major === 6 && minor >= 18) ? undefined : `kernel ${r} is older than 6.18`;
}

function toolsReason(p: HostProbe, tools: readonly string[], what: string): string | undefined {
  if (!p.root) return `${what} need root`;
  const absent = tools.filter((t) => findTool(t) === undefined);
  if (absent.length > 0) return `${what} need ${absent.join(', ')} (not on PATH)`;
  if (what === 'loop mounts' && !existsSync('/dev/loop-control')) return 'no /dev/loop-control';
  return undefined;
}

/** The first reason one of `needs` is missing, or undefined when the host has them all. */
export function whyNot(p: HostProbe, ...needs: readonly Capability[]): string | undefined {
  for (const n of needs) {
    const why = p.missing[n];
    if (why !== undefined) return why;
  }
  return undefined;
}

/** One line per capability: `ok` or the reason it is missing. */
export function describeProbe(p: HostProbe): string[] {
  const all: Capability[] = [
    'linux',
    'root',
    'cc',
    'io_uring',
    'thp',
    'hugetlb-2m',
    'userfaultfd',
    'kernel-6.18',
    'loop-ext4',
    'swap',
  ];
  return all.map((c) => `${c.padEnd(12)} ${p.missing[c] ?? 'ok'}`);
}

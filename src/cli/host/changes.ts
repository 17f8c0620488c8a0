/**
 * Changes to the host that a check or reproducer may need, each registering its undo in a
 * CleanupRegistry the moment it is made. All need root; all are synchronous.
 *
 *   writeSysctl          any /proc/sys or /sys knob; the old value is written back
 *   reserveHugePages     hugetlb pages via nr_hugepages; the old count is written back
 *   addHugePages         the same, undone by taking back what it added (safe beside others)
 *   makeFsImage          a file system image file (mkfs.<type>), in a scratch directory
 *   loopMount            losetup + mount; undone by umount + losetup -d
 *   mountFs              mount (a tmpfs, a device); undone by umount
 *   addSwapFile          a swap file (mkswap + swapon); undone by swapoff + rm
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { CleanupRegistry } from './cleanup.js';
import { HostError } from './errors.js';
import { findTool } from './tools.js';

/** Runs a host command; its failure is a HostError (HOST005) quoting its stderr. */
export function sh(cmd: string, args: readonly string[], timeoutMs = 30_000): string {
  try {
    const file = findTool(cmd) ?? cmd;
    return execFileSync(file, args, { encoding: 'utf8', timeout: timeoutMs, stdio: 'pipe' });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    const why = stderr.trim() || (e instanceof Error ? e.message : String(e));
    throw new HostError(`${cmd} ${args.join(' ')}: ${why}`, 'HOST005');
  }
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new HostError(`${what} needs root`, 'HOST007');
}

/** Writes `value` to a sysctl or sysfs file; returns the old value. Cleanup writes it back. */
export function writeSysctl(c: CleanupRegistry, path: string, value: string): string {
  const old = readFileSync(path, 'utf8').trim();
  writeFileSync(path, value);
  c.defer(`restore ${path} = ${old}`, () => writeFileSync(path, old));
  return old;
}

function hugetlbDir(sizeKiB: number): string {
  return `/sys/kernel/mm/hugepages/hugepages-${sizeKiB}kB`;
}

/** Free hugetlb pages of the size (0 if the size does not exist). */
export function freeHugePages(sizeKiB = 2048): number {
  try {
    return Number(readFileSync(`${hugetlbDir(sizeKiB)}/free_hugepages`, 'utf8').trim());
  } catch {
    return 0;
  }
}

/**
 * Makes `count` more hugetlb pages of the size available (nr_hugepages += count). Returns how
 * many are free afterwards: the kernel allocates what it can, which may be fewer. Cleanup
 * restores nr_hugepages (pages still in use become surplus and are freed when released).
 */
export function reserveHugePages(c: CleanupRegistry, count: number, sizeKiB = 2048): number {
  requireRoot('reserving hugetlb pages');
  const path = `${hugetlbDir(sizeKiB)}/nr_hugepages`;
  const old = Number(readFileSync(path, 'utf8').trim());
  writeSysctl(c, path, String(old + count));
  return freeHugePages(sizeKiB);
}

/**
 * Like reserveHugePages, but the undo is relative: it takes back the `count` pages this call
 * added (nr_hugepages -= count) instead of writing an old absolute value, so that two users
 * adding pages at the same time do not undo each other's. Returns the free pages afterwards.
 */
export function addHugePages(c: CleanupRegistry, count: number, sizeKiB = 2048): number {
  requireRoot('reserving hugetlb pages');
  const path = `${hugetlbDir(sizeKiB)}/nr_hugepages`;
  const now = (): number => Number(readFileSync(path, 'utf8').trim());
  writeFileSync(path, String(now() + count));
  c.defer(`nr_hugepages -= ${count} (${sizeKiB} kB)`, () =>
    writeFileSync(path, String(Math.max(0, now() - count))),
  );
  return freeHugePages(sizeKiB);
}

/** Creates a `sizeMiB` file system image of `fstype` (mkfs.<fstype>) at `path`. */
export function makeFsImage(path: string, sizeMiB: number, fstype = 'ext4'): void {
  writeFileSync(path, '');
  truncateSync(path, sizeMiB << 20); // sparse: mkfs writes what it needs
  const force = fstype === 'xfs' || fstype === 'btrfs' ? ['-f'] : ['-F'];
  sh(`mkfs.${fstype}`, [...(fstype === 'ext4' ? ['-q'] : []), ...force, path], 60_000);
}

/**
 * Attaches `image` to a free loop device and mounts it on `mountpoint` (an existing directory).
 * Returns the loop device. Cleanup unmounts and detaches, in that order.
 */
export function loopMount(
  c: CleanupRegistry,
  image: string,
  mountpoint: string,
  options: readonly string[] = [],
): string {
  requireRoot('loop mounting');
  const dev = sh('losetup', ['--find', '--show', image]).trim();
  c.defer(`losetup -d ${dev}`, () => sh('losetup', ['-d', dev]));
  mountFs(c, dev, mountpoint, undefined, options);
  return dev;
}

/** Mounts `source` (a device, or `tmpfs`) on `mountpoint`. Cleanup unmounts it. */
export function mountFs(
  c: CleanupRegistry,
  source: string,
  mountpoint: string,
  fstype?: string,
  options: readonly string[] = [],
): void {
  requireRoot('mounting');
  const type = fstype !== undefined ? ['-t', fstype] : [];
  const opts = options.length > 0 ? ['-o', options.join(',')] : [];
  sh('mount', [...type, ...opts, source, mountpoint]);
  c.defer(`umount ${mountpoint}`, () => sh('umount', [mountpoint]));
}

/** Creates a swap file of `sizeMiB` at `path` and enables it. Cleanup disables and removes it. */
export function addSwapFile(c: CleanupRegistry, path: string, sizeMiB: number): void {
  requireRoot('adding swap');
  const fd = openSync(path, 'w', 0o600);
  c.defer(`rm ${path}`, () => rmSync(path, { force: true }));
  try {
    const chunk = Buffer.alloc(1 << 20); // written, not truncated: swap files must have no holes
    for (let i = 0; i < sizeMiB; i++) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  sh('mkswap', [path]);
  sh('swapon', [path]);
  c.defer(`swapoff ${path}`, () => sh('swapoff', [path], 120_000));
}

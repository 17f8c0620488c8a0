/**
 * Preparing the host for reproducers, and undoing it: a directory on each file system a scenario
 * names (scratch mounts: tmpfs, ext4/xfs/btrfs on loop devices, hugetlbfs), swap, hugetlb pages,
 * the THP policy. Everything is made inside scratch directories or registered for undo in a
 * CleanupRegistry the moment it is made, so the host is restored whatever happens to the run.
 * A need the host cannot meet is a skip with the reason, never a failure.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { FsType, ThpSetting } from '../../scenario/index.js';
import {
  addHugePages,
  addSwapFile,
  findTool,
  freeHugePages,
  loopMount,
  makeFsImage,
  mountFs,
  whyNot,
  type CleanupRegistry,
  type HostProbe,
} from '../host/index.js';
import { FS_DIRS, type HostNeeds } from '../repro/index.js';

/** Why the host cannot meet a need. */
export interface Skip {
  readonly skip: string;
}

const IMAGE_MIB: Readonly<Record<string, number>> = { ext4: 256, xfs: 320, btrfs: 256 };
const SWAP_MIB = 128;
const TMPFS_MAGIC = 0x01021994;
const THP_DIR = '/sys/kernel/mm/transparent_hugepage';

function selected(path: string): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync(path, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function isTmpfs(path: string): boolean {
  try {
    return statfsSync(path).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** The host as the oracle prepares it; one per oracle run, undone by the run's registry. */
export class HostEnvironment {
  private readonly dirs = new Map<FsType, string | Skip>();
  private swap: string | Skip | undefined;
  private root: string | undefined;

  constructor(
    private readonly c: CleanupRegistry,
    private readonly probe: HostProbe,
  ) {}

  private scratch(): string {
    this.root ??= this.c.scratchDir('gupsim-oracle-');
    return this.root;
  }

  /** A directory on `fs`, made on first use. */
  fsDir(fs: FsType): string | Skip {
    let dir = this.dirs.get(fs);
    if (dir === undefined) {
      dir = this.makeFsDir(fs);
      this.dirs.set(fs, dir);
    }
    return dir;
  }

  private makeFsDir(fs: FsType): string | Skip {
    if (!this.probe.root) {
      if (fs === 'tmpfs' && isTmpfs('/dev/shm')) {
        const dir = mkdtempSync('/dev/shm/gupsim-oracle-');
        this.c.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
        return dir;
      }
      return { skip: `a ${fs} directory needs a mount, and mounts need root` };
    }
    const dir = join(this.scratch(), fs);
    mkdirSync(dir);
    if (fs === 'tmpfs') mountFs(this.c, 'tmpfs', dir, 'tmpfs', ['size=1g']);
    else if (fs === 'hugetlbfs') mountFs(this.c, 'none', dir, 'hugetlbfs', ['pagesize=2M']);
    else {
      const tool = `mkfs.${fs}`;
      if (findTool(tool) === undefined)
        return { skip: `${fs} needs ${tool}, which is not on PATH` };
      const why = whyNot(this.probe, 'loop-ext4');
      if (why !== undefined) return { skip: why };
      const image = join(this.scratch(), `${fs}.img`);
      makeFsImage(image, IMAGE_MIB[fs] ?? 256, fs);
      loopMount(this.c, image, dir);
    }
    return dir;
  }

  /** The swap file this run added, if it added one. */
  swapFile(): string | undefined {
    return typeof this.swap === 'string' && this.swap.startsWith('/') ? this.swap : undefined;
  }

  /** Swap enabled (the host's own, or a swap file of the run). */
  ensureSwap(): Skip | undefined {
    if (this.swap !== undefined) return typeof this.swap === 'string' ? undefined : this.swap;
    this.swap = this.makeSwap();
    return typeof this.swap === 'string' ? undefined : this.swap;
  }

  private makeSwap(): string | Skip {
    // As root the run adds a swap file of its own, so that nothing another user of the host
    // does to its swap (swapoff) changes what the scenario sees.
    const why = whyNot(this.probe, 'swap');
    if (why !== undefined) {
      const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n');
      if (swaps.length > 1) return 'the host has swap';
      return { skip: `the scenario has swap and the host has none: ${why}` };
    }
    // A swap file cannot live on tmpfs: put it on the ext4 scratch mount then.
    const base = isTmpfs(this.scratch()) ? this.fsDir('ext4') : this.scratch();
    if (typeof base !== 'string') return { skip: `no file system for a swap file: ${base.skip}` };
    const file = join(base, 'swapfile');
    addSwapFile(this.c, file, SWAP_MIB);
    return file;
  }

  /** At least `pages` free hugetlb pages of `size`, reserving more (undone) when root. */
  ensureHugetlb(c: CleanupRegistry, size: number, pages: number): Skip | undefined {
    const kib = size / 1024;
    const free = freeHugePages(kib);
    if (free >= pages) return undefined;
    if (!this.probe.root)
      return {
        skip: `no hugetlb pages reserved: ${free} free ${kib} KiB pages, ${pages} needed (reserving needs root)`,
      };
    const now = addHugePages(c, pages - free, kib);
    if (now >= pages) return undefined;
    return {
      skip: `no hugetlb pages reserved: the host could make only ${now} free ${kib} KiB pages, ${pages} needed`,
    };
  }

  /** The THP policy of each size as the scenario says, written (and restored) when root. */
  ensureThp(c: CleanupRegistry, settings: readonly ThpSetting[]): Skip | undefined {
    for (const t of settings) {
      const kib = t.size / 1024;
      const path = `${THP_DIR}/hugepages-${kib}kB/enabled`;
      const own = selected(path);
      const have =
        own === 'inherit' || (own === undefined && kib === 2048)
          ? selected(`${THP_DIR}/enabled`)
          : own;
      if ((have ?? 'never') === t.policy) continue;
      if (!existsSync(path)) return { skip: `the host has no ${kib} KiB THP size (${path})` };
      if (!this.probe.root)
        return {
          skip: `the scenario's THP policy for ${kib} KiB is ${t.policy}, the host's ${have ?? 'never'} (changing it needs root)`,
        };
      const old = own ?? 'never';
      writeFileSync(path, t.policy);
      c.defer(`restore ${path} = ${old}`, () => writeFileSync(path, old));
    }
    return undefined;
  }

  /** The environment variables that tell a reproducer where its file systems are. */
  fsEnv(needs: HostNeeds): Record<string, string> | Skip {
    const env: Record<string, string> = {};
    for (const fs of needs.fs) {
      const dir = this.fsDir(fs);
      if (typeof dir !== 'string') return dir;
      env[FS_DIRS[fs].env] = dir;
    }
    return env;
  }
}

/**
 * File-layer benchmark (src/kernel/fs, src/kernel/mm/pagecache.ts & co.): buffered I/O of 1 GiB
 * through the simulated page cache, as one simulated thread making pwrite(2) / pread(2) calls of
 * 1 MiB from and to a kernel buffer (no user memory, so only the file layer is timed), on ext4
 * (buffer heads, delayed allocation) and tmpfs, and an fsync of the written GiB (the device
 * agent writes every page). Target: each 1 GiB buffered pass under a second of CPU time (the
 * figures are CPU time because the host is shared; the wall-clock row is for reference).
 */
import { Kernel, type KernelConfig } from '../src/kernel/kernel.js';
import { do_sys_open } from '../src/kernel/fs/open.js';
import { ksys_pread64, ksys_pwrite64 } from '../src/kernel/fs/read_write.js';
import type { FsName } from '../src/kernel/fs/super.js';
import { do_fsync } from '../src/kernel/fs/sync.js';
import { iov_iter_collect, iov_iter_value } from '../src/kernel/fs/uio.js';
import { O_CREAT, O_RDWR } from '../src/kernel/include/fcntl.js';
import { Machine } from '../src/sim/machine.js';
import type { BenchResult } from './result.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const CHUNK = MiB;

/** CPU seconds of this process (user + system): steadier than wall time on a shared host. */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Timing {
  write: number;
  read: number;
  fsync: number;
  /** Wall seconds of the write + read passes. */
  wall: number;
}

/** One run: write 1 GiB, read it back, fsync; seconds per phase (the machine's steps included). */
function run(fs: FsName, withFsync: boolean): Timing {
  const m = new Machine({ trace: false, maxSteps: 50_000_000 });
  const k = new Kernel(m, { memory: 3 * GiB } as KernelConfig);
  const p = k.createProcess('bench');
  const t: Timing = { write: 0, read: 0, fsync: 0, wall: 0 };
  k.spawnUser(p, 'io', function* () {
    const fd = yield* do_sys_open(k, p.tgid, '/bench', O_CREAT | O_RDWR, 0o644, fs);
    const w0 = performance.now();
    let t0 = cpu();
    for (let pos = 0; pos < GiB; pos += CHUNK) {
      const n = yield* ksys_pwrite64(k, p.tgid, fd, iov_iter_value(0x5a, CHUNK), pos);
      if (n !== CHUNK) throw new Error(`pwrite returned ${n}`);
    }
    t.write = cpu() - t0;
    t0 = cpu();
    for (let pos = 0; pos < GiB; pos += CHUNK) {
      const n = yield* ksys_pread64(k, p.tgid, fd, iov_iter_collect(CHUNK, false), pos);
      if (n !== CHUNK) throw new Error(`pread returned ${n}`);
    }
    t.read = cpu() - t0;
    t.wall = (performance.now() - w0) / 1000;
    if (!withFsync) return;
    t0 = cpu();
    const r = yield* do_fsync(k, p.tgid, fd);
    if (r !== 0) throw new Error(`fsync returned ${r}`);
    t.fsync = cpu() - t0;
  });
  const t0 = cpu();
  const result = m.run();
  if (result.status !== 'done') throw new Error(`bench run ended ${result.status}`);
  if (withFsync) t.fsync += cpu() - t0 - t.write - t.read - t.fsync;
  return t;
}

function best(fs: FsName, withFsync: boolean, reps: number): Timing {
  const b: Timing = { write: Infinity, read: Infinity, fsync: Infinity, wall: Infinity };
  for (let i = 0; i < reps; i++) {
    const t = run(fs, withFsync);
    b.write = Math.min(b.write, t.write);
    b.read = Math.min(b.read, t.read);
    b.fsync = Math.min(b.fsync, t.fsync);
    b.wall = Math.min(b.wall, t.wall);
  }
  return b;
}

/** Every figure of this suite. */
export function runFilesBench(): BenchResult[] {
  run('tmpfs', false); // warm up
  const ext4 = best('ext4', true, 3);
  const tmpfs = best('tmpfs', false, 3);
  const row = (name: string, value: number, note: string, target = true): BenchResult => ({
    name,
    value,
    unit: 's',
    ...(target ? { target: 1, higherIsBetter: false } : {}),
    note,
  });
  const cpuNote = 'CPU time, best of 3';
  return [
    row('files: ext4 buffered write of 1 GiB (1 MiB pwrites)', ext4.write, cpuNote),
    row('files: ext4 buffered read of 1 GiB (page cache hits)', ext4.read, cpuNote),
    row('files: ext4 fsync of 1 GiB (device agent writes it)', ext4.fsync, cpuNote, false),
    row('files: tmpfs buffered write of 1 GiB', tmpfs.write, cpuNote),
    row('files: tmpfs buffered read of 1 GiB', tmpfs.read, cpuNote),
    row(
      'files: ext4 write + read of 1 GiB, wall clock',
      ext4.wall,
      'best of 3; varies with the host load',
      false,
    ),
  ];
}

/**
 * Direct I/O benchmark (issue 6): O_DIRECT pwrite(2) / pread(2) of 1 GiB on ext4 from and to a
 * populated anonymous user buffer, in 1 MiB calls as a real program makes them. Each call goes
 * the whole way: ksys_pwrite64 -> ext4 ->write_iter -> iomap_dio_rw_bio (fs/direct-io_bio.ts)
 * -> bio_iov_iter_get_pages (an ITER_UBUF iov_iter, GUP pins of the user pages) -> submit_bio
 * -> the disk's device agent -> completion, bio_release_pages (unpin; dirty the pages of a
 * read). One simulated thread issues the calls (the device agent runs beside it). Target: each
 * 1 GiB pass under a second of CPU time (CPU time because the host is shared, as in the files
 * suite; the wall-clock row is for reference).
 */
import { user_read, user_write } from '../src/kernel/arch/x86/mm/fault.js';
import { do_sys_open } from '../src/kernel/fs/open.js';
import { ksys_pread64, ksys_pwrite64 } from '../src/kernel/fs/read_write.js';
import { O_CREAT, O_DIRECT, O_RDWR } from '../src/kernel/include/fcntl.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../src/kernel/include/mman.js';
import { Kernel } from '../src/kernel/kernel.js';
import { ITER_DEST, ITER_SOURCE, iov_iter_ubuf } from '../src/kernel/lib/iov_iter.js';
import { gupState } from '../src/kernel/mm/gup_state.js';
import { ksys_mmap_pgoff } from '../src/kernel/mm/mmap.js';
import type { mm_struct } from '../src/kernel/mm/mm_struct.js';
import { Machine } from '../src/sim/machine.js';
import type { BenchResult } from './result.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** CPU seconds of this process (user + system): steadier than wall time on a shared host. */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface DioRun {
  /** CPU seconds of the write pass and of the read pass. */
  readonly write: number;
  readonly read: number;
  /** Wall seconds of both passes. */
  readonly wall: number;
  /** What the checks saw: bytes written and read, pins left, pages read back that differ. */
  readonly written: number;
  readonly readBack: number;
  readonly pinsLeft: number;
  readonly wrongPages: number;
}

/**
 * One run: populate a `bytes` anonymous buffer (0x5a), O_DIRECT-write it to a fresh ext4 file
 * in `chunk`-byte pwrites, overwrite the buffer (0x00), O_DIRECT-read the file back into it in
 * `chunk`-byte preads, and check the buffer. Only the two passes are timed.
 */
export function dioRun(bytes: number, chunk: number): DioRun {
  const m = new Machine({ trace: false, maxSteps: Infinity });
  const k = new Kernel(m, { memory: bytes + 256 * MiB });
  const p = k.createProcess('bench');
  const r = { write: 0, read: 0, wall: 0, written: 0, readBack: 0, pinsLeft: 0, wrongPages: 0 };
  const task = k.spawnUser(p, 'io', function* () {
    const mm = p.mm as mm_struct;
    const prot = PROT_READ | PROT_WRITE;
    const buf = yield* ksys_mmap_pgoff(k, mm, 0, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    if ((yield* user_write(k, task, buf, bytes, 0x5a)) !== 0) throw new Error('populate failed');
    const fd = yield* do_sys_open(k, p.tgid, '/bench', O_CREAT | O_RDWR | O_DIRECT, 0o644, 'ext4');
    if (fd < 0) throw new Error(`open: ${fd}`);
    const w0 = performance.now();
    let t0 = cpu();
    for (let pos = 0; pos < bytes; pos += chunk) {
      const it = iov_iter_ubuf(ITER_SOURCE, task, buf + pos, chunk);
      const n = yield* ksys_pwrite64(k, p.tgid, fd, it, pos);
      if (n !== chunk) throw new Error(`pwrite returned ${n}`);
      r.written += n;
    }
    r.write = cpu() - t0;
    r.wall = performance.now() - w0;
    if ((yield* user_write(k, task, buf, bytes, 0)) !== 0) throw new Error('overwrite failed');
    const w1 = performance.now();
    t0 = cpu();
    for (let pos = 0; pos < bytes; pos += chunk) {
      const it = iov_iter_ubuf(ITER_DEST, task, buf + pos, chunk);
      const n = yield* ksys_pread64(k, p.tgid, fd, it, pos);
      if (n !== chunk) throw new Error(`pread returned ${n}`);
      r.readBack += n;
    }
    r.read = cpu() - t0;
    r.wall = (r.wall + performance.now() - w1) / 1000;
    const back = yield* user_read(k, task, buf, bytes);
    if (typeof back === 'number') throw new Error(`user_read: ${back}`);
    r.wrongPages = back.filter((v) => v !== 0x5a).length;
    r.pinsLeft = gupState(k).outstanding;
  });
  const result = m.run();
  if (result.status !== 'done') throw new Error(`bench run ended ${result.status}`);
  if (r.written !== bytes || r.readBack !== bytes || r.wrongPages !== 0 || r.pinsLeft !== 0)
    throw new Error(`direct I/O went wrong: ${JSON.stringify(r)}`);
  return r;
}

/** Every figure of this suite. */
export function runDioBench(): BenchResult[] {
  dioRun(64 * MiB, MiB); // warm up
  let best: DioRun | undefined;
  let bestRead: DioRun | undefined;
  for (let i = 0; i < 3; i++) {
    const t = dioRun(GiB, MiB);
    if (best === undefined || t.write < best.write) best = t;
    if (bestRead === undefined || t.read < bestRead.read) bestRead = t;
  }
  const note = 'CPU time, best of 3';
  return [
    {
      name: 'dio: ext4 O_DIRECT write of 1 GiB (1 MiB pwrites)',
      value: best!.write,
      unit: 's',
      target: 1,
      higherIsBetter: false,
      note,
    },
    {
      name: 'dio: ext4 O_DIRECT read of 1 GiB (1 MiB preads)',
      value: bestRead!.read,
      unit: 's',
      target: 1,
      higherIsBetter: false,
      note,
    },
    {
      name: 'dio: ext4 O_DIRECT write + read of 1 GiB, wall',
      value: Math.min(best!.wall, bestRead!.wall),
      unit: 's',
      higherIsBetter: false,
      note: 'best of 3; varies with the host load',
    },
  ];
}

/**
 * The race of the 2018 report under the scheduler: a thread writes a pinned file page back
 * (fsync) while a device writes through the pin and the driver then releases the pin without
 * dirtying the page. Whether the write is lost depends on whether the device writes before or
 * after the disk reads the page; random schedules find both, and replaying a failing schedule
 * reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { installAlwaysOnCheckers } from '../../../src/check/index.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../src/kernel/include/mman.js';
import { user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { Kernel, type KernelConfig } from '../../../src/kernel/kernel.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import {
  Completion,
  RandomChooser,
  ReplayChooser,
  complete,
  defineProgram,
  runProgram,
  wait_for_completion,
  type Machine,
  type Program,
} from '../../../src/sim/index.js';
import { MiB, PAGE, dmaWrite, mmapFile, open, pwrite, type World } from './helpers.js';

function program(): Program {
  return defineProgram({
    name: 'pin-write-vs-writeback',
    setup(m: Machine) {
      const k = new Kernel(m, { memory: 64 * MiB } as KernelConfig);
      installAlwaysOnCheckers(k);
      const p = k.createProcess('app');
      const w: World = { m, k, p, mm: p.mm as mm_struct };
      const pinned = new Completion(m, 'pinned');
      const pages: number[] = [];
      const box: { t: ReturnType<Kernel['spawnUser']> | null } = { t: null };
      box.t = k.spawnUser(p, 'app', function* () {
        const fd = yield* open(w, '/data', O_CREAT | O_RDWR, 'ext4');
        yield* pwrite(w, fd, 0x11, PAGE, 0);
        const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
        yield* user_write(k, box.t!, addr, PAGE, 0x22);
        yield* pin_user_pages_fast(k, addr, 1, FOLL_WRITE, pages);
        yield* complete(pinned);
        yield* do_fsync(k, p.tgid, fd);
      });
      k.spawnUser(p, 'driver', function* () {
        yield* wait_for_completion(pinned);
        yield* dmaWrite(w, pages[0]!, 0x33);
        unpin_user_pages(k, pages, 1);
      });
    },
  });
}

describe('writeback racing a write through a pin', () => {
  it('loses the write in some schedules and not in others; a failing schedule replays', () => {
    const p = program();
    const failing: string[] = [];
    let passing = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { result } = runProgram(p, { chooser: new RandomChooser(seed), maxSteps: 200_000 });
      expect(result.status).toBe('done');
      const ids = result.violations.map((v) => v.id);
      if (ids.includes('fs.pin-write-after-clean')) failing.push(result.schedule);
      else passing++;
    }
    expect(failing.length).toBeGreaterThan(0);
    expect(passing).toBeGreaterThan(0);
    const replay = runProgram(p, { chooser: new ReplayChooser(failing[0]!) }).result;
    expect(replay.violations.map((v) => v.id)).toContain('fs.pin-write-after-clean');
  });
});

/**
 * Concurrency: every interleaving the explorer finds of two threads faulting, forking and
 * unmapping in one address space ends without a model bug, a lockdep report or a leaked page,
 * and with the data a user would expect (mmap_lock, page-table locks and pte_same re-checks).
 */
import { describe, expect, it } from 'vitest';
import { exploreDfs } from '../../../src/explore/index.js';
import {
  Completion,
  complete,
  defineProgram,
  wait_for_completion,
  type Machine,
} from '../../../src/sim/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_exit } from '../../../src/kernel/kernel/exit.js';
import { ksys_mmap_pgoff, vm_munmap } from '../../../src/kernel/mm/mmap.js';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { task_struct } from '../../../src/kernel/sched/task.js';
import { MiB, PAGE, freePages } from './helpers.js';

interface Shared {
  addr: number;
  childValue: number[] | number;
}

function program(kind: 'write-write' | 'fork-write' | 'munmap-write', checks: string[]) {
  return defineProgram({
    name: kind,
    setup(m: Machine) {
      const k = new Kernel(m, { memory: 32 * MiB });
      const p = k.createProcess('p');
      const before = freePages(k);
      const ready = new Completion(m, 'ready');
      const s: Shared = { addr: 0, childValue: -1 };
      let t1: task_struct | null = null;
      let t2: task_struct | null = null;
      t1 = k.spawnUser(p, 't1', function* () {
        s.addr = yield* ksys_mmap_pgoff(
          k,
          p.mm as mm_struct,
          0,
          2 * PAGE,
          PROT_READ | PROT_WRITE,
          MAP_PRIVATE | MAP_ANONYMOUS,
          null,
          0,
        );
        yield* user_write(k, t1!, s.addr, PAGE, 1);
        yield* complete(ready);
        if (kind === 'write-write') yield* user_write(k, t1!, s.addr + PAGE, PAGE, 3);
        if (kind === 'fork-write') {
          const c = yield* kernel_clone(k, p);
          if (typeof c === 'number') throw new Error('fork failed');
          const ct = Object.assign(
            Object.create(Object.getPrototypeOf(t1) as object) as task_struct,
            t1,
            { mm: c.mm },
          );
          s.childValue = yield* user_read(k, ct, s.addr, 1);
          yield* do_exit(k, c);
        }
        if (kind === 'munmap-write') yield* vm_munmap(k, p.mm as mm_struct, s.addr, PAGE);
      });
      t2 = k.spawnUser(p, 't2', function* () {
        yield* wait_for_completion(ready);
        const r = yield* user_write(k, t2!, s.addr, PAGE, 2);
        if (kind !== 'munmap-write' && r !== 0) checks.push(`store failed: ${r}`);
      });
      m.addEndChecker({
        id: 'test.mm-consistent',
        description: 'data and page accounting after the race',
        kernelRef: '-',
        atEnd: () => {
          const v = k.mem.content;
          void v;
          if (
            kind === 'fork-write' &&
            JSON.stringify(s.childValue) !== '[1]' &&
            JSON.stringify(s.childValue) !== '[2]'
          ) {
            checks.push(`child read ${JSON.stringify(s.childValue)}`);
          }
          const mm = p.mm;
          if (mm === null) return;
          const left = before - freePages(k);
          // what is left mapped: at most the two pages of the buffer (and their page tables aside)
          if (left < 0 || left > 2) checks.push(`${left} pages unaccounted for`);
        },
      });
    },
  });
}

describe('races', () => {
  for (const kind of ['write-write', 'fork-write', 'munmap-write'] as const) {
    it(`every interleaving of ${kind} ends cleanly`, () => {
      const checks: string[] = [];
      const bad: string[] = [];
      const r = exploreDfs(program(kind, checks), {
        maxExecutions: 400,
        onExecution: (res) => {
          for (const v of res.violations) bad.push(`${v.id}: ${v.message} [${res.schedule}]`);
          if (res.status !== 'done') bad.push(`${res.status} [${res.schedule}]`);
          return bad.length === 0;
        },
      });
      expect(bad).toEqual([]);
      expect(checks).toEqual([]);
      expect(r.executions).toBeGreaterThan(1);
    });
  }
});

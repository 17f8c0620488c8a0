/**
 * Migration benchmark (issue 6): mm/migrate.c migrate_pages of 1 GiB of populated, unpinned
 * anonymous memory. migrate_pages is the path that takes a plain list of folios: the list is
 * built the way do_migrate_range (memory_hotplug.ts) builds its own, folio by folio with
 * isolate_folio_to_list (off the LRU, one isolation reference), then one migrate_pages call
 * with alloc_migration_target (GFP_USER), MIGRATE_SYNC, MR_SYSCALL moves every folio: lock,
 * try_to_migrate (PTEs -> migration entries), reference check, copy into the new folio,
 * remove_migration_ptes, free the old one. Compaction and offline_pages reach the same
 * migrate_pages after scanning pfn ranges, which would be timed too. One simulated thread
 * runs, so scheduling points are elided (mm/solo.ts). Target: >= 1 million 4 KiB pages per
 * second; the THP row (2 MiB folios) is for reference.
 */
import { user_read, user_write } from '../src/kernel/arch/x86/mm/fault.js';
import { user_page_at } from '../src/kernel/block/dio_target.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../src/kernel/include/mman.js';
import { Kernel } from '../src/kernel/kernel.js';
import {
  MIGRATE_SYNC,
  MR_SYSCALL,
  alloc_migration_target,
  isolate_folio_to_list,
  migrate_pages,
} from '../src/kernel/mm/migrate.js';
import { ksys_mmap_pgoff } from '../src/kernel/mm/mmap.js';
import type { mm_struct } from '../src/kernel/mm/mm_struct.js';
import { folio_nr_pages, page_folio } from '../src/mm/index.js';
import { Machine } from '../src/sim/machine.js';
import type { BenchResult } from './result.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PAGE = 4096;

export interface MigrateRun {
  /** Milliseconds of the migrate_pages call, and of building the isolated list before it. */
  readonly ms: number;
  /** CPU milliseconds of this process (user + system, every thread) during the call. */
  readonly cpuMs: number;
  readonly isolateMs: number;
  /** 4 KiB pages and folios on the list; folios migrate_pages could not migrate. */
  readonly pages: number;
  readonly folios: number;
  readonly failed: number;
  /** Pages that still map their old frame afterwards, or read back changed. */
  readonly unmoved: number;
  readonly wrongPages: number;
}

/**
 * Populate `bytes` of anonymous memory (4 KiB pages, or THP), isolate every folio mapped there
 * and migrate the list; check that every page now maps a new frame with its old content.
 */
export function migrateRun(bytes: number, thp: boolean): MigrateRun {
  const m = new Machine({ trace: false, maxSteps: Infinity });
  const k = new Kernel(m, {
    memory: 2 * bytes + 256 * MiB,
    thp: [{ size: 2 * MiB, policy: thp ? 'always' : 'never' }],
  });
  const p = k.createProcess('bench');
  const r = {
    ms: 0,
    cpuMs: 0,
    isolateMs: 0,
    pages: 0,
    folios: 0,
    failed: 0,
    unmoved: 0,
    wrongPages: 0,
  };
  const task = k.spawnUser(p, 'main', function* () {
    const mm = p.mm as mm_struct;
    const prot = PROT_READ | PROT_WRITE;
    const a = yield* ksys_mmap_pgoff(k, mm, 0, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    if ((yield* user_write(k, task, a, bytes, 0x5a)) !== 0) throw new Error('populate failed');
    const before: number[] = [];
    for (let addr = a; addr < a + bytes; addr += PAGE) before.push(user_page_at(k, mm, addr));
    const t0 = performance.now();
    const list: number[] = [];
    for (let i = 0; i < before.length;) {
      const folio = page_folio(k.mem, before[i]!);
      if (!isolate_folio_to_list(k, folio, list)) throw new Error('isolation failed');
      i += folio_nr_pages(k.mem, folio);
    }
    r.folios = list.length;
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    r.failed = yield* migrate_pages(k, list, alloc_migration_target, MIGRATE_SYNC, MR_SYSCALL);
    r.ms = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    r.cpuMs = (cpu.user + cpu.system) / 1000;
    r.isolateMs = t1 - t0;
    r.pages = before.length;
    for (let i = 0; i < before.length; i++)
      if (user_page_at(k, mm, a + i * PAGE) === before[i]) r.unmoved++;
    const back = yield* user_read(k, task, a, bytes);
    if (typeof back === 'number') throw new Error(`user_read: ${back}`);
    r.wrongPages = back.filter((v) => v !== 0x5a).length;
  });
  const result = m.run();
  if (result.status !== 'done') throw new Error(`bench run ended ${result.status}`);
  if (r.failed !== 0 || r.unmoved !== 0 || r.wrongPages !== 0)
    throw new Error(`migration went wrong: ${JSON.stringify(r)}`);
  return r;
}

function best(n: number, f: () => MigrateRun): MigrateRun {
  let b = f();
  for (let i = 1; i < n; i++) {
    const r = f();
    if (r.ms < b.ms) b = r;
  }
  return b;
}

/** Every figure of this suite. */
export function runMigrateBench(): BenchResult[] {
  migrateRun(64 * MiB, false); // warm up
  const small = best(3, () => migrateRun(GiB, false));
  const thp = best(3, () => migrateRun(GiB, true));
  const perSecond = (r: MigrateRun): number => r.pages / (r.ms / 1000);
  return [
    {
      name: 'migrate: migrate_pages of 1 GiB anon, 4 KiB pages',
      value: perSecond(small),
      unit: 'pages/s',
      target: 1_000_000,
      higherIsBetter: true,
      note: `${small.ms.toFixed(0)} ms (CPU ${small.cpuMs.toFixed(0)} ms); isolating the list ${small.isolateMs.toFixed(0)} ms; best of 3`,
    },
    {
      name: 'migrate: migrate_pages of 1 GiB anon, THP',
      value: perSecond(thp),
      unit: 'pages/s',
      higherIsBetter: true,
      note: `${thp.ms.toFixed(1)} ms (CPU ${thp.cpuMs.toFixed(1)} ms) for ${thp.pages / 512} THPs; best of 3`,
    },
  ];
}

/**
 * The kernel's GUP benchmark: mm/gup_test.c (the debugfs ioctl) and the user side of
 * tools/testing/selftests/mm/gup_test.c (map a region, fault it in from user space, run the
 * ioctl `repeat` times). Get and put are timed separately, with a clock the caller supplies
 * (nothing in the core reads the wall clock). The machine runs one thread, so GUP elides its
 * scheduling points (gup_solo): what is timed is the model's kernel work.
 */
import {
  PAGE_SIZE,
  PMD_SIZE,
  folio_is_longterm_pinnable,
  folio_maybe_dma_pinned,
  page_folio,
} from '../../mm/index.js';
import { Machine } from '../../sim/machine.js';
import type { Sched } from '../../sim/thread.js';
import { EINVAL, EINTR } from '../include/errno.js';
import { FOLL_LONGTERM } from '../include/gup_flags.js';
import {
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MAP_ANONYMOUS,
  MAP_HUGETLB,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../include/mman.js';
import { user_write } from '../arch/x86/mm/fault.js';
import { Kernel } from '../kernel.js';
import type { task_struct } from '../sched/task.js';
import { get_user_pages, get_user_pages_fast, pin_user_pages, pin_user_pages_fast } from './gup.js';
import { gup_warn } from './gup_call.js';
import { gup_solo } from './gup_state.js';
import { put_page, unpin_user_pages } from './gup_unpin.js';
import { do_madvise } from './madvise.js';
import { vm_mmap_pgoff } from './mmap.js';
import { mmap_read_lock_killable, mmap_read_unlock } from './mmap_lock.js';

/** mm/gup_test.h: the ioctl commands (_IOWR('g', n, struct gup_test)), by their number n. */
export const GUP_FAST_BENCHMARK = 1;
export const PIN_FAST_BENCHMARK = 2;
export const PIN_LONGTERM_BENCHMARK = 3;
export const GUP_BASIC_TEST = 4;
export const PIN_BASIC_TEST = 5;

export const GUP_TEST_COMMANDS: Readonly<Record<string, number>> = {
  GUP_FAST_BENCHMARK,
  PIN_FAST_BENCHMARK,
  PIN_LONGTERM_BENCHMARK,
  GUP_BASIC_TEST,
  PIN_BASIC_TEST,
};

/** mm/gup_test.h: struct gup_test (the fields the benchmark uses). */
export interface gup_test {
  get_delta_usec: number;
  put_delta_usec: number;
  addr: number;
  size: number;
  nr_pages_per_call: number;
  gup_flags: number;
}

const MiB = 1 << 20;
const GiB = 1 << 30;

/** A clock in nanoseconds (ktime_get). */
export type Clock = () => number;

/** mm/gup_test.c: put_back_pages. @fidelity exact */
function put_back_pages(k: Kernel, cmd: number, pages: Int32Array, nr_pages: number): void {
  if (cmd === GUP_FAST_BENCHMARK || cmd === GUP_BASIC_TEST) {
    for (let i = 0; i < nr_pages; i++) put_page(k, pages[i]!);
  } else {
    unpin_user_pages(k, pages, nr_pages);
  }
}

/** mm/gup_test.c: verify_dma_pinned (untimed). @fidelity exact */
function verify_dma_pinned(k: Kernel, cmd: number, pages: Int32Array, nr_pages: number): void {
  if (cmd === GUP_FAST_BENCHMARK || cmd === GUP_BASIC_TEST) return;
  for (let i = 0; i < nr_pages; i++) {
    const folio = page_folio(k.mem, pages[i]!);
    if (!folio_maybe_dma_pinned(k.mem, folio)) {
      gup_warn(
        k,
        'gup-test-not-pinned',
        `pages[${i}] is NOT dma-pinned`,
        'mm/gup_test.c: verify_dma_pinned',
      );
      return;
    }
    if (cmd === PIN_LONGTERM_BENCHMARK && !folio_is_longterm_pinnable(k.mem, folio)) {
      gup_warn(
        k,
        'gup-test-not-pinnable',
        `pages[${i}] is NOT pinnable but pinned`,
        'mm/gup_test.c: verify_dma_pinned',
      );
      return;
    }
  }
}

/** The ioctl's last pages array, per kernel: reused (zeroed again) when the size is the same. */
const pagesCache = new WeakMap<Kernel, Int32Array>();

/**
 * kvcalloc(nr_pages, sizeof(void *)): a zeroed array for the ioctl. A benchmark calls the ioctl
 * with the same size again and again: the array of the previous call is cleared and reused, so
 * that the host's garbage collector (whose threads the CPU-time clock counts) is not kept busy
 * with half-megabyte buffers. Only when the caller runs alone (no other ioctl can be using it).
 */
function pages_array(k: Kernel, nr_pages: number): Int32Array {
  if (!gup_solo(k.m)) return new Int32Array(nr_pages);
  const last = pagesCache.get(k);
  if (last !== undefined && last.length === nr_pages) return last.fill(0);
  const pages = new Int32Array(nr_pages);
  pagesCache.set(k, pages);
  return pages;
}

/**
 * mm/gup_test.c: __gup_test_ioctl: get the region `nr_pages_per_call` pages at a time (holding
 * mmap_lock for the non-fast commands), then put everything back; both timed.
 * @fidelity exact
 */
export function* __gup_test_ioctl(
  k: Kernel,
  cmd: number,
  gup: gup_test,
  clock: Clock,
): Sched<number> {
  if (gup.size <= 0 || gup.nr_pages_per_call <= 0 || gup.size % PAGE_SIZE !== 0) return -EINVAL;
  const mm = k.current.mm!;
  const needs_lock = cmd !== GUP_FAST_BENCHMARK && cmd !== PIN_FAST_BENCHMARK;
  const end = gup.addr + gup.size;
  const pages = pages_array(k, gup.size / PAGE_SIZE);
  if (needs_lock && (yield* mmap_read_lock_killable(mm)) !== 0) return -EINTR;
  let i = 0;
  let nr = gup.nr_pages_per_call;
  let t0 = clock();
  for (let addr = gup.addr; addr < end && nr === gup.nr_pages_per_call;) {
    nr = Math.min(nr, (end - addr) / PAGE_SIZE);
    const next = addr + nr * PAGE_SIZE;
    // The command's entry point on pages + i (the kernel's switch, inline: no extra frame).
    const flags = gup.gup_flags;
    switch (cmd) {
      case GUP_FAST_BENCHMARK:
        nr = yield* get_user_pages_fast(k, addr, nr, flags, pages, i);
        break;
      case GUP_BASIC_TEST:
        nr = yield* get_user_pages(k, addr, nr, flags, pages, i);
        break;
      case PIN_FAST_BENCHMARK:
        nr = yield* pin_user_pages_fast(k, addr, nr, flags, pages, i);
        break;
      case PIN_BASIC_TEST:
        nr = yield* pin_user_pages(k, addr, nr, flags, pages, i);
        break;
      default:
        nr = yield* pin_user_pages(k, addr, nr, flags | FOLL_LONGTERM, pages, i);
    }
    if (nr <= 0) break;
    i += nr;
    addr = next;
  }
  gup.get_delta_usec = (clock() - t0) / 1000;
  gup.size = i * PAGE_SIZE;
  verify_dma_pinned(k, cmd, pages, i);
  t0 = clock();
  put_back_pages(k, cmd, pages, i);
  gup.put_delta_usec = (clock() - t0) / 1000;
  if (needs_lock) yield* mmap_read_unlock(mm);
  return 0;
}

/** The selftest's options (tools/testing/selftests/mm/gup_test.c). */
export interface GupTestOptions {
  readonly cmd: number;
  /** Region size in bytes (-m, in MiB there). */
  readonly size: number;
  readonly nr_pages_per_call: number;
  /** -t: MADV_HUGEPAGE; false (-T): MADV_NOHUGEPAGE; null: neither. */
  readonly thp: boolean | null;
  /** -H: MAP_HUGETLB (2 MiB pages, pool sized for the region). */
  readonly hugetlb: boolean;
  /** -w: FOLL_WRITE. */
  readonly write: boolean;
  /** -S: MAP_SHARED. */
  readonly shared: boolean;
  readonly repeat: number;
}

/** One run of the selftest: the pages each ioctl got and its timings. */
export interface GupTestResult {
  readonly pages: number;
  readonly get_usec: readonly number[];
  readonly put_usec: readonly number[];
  /** Violations the run reported (none expected). */
  readonly violations: readonly string[];
}

function machineFor(o: GupTestOptions): Kernel {
  const m = new Machine({ trace: false, maxSteps: Number.MAX_SAFE_INTEGER });
  const memory = Math.ceil((o.size * 1.25 + 64 * MiB) / GiB) * GiB;
  const hugetlb = o.hugetlb ? { '2MiB': Math.ceil(o.size / PMD_SIZE) } : undefined;
  return new Kernel(m, { memory, ...(hugetlb !== undefined ? { hugetlb } : {}) });
}

function* mapRegion(k: Kernel, task: task_struct, o: GupTestOptions): Sched<number> {
  const mm = task.mm!;
  let flags = (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
  if (o.hugetlb) flags |= MAP_HUGETLB;
  const addr = yield* vm_mmap_pgoff(k, mm, null, 0, o.size, PROT_READ | PROT_WRITE, flags, 0);
  if (addr < 0) return addr;
  if (o.thp !== null)
    yield* do_madvise(k, mm, addr, o.size, o.thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  for (let p = addr; p < addr + o.size; p += PAGE_SIZE) {
    const ret = yield* user_write(k, task, p, 1, 0);
    if (ret < 0) return ret;
  }
  return addr;
}

/**
 * tools/testing/selftests/mm/gup_test.c: main: map and fault in the region, then run the
 * command `repeat` times.
 * @fidelity simplified: one process, one thread, a fresh machine per run
 */
export function gup_test_run(o: GupTestOptions, clock: Clock): GupTestResult {
  const k = machineFor(o);
  const p = k.createProcess('gup_test');
  const get: number[] = [];
  const put: number[] = [];
  let pages = 0;
  let failure = 0;
  k.spawnUser(p, 'gup_test', function* () {
    const task = k.current;
    const addr = yield* mapRegion(k, task, o);
    if (addr < 0) return void (failure = addr);
    for (let r = 0; r < o.repeat; r++) {
      const gup: gup_test = {
        get_delta_usec: 0,
        put_delta_usec: 0,
        addr,
        size: o.size,
        nr_pages_per_call: o.nr_pages_per_call,
        gup_flags: o.write ? 1 : 0,
      };
      const ret = yield* __gup_test_ioctl(k, o.cmd, gup, clock);
      if (ret < 0) return void (failure = ret);
      pages = gup.size / PAGE_SIZE;
      get.push(gup.get_delta_usec);
      put.push(gup.put_delta_usec);
    }
  });
  const res = k.m.run();
  if (failure < 0) throw new Error(`gup_test: the run failed with ${failure}`);
  return {
    pages,
    get_usec: get,
    put_usec: put,
    violations: res.violations.map((v) => `${v.id}: ${v.message}`),
  };
}

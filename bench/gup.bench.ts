/**
 * GUP benchmark: the kernel's gup_test on the model (src/kernel/mm/gup_test.ts), get and put timed
 * separately in process CPU time, per 4 KiB page, the median of several runs after warm-up runs.
 * Three warm-up runs, not one, after a warm-up of the whole process (warmUp): the first runs are
 * spent in V8's interpreter and baseline tiers while the optimising compiler works (its threads
 * count in CPU time), and that is the host warming up, not the model's kernel work.
 * Targets are the published native figures the issue quotes; the `compare` rows run the same
 * work as bench/native.ts's io_uring buffer registration (pin_user_pages(FOLL_WRITE |
 * FOLL_LONGTERM) of a populated buffer in one call, then unpin_user_pages).
 */
import {
  GUP_FAST_BENCHMARK,
  PIN_FAST_BENCHMARK,
  PIN_LONGTERM_BENCHMARK,
  gup_test_run,
  type GupTestOptions,
} from '../src/kernel/mm/gup_test.js';
import type { BenchResult } from './result.js';

const MiB = 1 << 20;
const NS = 'ns/4KiB page';
/** Runs discarded before measuring, then runs measured. */
const WARMUP = 3;
const MEASURED = 7;
const REPEAT = WARMUP + MEASURED;

/** Process CPU time in ns: a loaded machine does not inflate the figures. */
function cpuClock(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Case {
  readonly name: string;
  readonly o: GupTestOptions;
  readonly getTarget?: number;
  readonly putTarget?: number;
  readonly compare?: 'small' | 'thp';
}

function options(
  cmd: number,
  mib: number,
  per: number,
  thp: boolean,
  write = false,
): GupTestOptions {
  return {
    cmd,
    size: mib * MiB,
    nr_pages_per_call: per,
    thp: thp ? true : null,
    hugetlb: false,
    write,
    shared: false,
    repeat: REPEAT,
  };
}

const CASES: readonly Case[] = [
  {
    name: 'GUP_FAST_BENCHMARK 128 MiB, 64 a call',
    o: options(GUP_FAST_BENCHMARK, 128, 64, false),
    getTarget: 14.6,
  },
  {
    name: 'PIN_FAST_BENCHMARK 128 MiB, 512 a call',
    o: options(PIN_FAST_BENCHMARK, 128, 512, false),
    getTarget: 14.6,
  },
  {
    name: 'PIN_LONGTERM_BENCHMARK 128 MiB, 512 a call',
    o: options(PIN_LONGTERM_BENCHMARK, 128, 512, false),
    getTarget: 62,
    putTarget: 15,
  },
  {
    name: 'PIN_LONGTERM_BENCHMARK 512 MiB THP, 512 a call',
    o: options(PIN_LONGTERM_BENCHMARK, 512, 512, true),
    getTarget: 2.9,
    putTarget: 5.5,
  },
  {
    name: 'io_uring-like pin, 128 MiB in one call',
    o: options(PIN_LONGTERM_BENCHMARK, 128, 32768, false, true),
    compare: 'small',
  },
  {
    name: 'io_uring-like pin, 512 MiB THP in one call',
    o: options(PIN_LONGTERM_BENCHMARK, 512, 131072, true, true),
    compare: 'thp',
  },
];

function rows(c: Case): BenchResult[] {
  const r = gup_test_run(c.o, cpuClock);
  const perPage = (us: readonly number[]): number => (median(us.slice(WARMUP)) * 1000) / r.pages;
  const note = `median of ${MEASURED} after ${WARMUP} warm-up runs, ${r.pages} pages, CPU time${r.violations.length > 0 ? `; ${r.violations.length} violations` : ''}`;
  const row = (what: 'get' | 'put', value: number, target?: number): BenchResult => ({
    name: `gup: ${c.name}: ${what}`,
    value,
    unit: NS,
    higherIsBetter: false,
    note,
    ...(target !== undefined ? { target } : {}),
    ...(c.compare !== undefined
      ? {
          compare: {
            key: `longterm-${what === 'get' ? 'pin' : 'unpin'}.${c.compare}`,
            side: 'gupsim' as const,
          },
        }
      : {}),
  });
  return [
    row('get', perPage(r.get_usec), c.getTarget),
    row('put', perPage(r.put_usec), c.putTarget),
  ];
}

/**
 * Warm the process up before the first case: every case's work once on a 32 MiB region, figures
 * discarded. Without it the first case measured pays for V8 compiling the GUP, fault and
 * machine code in the background (its compiler threads count in the process's CPU time), which
 * the cases after it do not.
 */
function warmUp(): void {
  for (const c of CASES) {
    const size = c.o.thp === true ? 64 * MiB : 32 * MiB;
    const per = Math.min(c.o.nr_pages_per_call, size / 4096);
    gup_test_run({ ...c.o, size, nr_pages_per_call: per, repeat: WARMUP }, cpuClock);
  }
}

/** Every figure of this suite. */
export function runGupBench(): BenchResult[] {
  warmUp();
  return CASES.flatMap(rows);
}

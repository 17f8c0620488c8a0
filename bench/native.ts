/**
 * Native benchmarks: the host kernel doing the work gupsim models, measured by the C programs in
 * native/ (built with `cc -O2 -Wall -Werror` in a scratch directory, run one at a time under a
 * time limit). Each figure is the median over repetitions and carries a `compare` key, so a
 * model suite reporting the same key is printed beside it (bench/compare.ts).
 *
 *   anon write fault   native/fault.c   ns per 4 KiB page, small pages and THP
 *   fork               native/fork.c    ms for fork() with 1 GiB of populated anon memory
 *   longterm pin       native/pin.c     io_uring IORING_(UN)REGISTER_BUFFERS, ns per 4 KiB page
 *
 * A figure the host cannot measure (not Linux, no cc, io_uring disabled, THP never) is reported
 * as skipped with the reason, never as a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NATIVE_DIR,
  compileC,
  describeOutcome,
  probeHost,
  runBinary,
  whyNot,
  withCleanup,
  type Capability,
  type HostProbe,
} from '../src/cli/host/index.js';
import { lastJsonLine } from '../src/cli/host/tap.js';
import { fmt } from './compare.js';
import type { BenchResult } from './result.js';

const NS_PER_PAGE = 'ns/4KiB page';
const TIMEOUT_MS = 120_000;

/** One figure read from a program's JSON. */
interface Figure {
  readonly key: string;
  readonly name: string;
  readonly unit: string;
  readonly field: string;
}

/** One run of one program, and the figures it yields. */
interface Measurement {
  readonly program: 'fault' | 'fork' | 'pin';
  readonly args: readonly string[];
  readonly needs: readonly Capability[];
  readonly figures: readonly Figure[];
}

function figure(key: string, name: string, unit: string, field: string): Figure {
  return { key, name: `host: ${name}`, unit, field };
}

const MEASUREMENTS: readonly Measurement[] = [
  {
    program: 'fault',
    args: ['small', '512', '7'],
    needs: [],
    figures: [
      figure('anon-write-fault.small', 'anon write fault, 4 KiB pages', NS_PER_PAGE, 'ns_per_4k'),
    ],
  },
  {
    program: 'fault',
    args: ['thp', '512', '7'],
    needs: ['thp'],
    figures: [figure('anon-write-fault.thp', 'anon write fault, THP', NS_PER_PAGE, 'ns_per_4k')],
  },
  {
    program: 'fork',
    args: ['small', '1024', '7'],
    needs: [],
    figures: [figure('fork-1g.small', 'fork, 1 GiB populated anon, 4 KiB pages', 'ms', 'ms')],
  },
  {
    program: 'fork',
    args: ['thp', '1024', '7'],
    needs: ['thp'],
    figures: [figure('fork-1g.thp', 'fork, 1 GiB populated anon, THP', 'ms', 'ms')],
  },
  {
    program: 'pin',
    args: ['small', '1024', '9'],
    needs: ['io_uring'],
    figures: [
      figure('longterm-pin.small', 'io_uring pin, 4 KiB pages', NS_PER_PAGE, 'pin_ns_per_4k'),
      figure('longterm-unpin.small', 'io_uring unpin, 4 KiB pages', NS_PER_PAGE, 'unpin_ns_per_4k'),
    ],
  },
  {
    program: 'pin',
    args: ['thp', '1024', '9'],
    needs: ['io_uring', 'thp'],
    figures: [
      figure('longterm-pin.thp', 'io_uring pin, THP', NS_PER_PAGE, 'pin_ns_per_4k'),
      figure('longterm-unpin.thp', 'io_uring unpin, THP', NS_PER_PAGE, 'unpin_ns_per_4k'),
    ],
  },
];

function skipped(m: Measurement, reason: string): BenchResult[] {
  return m.figures.map((f) => ({
    name: f.name,
    value: NaN,
    unit: f.unit,
    higherIsBetter: false,
    compare: { key: f.key, side: 'host' },
    skipped: reason,
  }));
}

/** How the figure was taken, and whether THP really backed the region. */
function noteOf(m: Measurement, json: Record<string, unknown>, f: Figure): string {
  const mib = Number(json['bytes']) / (1 << 20);
  const best = json[`${f.field}_best`];
  const parts = [`median of ${String(json['reps'])} x ${mib} MiB, best ${fmt(Number(best))}`];
  if (m.args[0] === 'thp') {
    const frac = Number(json['thp_fraction']);
    parts.push(frac >= 0.9 ? 'THP-backed' : `only ${(frac * 100).toFixed(0)}% THP-backed`);
  }
  if (typeof json['memlock'] === 'string') parts.push(`memlock: ${json['memlock']}`);
  return parts.join('; ');
}

function rowsOf(m: Measurement, json: Record<string, unknown>): BenchResult[] {
  return m.figures.map((f) => ({
    name: f.name,
    value: Number(json[f.field]),
    unit: f.unit,
    higherIsBetter: false,
    note: noteOf(m, json, f),
    compare: { key: f.key, side: 'host' },
  }));
}

async function measure(m: Measurement, binary: string, probe: HostProbe): Promise<BenchResult[]> {
  const why = whyNot(probe, ...m.needs);
  if (why !== undefined) return skipped(m, why);
  const run = await runBinary(binary, { args: m.args, timeoutMs: TIMEOUT_MS });
  const json = lastJsonLine(run.stdout);
  if (run.status !== 0 || json === undefined) {
    const detail = run.stderr.trim().split('\n')[0] ?? '';
    return skipped(
      m,
      `${m.program} ${m.args.join(' ')}: ${describeOutcome(run, TIMEOUT_MS)} ${detail}`,
    );
  }
  if (typeof json['skip'] === 'string') return skipped(m, json['skip']);
  return rowsOf(m, json);
}

export async function runNativeBench(): Promise<BenchResult[]> {
  const probe = probeHost();
  const cannot = whyNot(probe, 'linux', 'cc');
  if (cannot !== undefined) return MEASUREMENTS.flatMap((m) => skipped(m, cannot));
  return withCleanup(async (c) => {
    const dir = c.scratchDir('gupsim-native-');
    const binaries = new Map<string, string>();
    for (const name of new Set(MEASUREMENTS.map((m) => m.program))) {
      const source = readFileSync(join(NATIVE_DIR, `${name}.c`), 'utf8');
      binaries.set(name, await compileC({ source, name, dir }));
    }
    const rows: BenchResult[] = [];
    for (const m of MEASUREMENTS) rows.push(...(await measure(m, binaries.get(m.program)!, probe)));
    return rows;
  });
}

/**
 * `gupsim bench gup [COMMAND]`: the kernel's gup_test benchmark on the model
 * (tools/testing/selftests/mm/gup_test.c driving mm/gup_test.c; src/kernel/mm/gup_test.ts).
 * Get and put are timed separately, in process CPU time (a loaded machine does not inflate
 * them); the figures are per 4 KiB page. With --json: one object.
 */
import { GUP_TEST_COMMANDS, gup_test_run, type GupTestOptions } from '../../kernel/mm/gup_test.js';
import { CliError, EXIT_PASS } from '../errors.js';
import { parseCount } from '../options.js';
import { out } from '../style.js';

export interface BenchFlags {
  readonly size?: string;
  readonly nrPagesPerCall?: string;
  readonly thp?: boolean;
  readonly hugetlb?: boolean;
  readonly write?: boolean;
  readonly shared?: boolean;
  readonly repeat?: string;
  readonly json?: boolean;
}

const UNITS: Readonly<Record<string, number>> = { KiB: 1 << 10, MiB: 1 << 20, GiB: 1 << 30 };

/** `128MiB`, `4KiB`, `1GiB`, or a bare number of MiB (gup_test's -m). */
export function parseSize(s: string): number {
  const m = /^(\d+)(KiB|MiB|GiB)?$/.exec(s);
  if (m === null)
    throw new CliError(
      `--size '${s}' is not a size (128MiB, 4KiB, 1GiB, or MiB as a number)`,
      'GS220',
    );
  const bytes = Number(m[1]) * (m[2] === undefined ? UNITS['MiB']! : UNITS[m[2]]!);
  if (bytes === 0 || bytes % 4096 !== 0)
    throw new CliError(`--size '${s}' must be a positive multiple of 4KiB`, 'GS220');
  return bytes;
}

function commandOf(name: string): number {
  const cmd = GUP_TEST_COMMANDS[name];
  if (cmd === undefined) {
    throw new CliError(
      `'${name}' is not a gup_test command: ${Object.keys(GUP_TEST_COMMANDS).join(', ')}`,
      'GS221',
    );
  }
  return cmd;
}

/** Process CPU time in nanoseconds. */
function cpuClock(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function optionsOf(command: string, flags: BenchFlags): GupTestOptions {
  return {
    cmd: commandOf(command),
    size: parseSize(flags.size ?? '128MiB'),
    nr_pages_per_call: parseCount('--nr-pages-per-call', flags.nrPagesPerCall) ?? 1,
    thp: flags.thp === true ? true : null,
    hugetlb: flags.hugetlb === true,
    write: flags.write === true,
    shared: flags.shared === true,
    repeat: parseCount('--repeat', flags.repeat) ?? 1,
  };
}

export async function benchCommand(
  suite: string,
  command: string,
  flags: BenchFlags,
): Promise<number> {
  if (suite !== 'gup')
    throw new CliError(`unknown benchmark '${suite}': the only one is 'gup'`, 'GS222');
  const o = optionsOf(command, flags);
  const r = gup_test_run(o, cpuClock);
  const getUsec = median(r.get_usec);
  const putUsec = median(r.put_usec);
  const row = {
    command,
    pages: r.pages,
    nrPagesPerCall: o.nr_pages_per_call,
    repeat: o.repeat,
    thp: o.thp === true,
    hugetlb: o.hugetlb,
    write: o.write,
    shared: o.shared,
    getUsec,
    putUsec,
    getNsPerPage: (getUsec * 1000) / Math.max(1, r.pages),
    putNsPerPage: (putUsec * 1000) / Math.max(1, r.pages),
    getUsecAll: r.get_usec,
    putUsecAll: r.put_usec,
    violations: r.violations,
  };
  if (flags.json === true) {
    out(JSON.stringify(row));
    return EXIT_PASS;
  }
  r.get_usec.forEach((g, i) =>
    out(`${command}: Time: get:${g.toFixed(0)} put:${r.put_usec[i]!.toFixed(0)} us`),
  );
  out(
    `${command}: ${r.pages} pages, ${o.nr_pages_per_call} a call: get ${row.getNsPerPage.toFixed(1)} ns/page, put ${row.putNsPerPage.toFixed(1)} ns/page (median of ${o.repeat}, CPU time)`,
  );
  for (const v of r.violations) out(`violation: ${v}`);
  return EXIT_PASS;
}

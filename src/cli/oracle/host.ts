/**
 * The host side of the oracle: build a reproducer with cc -Wall -Werror, run it under a time
 * limit in its own process group, and read what it printed: each expectation (the
 * `# expect THREAD:STEP` line before it names it), the bound names (the JSON line), and how it
 * ended. A reproducer that does not build is a gupsim bug (the compiler's output is kept); one
 * that crashes, hangs or is killed is reported as such, with its output.
 */
import {
  compileC,
  describeOutcome,
  HostError,
  parseTap,
  runBinary,
  type CleanupRegistry,
  type RunOutcome,
  type TapReport,
} from '../host/index.js';

export interface HostExpectation {
  /** `main:5` (thread and step path, as the `# expect` line names it). */
  readonly key: string;
  readonly ok: boolean;
  readonly message: string;
  /** Why the host could not observe it (`# SKIP`), if so. */
  readonly skip?: string;
}

export type HostEnd = 'passed' | 'failed' | 'skipped' | 'broke' | 'crashed' | 'hung' | 'unbuilt';

export interface HostRun {
  readonly end: HostEnd;
  /** What happened, in one line: `exit 0`, `killed by SIGSEGV`, the skip reason... */
  readonly summary: string;
  readonly expectations: readonly HostExpectation[];
  readonly bound: Readonly<Record<string, unknown>>;
  readonly tap?: TapReport;
  /** Everything it printed (or the compiler's output), for reports. */
  readonly transcript: string;
}

const EXPECT_LINE = /^# expect (\S+)/;
const RESULT_LINE = /^(not )?ok \d+ - (.*?)(?: # SKIP (.*))?$/;

/** The expectations of a reproducer's output, each with the step that checked it. */
export function hostExpectations(stdout: string): HostExpectation[] {
  const out: HostExpectation[] = [];
  let key: string | undefined;
  for (const line of stdout.split('\n')) {
    const e = EXPECT_LINE.exec(line);
    if (e !== null) {
      key = e[1];
      continue;
    }
    const r = RESULT_LINE.exec(line);
    if (r === null || key === undefined) continue;
    const skip = r[3];
    out.push({ key, ok: r[1] === undefined, message: r[2] ?? '', ...(skip ? { skip } : {}) });
    key = undefined;
  }
  return out;
}

function endOf(r: RunOutcome, tap: TapReport): HostEnd {
  if (r.timedOut) return 'hung';
  if (r.signal !== null) return 'crashed';
  if (tap.skipAll !== undefined) return 'skipped';
  if (tap.bailOut !== undefined || r.status === 2 || r.status === 3) return 'broke';
  if (r.status === 0 && tap.passed) return 'passed';
  if (r.status === 1) return 'failed';
  return 'crashed';
}

function summaryOf(end: HostEnd, r: RunOutcome, tap: TapReport, timeoutMs: number): string {
  if (end === 'skipped') return tap.skipAll ?? 'skipped';
  if (end === 'broke') return `broke: ${tap.bailOut ?? describeOutcome(r)}`;
  if (end === 'hung') return describeOutcome(r, timeoutMs);
  if (end === 'crashed') return describeOutcome(r);
  const ok = tap.results.filter((x) => x.ok).length;
  return `${ok}/${tap.results.length} expectations held`;
}

export interface HostRunOptions {
  readonly name: string;
  readonly source: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** Builds and runs one reproducer in a scratch directory of `c`. */
export async function runOnHost(c: CleanupRegistry, o: HostRunOptions): Promise<HostRun> {
  const dir = c.scratchDir('gupsim-repro-');
  let binary: string;
  try {
    binary = await compileC({ source: o.source, name: o.name, dir, ldflags: ['-lpthread'] });
  } catch (e) {
    if (!(e instanceof HostError)) throw e;
    return {
      end: 'unbuilt',
      summary: 'the reproducer does not build (a gupsim bug)',
      expectations: [],
      bound: {},
      transcript: e.message,
    };
  }
  const r = await runBinary(binary, {
    cwd: dir,
    timeoutMs: o.timeoutMs,
    env: { ...process.env, ...o.env },
  });
  const tap = parseTap(r.stdout);
  const end = endOf(r, tap);
  return {
    end,
    summary: summaryOf(end, r, tap, o.timeoutMs),
    expectations: hostExpectations(r.stdout),
    bound: tap.json ?? {},
    tap,
    transcript: `${r.stdout}${r.stderr === '' ? '' : `\n--- stderr\n${r.stderr}`}`,
  };
}

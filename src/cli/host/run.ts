/**
 * Running a host program under a time limit. The program runs in its own process group, so a
 * timeout (or an exit that leaves forked children behind) kills the whole group with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { HostError } from './errors.js';

export interface RunOptions {
  readonly args?: readonly string[];
  /** Wall-clock limit; the process group is killed with SIGKILL when it passes. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (stdin is empty by default). */
  readonly input?: string;
  /** Output beyond this many bytes per stream is dropped (default 16 MiB). */
  readonly maxOutput?: number;
}

export interface RunOutcome {
  /** Exit status, or null when killed by a signal. */
  readonly status: number | null;
  /** The signal that ended the program (`SIGKILL` after a timeout), or null. */
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  readonly ms: number;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function collector(max: number): { push(b: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b) {
      if (size >= max) return;
      chunks.push(b.subarray(0, max - size));
      size += b.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** Runs `binary` to completion (or to its time limit) and captures what it did. */
export function runBinary(binary: string, o: RunOptions = {}): Promise<RunOutcome> {
  const out = collector(o.maxOutput ?? 16 << 20);
  const err = collector(o.maxOutput ?? 16 << 20);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, o.args ?? [], {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true, // a new process group (setsid), so the group can be killed as one
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, o.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the program may exit without reading stdin
    child.stdin.end(o.input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new HostError(`cannot run ${binary}: ${e.message}`, 'HOST004'));
    });
    // Children left behind would hold the pipes open: kill the group once the leader exits.
    child.on('exit', () => killGroup(child.pid));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      resolve({ status, signal, timedOut, stdout: out.text(), stderr: err.text(), ms });
    });
  });
}

/** One line describing how a run ended: `exit 0`, `killed by SIGSEGV`, `timed out after 30 s`. */
export function describeOutcome(r: RunOutcome, timeoutMs?: number): string {
  if (r.timedOut) return `timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}`;
  if (r.signal !== null) return `killed by ${r.signal}`;
  return `exit ${r.status ?? '?'}`;
}

/**
 * The cleanup registry: every scratch directory and every host change (hugetlb reservation,
 * loop mount, swap file, sysctl) registers its undo here when it is made. Undos run last-in
 * first-out, each even if an earlier one failed, and they are synchronous so that they can also
 * run from a process 'exit' or signal hook: whatever happens to the work (failure, timeout, a
 * thrown assertion, Ctrl-C), the host is put back.
 *
 *   await withCleanup(async (c) => {
 *     const dir = c.scratchDir();
 *     reserveHugePages(c, 2);           // undone: nr_hugepages restored
 *     ...
 *   });                                 // everything undone here, in reverse order
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { HostError } from './errors.js';

interface Undo {
  readonly label: string;
  readonly fn: () => void;
}

/** Registries with undos still pending, for the exit and signal hooks. */
const live = new Set<CleanupRegistry>();
let hooked = false;

function runAllLive(): void {
  for (const r of [...live]) r.run();
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', runAllLive);
  if (!isMainThread) return; // signals are delivered to the main thread only
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runAllLive();
      process.kill(process.pid, sig); // the hook was once: this time the default action runs
    });
  }
}

export class CleanupRegistry {
  private readonly undos: Undo[] = [];

  /** Registers an undo; it runs before every undo registered earlier. */
  defer(label: string, fn: () => void): void {
    installHooks();
    this.undos.push({ label, fn });
    live.add(this);
  }

  /** A fresh directory under the system temporary directory, removed (recursively) on cleanup. */
  scratchDir(prefix = 'gupsim-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** How many undos are pending. */
  get pending(): number {
    return this.undos.length;
  }

  /** Runs every pending undo, newest first; returns one message per undo that failed. */
  run(): string[] {
    const failures: string[] = [];
    for (let u = this.undos.pop(); u !== undefined; u = this.undos.pop()) {
      try {
        u.fn();
      } catch (e) {
        failures.push(`${u.label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    live.delete(this);
    return failures;
  }
}

/**
 * Runs `work` with a fresh registry and always cleans up after it. A cleanup failure is thrown
 * (HOST006) unless `work` itself threw, whose error wins and is passed on.
 */
export async function withCleanup<T>(work: (c: CleanupRegistry) => Promise<T>): Promise<T> {
  const c = new CleanupRegistry();
  let result: T;
  try {
    result = await work(c);
  } catch (e) {
    c.run();
    throw e;
  }
  const failures = c.run();
  if (failures.length > 0)
    throw new HostError(`cleanup failed:\n  ${failures.join('\n  ')}`, 'HOST006');
  return result;
}

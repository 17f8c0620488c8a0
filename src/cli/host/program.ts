/**
 * Build, run and read a host program in one call: what `gupsim oracle` and `gupsim repro` (and
 * the host checks) do with a generated C reproducer.
 */
import type { CleanupRegistry } from './cleanup.js';
import { compileC, type CompileOptions } from './compiler.js';
import { runBinary, type RunOptions, type RunOutcome } from './run.js';
import { parseTap, type TapReport } from './tap.js';

export interface HostProgram extends Omit<CompileOptions, 'dir'>, RunOptions {
  /** Where to build; a new scratch directory of `c` by default. */
  readonly dir?: string;
}

export interface HostProgramRun extends RunOutcome {
  readonly binary: string;
  /** The program's TAP lines and final JSON line. */
  readonly tap: TapReport;
}

/** Compiles `p.source`, runs the binary under its time limit and parses its output. */
export async function runCProgram(c: CleanupRegistry, p: HostProgram): Promise<HostProgramRun> {
  const binary = await compileC({ ...p, dir: p.dir ?? c.scratchDir() });
  const outcome = await runBinary(binary, p);
  return { ...outcome, binary, tap: parseTap(outcome.stdout) };
}

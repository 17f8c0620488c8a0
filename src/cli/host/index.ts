/**
 * Host-side plumbing for running real programs on the real kernel: find a compiler, build a C
 * source, run it under a time limit, read its TAP and JSON output, probe what the host can do,
 * and undo every change made to the host. Used by the host checks (test/host), the native
 * benchmarks (bench/native.ts) and the oracle and reproducer commands.
 */
export { CleanupRegistry, withCleanup } from './cleanup.js';
export {
  addHugePages,
  addSwapFile,
  freeHugePages,
  loopMount,
  makeFsImage,
  mountFs,
  reserveHugePages,
  sh,
  writeSysctl,
} from './changes.js';
export {
  DEFAULT_CFLAGS,
  NATIVE_DIR,
  compileC,
  findCompiler,
  type CompileOptions,
} from './compiler.js';
export { HostError } from './errors.js';
export {
  probeHost,
  whyNot,
  describeProbe,
  hasCap,
  CAP,
  type Capability,
  type HostProbe,
} from './probe.js';
export { runCProgram, type HostProgram, type HostProgramRun } from './program.js';
export { describeOutcome, runBinary, type RunOptions, type RunOutcome } from './run.js';
export { lastJsonLine, parseTap, type TapReport, type TapResult } from './tap.js';
export { findTool, which } from './tools.js';

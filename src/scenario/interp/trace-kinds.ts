/**
 * Trace events of the scenario interpreter, added to the engine's TraceKinds: where each step
 * starts and what it returned, and runtime input errors. `gupsim explain` groups the kernel's
 * events (mm.*, gup.*, ...) under the step that caused them.
 */
export interface ScenarioTraceKinds {
  /** A step starts: its label ("3", "3.2 (iteration 4)"), operation, arguments, line. */
  'scenario.step': { step: string; op: string; args: string; line: number };
  /** A step returned: its C return value and, with `as:`, the name and what it stands for. */
  'scenario.done': { step: string; op: string; ret: number; as: string | null; value: string };
  /** A runtime input error stopped the thread. */
  'scenario.error': { code: string; message: string };
}

declare module '../../sim/trace.js' {
  // Declaration merging: the engine's event kinds grow by the interpreter's.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface TraceKinds extends ScenarioTraceKinds {}
}

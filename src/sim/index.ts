/** The simulation engine: machine, threads, chooser and schedules, kernel locking, trace. */
export { Access, EVERYTHING, conflicts, describeObj, objId, objectSpace } from './footprint.js';
export type { ObjId } from './footprint.js';
export { Rng, deriveSeed } from './rng.js';
export {
  SCHEDULE_PREFIX,
  ScheduleSyntaxError,
  decodeSchedule,
  encodeSchedule,
} from './schedule.js';
export {
  DefaultChooser,
  RandomChooser,
  ReplayChooser,
  ScheduleMismatchError,
  defaultThread,
} from './chooser.js';
export type { Chooser, StepView, ThreadDecision } from './chooser.js';
export { Machine } from './machine.js';
export type {
  EndChecker,
  Expectation,
  MachineOptions,
  RunResult,
  RunStatus,
  SpawnOptions,
} from './machine.js';
export { Thread } from './thread.js';
export type { HeldLock, Point, Sched, ThreadKind, Waitable } from './thread.js';
export { TraceRecorder } from './trace.js';
export type { LockMode, TraceEvent, TraceKind, TraceKinds, TraceListener } from './trace.js';
export { ENGINE_CHECKERS, compareViolations } from './violation.js';
export type { CheckerInfo, Violation } from './violation.js';
export { defineProgram, runProgram } from './program.js';
export { judge } from './verdict.js';
export type { Verdict, ViolationExpectation } from './verdict.js';
export type { Program, RunOptions } from './program.js';
export {
  renderTraceText,
  renderViolation,
  traceJson,
  TRACE_FORMAT,
  TRACE_VERSION,
} from './render.js';
export { cond_resched, fatal_signal_pending, signal_pending } from './sched.js';
export { EINTR, ERESTARTSYS, LockBase } from './locking/lock.js';
export {
  SpinLock,
  spin_lock,
  spin_lock_nested,
  spin_trylock,
  spin_unlock,
} from './locking/spinlock.js';
export {
  Mutex,
  mutex_is_locked,
  mutex_lock,
  mutex_lock_killable,
  mutex_lock_nested,
  mutex_trylock,
  mutex_unlock,
} from './locking/mutex.js';
export {
  RwSemaphore,
  down_read,
  down_read_killable,
  down_read_nested,
  down_read_trylock,
  down_write,
  down_write_killable,
  down_write_nested,
  down_write_trylock,
  downgrade_write,
  rwsem_is_locked,
  up_read,
  up_write,
} from './locking/rwsem.js';
export {
  SeqCount,
  raw_seqcount_try_begin,
  raw_write_seqcount_begin,
  raw_write_seqcount_end,
  read_seqcount_begin,
  read_seqcount_retry,
} from './locking/seqcount.js';
export {
  Completion,
  WaitQueueHead,
  complete,
  complete_all,
  reinit_completion,
  wait_event,
  wait_event_killable,
  wait_for_completion,
  wait_for_completion_killable,
  wake_up,
} from './locking/waitqueue.js';

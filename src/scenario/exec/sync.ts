/**
 * Executors of the sync group: one-shot events between threads (an engine Completion per event
 * name, completed for good by `signal`) and `repeat`.
 */
import { complete_all, wait_for_completion } from '../../sim/locking/waitqueue.js';
import { repeat, signal, wait } from '../ops/sync.js';
import { defineExecutor, type ExecutorEntry, type StepOutcome } from './types.js';

const DONE: StepOutcome = { primary: 0, ret: 0 };
/** Each starts with a scheduling point of its own (the completion, or the body's first step). */
const NARROW = { narrowStart: true };

export const syncExecutors: readonly ExecutorEntry[] = [
  defineExecutor(
    signal,
    function* (ctx, args) {
      yield* complete_all(ctx.event(args.name));
      return DONE;
    },
    NARROW,
  ),
  defineExecutor(
    wait,
    function* (ctx, args) {
      yield* wait_for_completion(ctx.event(args.name));
      return DONE;
    },
    NARROW,
  ),
  defineExecutor(
    repeat,
    function* (ctx, args) {
      for (let i = 0; i < args.times; i++) yield* ctx.runSteps(args.steps);
      return DONE;
    },
    NARROW,
  ),
];

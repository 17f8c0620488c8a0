/** A scenario thread while it runs: its task, its process, the enclosing `repeat` iterations. */
import type { Process, task_struct } from '../../kernel/sched/task.js';
import type { ExecutorEntry } from '../exec/types.js';
import type { Step } from '../spec.js';
import type { NameObjects } from './footprint.js';
import type { BoundValue, RunState } from './run.js';

export type ExecutorMap = ReadonlyMap<string, ExecutorEntry>;

export class ThreadRun {
  /** The task running the thread, set when it is spawned. */
  task!: task_struct;
  /** Iteration (1-based) of each enclosing `repeat`, innermost last. */
  readonly iterations: number[] = [];
  /** Steps run so far (a TypeScript thread's steps are numbered by this). */
  count = 0;
  /** The names the running step uses, resolved when it started. */
  resolved: ReadonlyMap<string, BoundValue> = new Map();

  constructor(
    readonly run: RunState,
    readonly executors: ExecutorMap,
    readonly name: string,
    /** The process the thread runs in. */
    readonly process: Process,
    /** The scenario's names as footprint objects; null for TypeScript scenarios. */
    readonly names: NameObjects | null,
  ) {}
}

/** `file:line:column` of a step; a step of a TypeScript thread has no line: its number. */
export function whereOf(step: Step): string {
  const { file, line, column } = step.pos;
  if (line > 0) return `${file}:${line}:${column}`;
  return `${file}: thread ${step.thread}, step ${step.path.join('.')}`;
}

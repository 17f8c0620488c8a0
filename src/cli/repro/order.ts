/**
 * The order in which a reproducer runs the scenario's steps: one step at a time, each step whole.
 *
 * A step instance is one execution of a leaf step (a `repeat` body step once per iteration).
 * `defaultOrder` computes what gupsim's default schedule does at step granularity: thread 0 runs
 * until it finishes or blocks on a `wait` whose event is not signalled yet, then the lowest
 * runnable thread runs (DefaultChooser: keep the current thread, else the lowest id). An `exit`
 * or a `kill` of a process ends its threads. `orderFromThreads` takes the thread of each step
 * as a run recorded it (the interpreter's trace), for any other schedule.
 */
import type { Step, ScenarioSpec, ThreadSpec } from '../../scenario/index.js';

export interface StepInstance {
  readonly step: Step;
  readonly thread: string;
  /** 0-based iteration of each enclosing `repeat`, outermost first (empty outside repeats). */
  readonly iterations: readonly number[];
  /** The `repeat` steps enclosing this one, outermost first. */
  readonly repeats: readonly Step[];
}

export interface StepOrder {
  readonly instances: readonly StepInstance[];
  /** How the order was obtained, for the program's header. */
  readonly source: string;
  /**
   * For each instance, how many instances had finished when it started: its own index unless
   * it waited in the kernel (a userfaultfd fault or read) while other threads' steps ran.
   */
  readonly starts?: readonly number[];
  /** Threads that never finished (waiting for an event nobody signals, or killed). */
  readonly unfinished: readonly { readonly thread: string; readonly why: string }[];
}

/** Instances beyond this are refused: the program would be too long to read or build. */
export const MAX_INSTANCES = 20_000;

interface Frame {
  readonly steps: readonly Step[];
  index: number;
  iteration: number;
  readonly times: number;
  readonly repeat: Step | null;
}

/** Walks one thread's steps, expanding `repeat` bodies. */
export class ThreadCursor {
  private readonly frames: Frame[];

  constructor(readonly thread: ThreadSpec) {
    this.frames = [{ steps: thread.steps, index: 0, iteration: 0, times: 1, repeat: null }];
  }

  /** The next leaf step instance, without consuming it; undefined when the thread is done. */
  peek(): StepInstance | undefined {
    for (;;) {
      const top = this.frames.at(-1);
      if (top === undefined) return undefined;
      const step = top.steps[top.index];
      if (step === undefined) {
        this.endFrame(top);
        continue;
      }
      if (step.op !== 'repeat') return this.instance(step);
      const body = step.args['steps'] as readonly Step[];
      const times = step.args['times'] as number;
      this.frames.push({ steps: body, index: 0, iteration: 0, times, repeat: step });
    }
  }

  /** Consumes the instance `peek` returned. */
  advance(): void {
    const top = this.frames.at(-1);
    if (top !== undefined) top.index++;
  }

  private endFrame(top: Frame): void {
    if (top.repeat !== null && top.iteration + 1 < top.times) {
      top.iteration++;
      top.index = 0;
      return;
    }
    this.frames.pop();
    const parent = this.frames.at(-1);
    if (parent !== undefined) parent.index++;
  }

  private instance(step: Step): StepInstance {
    const inner = this.frames.slice(1);
    return {
      step,
      thread: this.thread.name,
      iterations: inner.map((f) => f.iteration),
      repeats: inner.map((f) => f.repeat as Step),
    };
  }
}

/** The process a step acts in: its `process:`, else its thread's. */
export function actingProcess(spec: ScenarioSpec, step: Step): string {
  if (step.process !== null) return step.process.name;
  const thread = spec.threads.find((t) => t.name === step.thread);
  return thread?.process.name ?? '';
}

/** Processes an instance ends: `exit` and `kill` (of a whole process) end the acting process. */
export function processEnded(spec: ScenarioSpec, inst: StepInstance): string | undefined {
  const op = inst.step.op;
  if (op === 'exit' || (op === 'kill' && inst.step.args['thread'] === undefined))
    return actingProcess(spec, inst.step);
  return undefined;
}

class TooLong extends Error {}

function push(out: StepInstance[], inst: StepInstance): void {
  if (out.length >= MAX_INSTANCES) throw new TooLong();
  out.push(inst);
}

/** The default schedule's order, at step granularity. */
export function defaultOrder(spec: ScenarioSpec): StepOrder | { readonly tooLong: number } {
  const cursors = spec.threads.map((t) => new ThreadCursor(t));
  const dead = new Map<string, string>();
  const signalled = new Set<string>();
  const out: StepInstance[] = [];
  const blocked = (c: ThreadCursor): boolean => {
    const next = c.peek();
    return next?.step.op === 'wait' && !signalled.has(next.step.args['name'] as string);
  };
  const runnable = (c: ThreadCursor): boolean =>
    !dead.has(c.thread.name) && c.peek() !== undefined && !blocked(c);
  try {
    let current = cursors.find(runnable);
    while (current !== undefined) {
      const inst = current.peek() as StepInstance;
      current.advance();
      push(out, inst);
      if (inst.step.op === 'signal') signalled.add(inst.step.args['name'] as string);
      const ended = processEnded(spec, inst);
      if (ended !== undefined) {
        for (const c of cursors)
          if (c.thread.process.name === ended && c.peek() !== undefined)
            dead.set(c.thread.name, `its process '${ended}' ended at ${inst.step.op}`);
      }
      if (!runnable(current)) current = cursors.find(runnable);
    }
  } catch (e) {
    if (e instanceof TooLong) return { tooLong: MAX_INSTANCES };
    throw e;
  }
  return { instances: out, source: 'the default schedule', unfinished: unfinished(cursors, dead) };
}

function unfinished(
  cursors: readonly ThreadCursor[],
  dead: ReadonlyMap<string, string>,
): { thread: string; why: string }[] {
  const result: { thread: string; why: string }[] = [];
  for (const c of cursors) {
    const next = c.peek();
    if (next === undefined) continue;
    const why =
      dead.get(c.thread.name) ??
      `it waits for '${String(next.step.args['name'])}', which is never signalled in this order`;
    result.push({ thread: c.thread.name, why });
  }
  return result;
}

/**
 * An order from the thread that ran each step, as a recorded run lists them: the n-th entry
 * names the thread whose next step ran n-th. Undefined when the list does not fit the scenario.
 */
export function orderFromThreads(
  spec: ScenarioSpec,
  threads: readonly string[],
  source: string,
  starts?: readonly number[],
): StepOrder | undefined {
  const cursors = new Map(spec.threads.map((t) => [t.name, new ThreadCursor(t)]));
  const out: StepInstance[] = [];
  for (const name of threads) {
    const c = cursors.get(name);
    const inst = c?.peek();
    if (c === undefined || inst === undefined || out.length >= MAX_INSTANCES) return undefined;
    c.advance();
    out.push(inst);
  }
  const left = [...cursors.values()]
    .filter((c) => c.peek() !== undefined)
    .map((c) => ({ thread: c.thread.name, why: 'the recorded run ended before it finished' }));
  const early = starts?.some((s, i) => s < i) === true;
  return { instances: out, source, unfinished: left, ...(early ? { starts } : {}) };
}

/** `main:3` or `main:3.2` (repeat body), plus `#i.j` for repeat iterations. */
export function instanceLabel(inst: StepInstance): string {
  const base = `${inst.thread}:${inst.step.path.join('.')}`;
  return inst.iterations.length === 0 ? base : `${base}#${inst.iterations.join('.')}`;
}

/** `main:3`: the step, whatever the iteration. */
export function stepLabel(step: Step): string {
  return `${step.thread}:${step.path.join('.')}`;
}

/**
 * Who runs each step instance in the reproducer, and in what blocks.
 *
 * Each scenario process is a real process: those under `processes:` are forked by the
 * supervisor (the program's first process) at start, the others by their `fork` step. Each
 * scenario thread is a thread of its process (a pthread, or the process's main thread when it
 * is alone). A step acting in another process (`process: X`) runs in X, on X's main thread
 * (its servant); a step on a pipe, registered buffer or pin may run in any process that holds
 * it. Consecutive instances of one context form a block: one turn_wait before, one turn_set
 * after. An `exit` ends its block and its process; the supervisor waits for the process to be
 * gone before the next step may start.
 */
import type { BindingRef, ScenarioSpec, Step } from '../../scenario/index.js';
import { actingProcess, processEnded, type StepInstance } from './order.js';

export interface ContextInfo {
  /** `thread main` or `process child`. */
  readonly id: string;
  readonly kind: 'thread' | 'process';
  readonly name: string;
  /** The process it runs in. */
  readonly process: string;
}

export interface ProcessInfo {
  readonly name: string;
  /** Listed under `processes:` (forked by the supervisor), or bound by a fork step. */
  readonly initial: boolean;
  /** The scenario threads that start in it. */
  readonly threads: readonly string[];
}

export interface PlannedStep {
  readonly index: number;
  /** The value of the shared turn counter while this instance runs (index + 1). */
  readonly turn: number;
  readonly inst: StepInstance;
  /** The process the step acts in. */
  readonly acting: string;
  /** The process it runs in (the acting one, or a holder of the pipe/buffer/pin it uses). */
  readonly runsIn: string;
  readonly context: string;
  /** The process this step ends (`exit`, `kill`). */
  readonly ends?: string;
  /**
   * The turn at which the step starts, when that is before its own: it waits in the kernel (a
   * userfaultfd fault, or a read of the uffd) while the steps of turns startTurn..turn-1 run.
   */
  readonly startTurn?: number;
}

export interface Block {
  readonly context: string;
  readonly steps: readonly PlannedStep[];
  /** The block ends its context's process (`exit`): no turn_set after it. */
  readonly endsProcess: boolean;
}

export interface Plan {
  readonly steps: readonly PlannedStep[];
  readonly blocks: readonly Block[];
  readonly contexts: readonly ContextInfo[];
  readonly processes: readonly ProcessInfo[];
  /** Turn after the last step: every process waits for it, then exits. */
  readonly endTurn: number;
}

/** A step the plan cannot place: it would act in a process that is gone, or use a handle it lacks. */
export interface PlanProblem {
  readonly inst: StepInstance;
  readonly reason: string;
}

/** Steps that may run in any process holding what they use (they do not touch an mm). */
const ANYWHERE = new Set([
  'pipe_read',
  'io_uring_write_fixed',
  'io_uring_read_fixed',
  'io_uring_unregister_buffers',
  'unpin_user_pages',
  'unpin_user_page',
  'unpin_user_pages_dirty_lock',
  'kernel_read',
  'ftruncate',
  'fallocate',
  'fsync',
  'writeback',
]);

/** Bindings that name something held in a process's file table. */
const HANDLE_KINDS = new Set(['fd', 'pipe', 'buffers', 'pages']);

/** The handles (fd, pipe, buffers, pages names) a step uses. */
export function handlesOf(step: Step): string[] {
  const out: string[] = [];
  for (const key of ['fd', 'file', 'pipe', 'buffers', 'pages']) {
    const ref = step.args[key] as BindingRef | undefined;
    if (ref !== undefined && HANDLE_KINDS.has(ref.binding.kind)) out.push(ref.name);
  }
  return out;
}

function mayRunAnywhere(step: Step): boolean {
  if (ANYWHERE.has(step.op)) return true;
  if (step.op === 'expect') return step.args['pages'] !== undefined;
  if (step.op === 'pread' || step.op === 'pwrite') return step.args['addr'] === undefined;
  return false;
}

class Placement {
  readonly alive = new Set<string>();
  readonly holders = new Map<string, Set<string>>();
  /** Pipes: the supervisor makes them before any process starts, so every process has them. */
  readonly everywhere = new Set<string>();
  readonly processes: ProcessInfo[];

  constructor(readonly spec: ScenarioSpec) {
    this.processes = spec.processes.map((p) => ({
      name: p.name,
      initial: true,
      threads: spec.threads.filter((t) => t.process.name === p.name).map((t) => t.name),
    }));
    for (const p of this.processes) this.alive.add(p.name);
  }

  threadProcess(thread: string): string {
    return this.spec.threads.find((t) => t.name === thread)?.process.name ?? '';
  }

  holds(process: string, handles: readonly string[]): boolean {
    return handles.every(
      (h) => this.everywhere.has(h) || this.holders.get(h)?.has(process) === true,
    );
  }

  /** The process an instance runs in, or why it cannot run anywhere. */
  where(inst: StepInstance, acting: string): string | { reason: string } {
    const handles = handlesOf(inst.step);
    const own = this.threadProcess(inst.thread);
    if (inst.step.op === 'kill') {
      if (!this.alive.has(acting))
        return { reason: `it kills process '${acting}', which does not exist at that point` };
      return own;
    }
    if (!this.alive.has(acting) && !mayRunAnywhere(inst.step))
      return { reason: `it acts in process '${acting}', which does not exist at that point` };
    if (!mayRunAnywhere(inst.step)) {
      if (this.holds(acting, handles)) return acting;
      return { reason: this.missing(acting, handles) };
    }
    const candidates = [acting, own, ...this.processes.map((p) => p.name)];
    const found = candidates.find((p) => this.alive.has(p) && this.holds(p, handles));
    return found ?? { reason: this.missing(acting, handles) };
  }

  private missing(process: string, handles: readonly string[]): string {
    const lacking = handles.filter((h) => !this.holds(process, [h]));
    return `'${lacking.join("', '")}' is not in the file table of process '${process}' on the host (a descriptor is held by the process that made it and the processes forked from it afterwards)`;
  }

  /** What an instance changes: new handles, a new process, a process gone, a closed fd. */
  apply(inst: StepInstance, runsIn: string, ends: string | undefined): void {
    const step = inst.step;
    const bound = step.as;
    if (bound?.kind === 'pipe') this.everywhere.add(bound.name);
    else if (bound !== null && HANDLE_KINDS.has(bound.kind))
      this.holders.set(bound.name, new Set([runsIn]));
    if (step.op === 'fork' && bound !== null) this.fork(runsIn, bound.name);
    if (step.op === 'close') this.holders.get(handlesOf(step)[0] ?? '')?.delete(runsIn);
    if (ends !== undefined) this.alive.delete(ends);
  }

  private fork(parent: string, child: string): void {
    this.alive.add(child);
    if (!this.processes.some((p) => p.name === child))
      this.processes.push({ name: child, initial: false, threads: [] });
    for (const set of this.holders.values()) if (set.has(parent)) set.add(child);
  }
}

function contextFor(p: Placement, inst: StepInstance, runsIn: string): string {
  const own = p.threadProcess(inst.thread);
  return runsIn === own ? `thread ${inst.thread}` : `process ${runsIn}`;
}

function contextsOf(spec: ScenarioSpec, processes: readonly ProcessInfo[]): ContextInfo[] {
  const threads: ContextInfo[] = spec.threads.map((t) => ({
    id: `thread ${t.name}`,
    kind: 'thread',
    name: t.name,
    process: t.process.name,
  }));
  const servants: ContextInfo[] = processes.map((p) => ({
    id: `process ${p.name}`,
    kind: 'process',
    name: p.name,
    process: p.name,
  }));
  return [...threads, ...servants];
}

function blocksOf(steps: readonly PlannedStep[]): Block[] {
  const blocks: { context: string; steps: PlannedStep[]; endsProcess: boolean }[] = [];
  for (const s of steps) {
    const last = blocks.at(-1);
    // An exit is a block of its own: the turn reaches it, so the supervisor can wait for the exit.
    const joins = last?.context === s.context && !last.endsProcess && s.inst.step.op !== 'exit';
    if (last !== undefined && joins) last.steps.push(s);
    else blocks.push({ context: s.context, steps: [s], endsProcess: false });
    const block = blocks.at(-1)!;
    if (s.inst.step.op === 'exit') block.endsProcess = true;
  }
  return blocks;
}

/** Steps that do nothing to the kernel: their place in the order needs no code. */
const NO_KERNEL = new Set(['wait', 'signal', 'expect']);

function blockingUffdRead(inst: StepInstance | undefined): boolean {
  return inst?.step.op === 'uffd_read' && inst.step.args['nonblock'] !== true;
}

/**
 * Instance `index` started when `started` instances had finished, and finished after those
 * between: the host can follow that only when a blocking read of a userfaultfd ties them (the
 * step is that read, or the first of the others that touches the kernel is), since the read
 * returns only once the fault is queued (fs/userfaultfd.c: userfaultfd_read).
 */
function overlapProblem(
  instances: readonly StepInstance[],
  started: number,
  index: number,
): string | undefined {
  if (blockingUffdRead(instances[index])) return undefined;
  const between = instances.slice(started, index).find((i) => !NO_KERNEL.has(i.step.op));
  if (between === undefined || blockingUffdRead(between)) return undefined;
  return `it waits in the kernel while ${between.thread}'s ${between.step.op} runs, and no blocking uffd_read holds the host to that order`;
}

/** Places every instance, or lists the ones that cannot be placed. */
export function planOrder(
  spec: ScenarioSpec,
  instances: readonly StepInstance[],
  starts?: readonly number[],
): Plan | { readonly problems: readonly PlanProblem[] } {
  const p = new Placement(spec);
  const steps: PlannedStep[] = [];
  const problems: PlanProblem[] = [];
  instances.forEach((inst, index) => {
    const acting = actingProcess(spec, inst.step);
    const where = p.where(inst, acting);
    if (typeof where !== 'string') {
      problems.push({ inst, reason: where.reason });
      return;
    }
    const ends = processEnded(spec, inst);
    const context = contextFor(p, inst, where);
    const started = starts?.[index] ?? index;
    if (started < index) {
      const why = overlapProblem(instances, started, index);
      if (why !== undefined) problems.push({ inst, reason: why });
    }
    steps.push({
      index,
      turn: index + 1,
      inst,
      acting,
      runsIn: where,
      context,
      ...(ends ? { ends } : {}),
      ...(started < index ? { startTurn: started + 1 } : {}),
    });
    p.apply(inst, where, ends);
  });
  const blocks = blocksOf(steps);
  for (const block of blocks)
    for (const s of block.steps.slice(1))
      if (s.startTurn !== undefined)
        problems.push({
          inst: s.inst,
          reason: 'it starts inside the kernel while another step of its own context runs',
        });
  if (problems.length > 0) return { problems };
  return {
    steps,
    blocks,
    contexts: contextsOf(spec, p.processes),
    processes: p.processes,
    endTurn: instances.length + 1,
  };
}

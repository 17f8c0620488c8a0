/**
 * Simulated threads: user threads of processes, kernel threads and device agents.
 *
 * A thread's body is a generator. Every `yield` is a scheduling point; before yielding, the
 * thread declares the footprint of the step that follows (see footprint.ts). Code that can
 * reach a scheduling point is itself a generator, called with `yield*`.
 */
import { Access, EVERYTHING, type ObjId } from './footprint.js';

export type ThreadKind = 'user' | 'kthread' | 'device';

/** What a yield hands to the scheduler. Its value is never inspected: state is on the thread. */
export type Point = Thread;

/** A generator that may reach scheduling points and finally returns T. */
export type Sched<T = void> = Generator<Point, T, unknown>;

/** Something a blocked thread waits for. */
export interface Waitable {
  /** May the waiting thread `t` run now? */
  canProceed(t: Thread): boolean;
  /** Threads whose progress this wait depends on (lock holders), for deadlock reports. */
  holders(): readonly Thread[];
  /** For traces and reports. */
  describe(): string;
}

/** A lock as a thread holds it, for lockdep and reports. */
export interface HeldLock {
  readonly lock: { readonly name: string; readonly cls: string };
  readonly mode: 'exclusive' | 'read' | 'write';
  readonly subclass: number;
  /** True for locks taken with trylock (lockdep adds no ordering edge for them). */
  readonly trylock: boolean;
  readonly step: number;
  readonly stack: readonly string[];
}

const MAX_FOOTPRINT = 8;

export class Thread {
  /**
   * Objects the next step touches, and how (Access); `fpCount` entries are valid. Written as
   * literals of MAX_FOOTPRINT entries (EVERYTHING, Access.Write first): V8 then builds them from
   * one boilerplate, as arrays of the element kind they end up holding (a thread per execution).
   */
  readonly fpObj: ObjId[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  readonly fpAcc: number[] = [2, 0, 0, 0, 0, 0, 0, 0];
  fpCount = 1;
  /** What the next step does, for traces and coverage. */
  label = 'start';

  done = false;
  /** Non-null while the thread is blocked. */
  waitOn: Waitable | null = null;
  /** Set by wake_up() for threads sleeping in a wait queue. */
  woken = false;
  /** A fatal signal is pending (SIGKILL). */
  fatalSignal = false;
  /** Spinlocks held (preempt count): sleeping now is a bug. */
  atomic = 0;
  readonly held: HeldLock[] = [];
  /** The simulated kernel call stack, innermost last. */
  readonly stack: string[] = [];
  result: unknown = undefined;

  private gen: Sched<unknown> | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: ThreadKind,
    /** The process (thread group) this thread belongs to, or -1. */
    readonly group: number,
    private readonly body: () => Sched<unknown>,
  ) {
    this.fpAcc[0] = Access.Write;
  }

  /** Run the thread until its next scheduling point. Returns true when it has finished. */
  resume(): boolean {
    if (this.done) return true;
    const r = (this.gen ??= this.body()).next();
    if (r.done) {
      this.done = true;
      this.result = r.value;
      this.label = 'exit';
      // let the finished generator go: the machine (and what it reaches) may outlive the run
      this.gen = null;
      return true;
    }
    return false;
  }

  /** Add an object to the footprint of the next step (chainable after `Machine.at`). */
  also(obj: ObjId, acc: Access): Point {
    if (this.fpCount < MAX_FOOTPRINT) {
      this.fpObj[this.fpCount] = obj;
      this.fpAcc[this.fpCount] = acc;
      this.fpCount++;
    } else {
      this.fpObj[0] = EVERYTHING;
      this.fpAcc[0] = Access.Write;
    }
    return this;
  }

  /** Is the thread able to take its next step now? */
  enabled(): boolean {
    return !this.done && (this.waitOn === null || this.waitOn.canProceed(this));
  }

  toString(): string {
    return this.name;
  }
}

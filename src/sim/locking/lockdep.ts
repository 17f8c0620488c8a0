/**
 * Lock-order tracking in the spirit of kernel/locking/lockdep.c: every blocking acquisition
 * records an edge from each lock class the thread already holds to the class being taken. A new
 * edge that closes a cycle is a possible deadlock and is reported even when this run did not
 * deadlock. Taking a class already held (same subclass) is reported as recursive locking.
 *
 * Simplified: read and write acquisitions are treated alike (the kernel's recursive-read
 * analysis is not modelled: a down_read is a non-recursive reader, as rw_semaphores are), and
 * interrupt contexts are not modelled.
 */
import type { Machine } from '../machine.js';
import type { HeldLock, Thread } from '../thread.js';

interface Edge {
  readonly thread: string;
  readonly step: number;
  readonly stack: readonly string[];
}

/** The identity lockdep orders: the class plus the nesting subclass. */
function key(cls: string, subclass: number): string {
  if (subclass === 0) return cls;
  let keys = nestedKeys.get(cls);
  if (keys === undefined) nestedKeys.set(cls, (keys = []));
  return (keys[subclass] ??= `${cls}/${subclass}`);
}

/** `cls/subclass` strings, made once per class and subclass (acquire runs on every lock). */
const nestedKeys = new Map<string, string[]>();

export class Lockdep {
  private readonly edges = new Map<string, Map<string, Edge>>();

  constructor(private readonly m: Machine) {}

  /** Called when `t` is about to take a lock of class `cls` (before it may block). */
  acquire(t: Thread, name: string, cls: string, subclass: number): void {
    const to = key(cls, subclass);
    for (const h of t.held) {
      if (h.trylock) continue;
      const from = key(h.lock.cls, h.subclass);
      if (from === to) {
        this.reportRecursive(t, name, h);
        continue;
      }
      this.addEdge(t, from, to);
    }
  }

  private addEdge(t: Thread, from: string, to: string): void {
    let out = this.edges.get(from);
    if (out === undefined) this.edges.set(from, (out = new Map()));
    if (out.has(to)) return;
    const back = this.path(to, from);
    out.set(to, { thread: t.name, step: this.m.steps, stack: [...t.stack] });
    if (back !== null) this.reportCircular(t, from, to, back);
  }

  /** A path of classes from `a` to `b` along recorded edges, or null. */
  private path(a: string, b: string): string[] | null {
    const prev = new Map<string, string>([[a, a]]);
    const queue = [a];
    for (let i = 0; i < queue.length; i++) {
      const c = queue[i]!;
      if (c === b) {
        const p = [b];
        while (p[0] !== a) p.unshift(prev.get(p[0]!)!);
        return p;
      }
      for (const n of [...(this.edges.get(c)?.keys() ?? [])].sort()) {
        if (!prev.has(n)) {
          prev.set(n, c);
          queue.push(n);
        }
      }
    }
    return null;
  }

  private reportCircular(t: Thread, from: string, to: string, back: string[]): void {
    const details = [`${t.name} takes ${to} while holding ${from} (step ${this.m.steps})`];
    for (let i = 0; i + 1 < back.length; i++) {
      const e = this.edges.get(back[i]!)!.get(back[i + 1]!)!;
      details.push(
        `earlier, ${e.thread} took ${back[i + 1]} while holding ${back[i]} (step ${e.step}); stack: ${e.stack.join(' <- ') || '(top level)'}`,
      );
    }
    const pair = [from, to].sort().join('\u0000');
    this.m.report(
      {
        id: 'lockdep.circular',
        message: `possible circular locking dependency: ${[...back, to].join(' -> ')}`,
        rule: 'kernel/locking/lockdep.c: check_noncircular',
        details,
      },
      pair,
    );
  }

  private reportRecursive(t: Thread, name: string, h: HeldLock): void {
    this.m.report(
      {
        id: 'lockdep.recursive',
        message: `possible recursive locking: ${t.name} takes ${name} while holding ${h.lock.name} of the same class ${h.lock.cls}`,
        rule: 'kernel/locking/lockdep.c: check_deadlock',
        details: [
          `${h.lock.name} taken at step ${h.step}; stack: ${h.stack.join(' <- ') || '(top level)'}`,
        ],
      },
      `${t.name}\u0000${h.lock.cls}`,
    );
  }
}

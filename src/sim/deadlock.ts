/**
 * Deadlock reports: when no thread can run and some have not finished, find the wait-for cycle
 * (thread -> holders of what it waits for) and describe every blocked thread with its held
 * locks and simulated kernel call stack.
 */
import type { Thread } from './thread.js';

export interface DeadlockReport {
  readonly message: string;
  readonly rule: string;
  readonly details: string[];
}

export function findDeadlock(threads: readonly Thread[]): DeadlockReport {
  const blocked = threads.filter((t) => !t.done);
  const cycle = findCycle(blocked);
  const details = blocked.map(describeThread);
  if (cycle.length > 0) {
    const links = cycle.map((t, i) => {
      const next = cycle[(i + 1) % cycle.length]!;
      return `${t.name} waits for ${t.waitOn?.describe() ?? '?'} held by ${next.name}`;
    });
    return {
      message: `deadlock: ${links.join('; ')}`,
      rule: 'kernel/locking/lockdep.c: check_noncircular (a wait-for cycle)',
      details,
    };
  }
  const waits = blocked.map((t) => `${t.name} waits for ${t.waitOn?.describe() ?? '?'}`);
  return {
    message: `all threads blocked with no one to wake them: ${waits.join('; ')}`,
    rule: 'kernel/hung_task.c: check_hung_task (a task blocked forever)',
    details,
  };
}

function findCycle(blocked: readonly Thread[]): Thread[] {
  const state = new Map<Thread, 1 | 2>();
  const path: Thread[] = [];
  const visit = (t: Thread): Thread[] => {
    state.set(t, 1);
    path.push(t);
    for (const h of t.waitOn?.holders() ?? []) {
      if (h === t || h.done) continue;
      const s = state.get(h);
      if (s === 1) return path.slice(path.indexOf(h));
      if (s === undefined) {
        const c = visit(h);
        if (c.length > 0) return c;
      }
    }
    path.pop();
    state.set(t, 2);
    return [];
  };
  for (const t of blocked) {
    if (state.has(t)) continue;
    const c = visit(t);
    if (c.length > 0) return c;
  }
  return [];
}

function describeThread(t: Thread): string {
  const held = t.held.map((h) => `${h.lock.name} (${h.mode})`).join(', ') || 'nothing';
  const stack = [...t.stack].reverse().join(' <- ') || '(top level)';
  return `${t.name}: waiting for ${t.waitOn?.describe() ?? '?'} at '${t.label}'; holds ${held}; stack: ${stack}`;
}

/**
 * The Perfetto export obeys the Trace Event format's rules: required fields, B/E slices nested
 * per track and closed, complete events with a duration, instants with a scope, flow events in
 * matched start/finish pairs, and a name for every track.
 */
import { describe, expect, it } from 'vitest';
import { exploreDfs } from '../../src/explore/dfs.js';
import {
  Mutex,
  ReplayChooser,
  defineProgram,
  mutex_lock,
  mutex_unlock,
  runProgram,
  type Machine,
  type Sched,
} from '../../src/sim/index.js';
import { toChromeTrace, type ChromeEvent, type ChromeTrace } from '../../src/trace/perfetto.js';

function* nested(m: Machine, mu: Mutex): Sched<void> {
  m.enter('mm/gup.c: pin_user_pages');
  m.enter('mm/gup.c: __get_user_pages');
  yield* mutex_lock(mu);
  yield m.point('work');
  yield* mutex_unlock(mu);
  m.leave();
  m.leave();
}

const handoff = defineProgram({
  name: 'handoff',
  setup(m) {
    const mu = new Mutex(m, 'mmap_lock');
    m.spawn('a', () => nested(m, mu));
    m.spawn('b', () => nested(m, mu));
  },
});

const deadlock = defineProgram({
  name: 'stuck',
  setup(m) {
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    const w = (x: Mutex, y: Mutex) =>
      function* (): Sched<void> {
        m.enter('outer');
        yield* mutex_lock(x);
        yield* mutex_lock(y);
        yield* mutex_unlock(y);
        yield* mutex_unlock(x);
        m.leave();
      };
    m.spawn('t1', w(a, b));
    m.spawn('t2', w(b, a));
  },
});

/** Check the rules of the Trace Event format that Perfetto relies on. Returns the problems. */
function validate(t: ChromeTrace): string[] {
  const problems: string[] = [];
  const stacks = new Map<number, string[]>();
  const lastTs = new Map<number, number>();
  const named = new Set<number>();
  const flows = new Map<number, { s?: ChromeEvent; f?: ChromeEvent }>();
  for (const e of t.traceEvents) {
    if (typeof e.name !== 'string' || typeof e.ph !== 'string') problems.push('missing name/ph');
    if (!Number.isFinite(e.ts) || e.ts < 0) problems.push(`bad ts ${e.ts}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push('missing pid/tid');
    if (e.ph === 'M') {
      if (e.name === 'thread_name') named.add(e.tid);
      continue;
    }
    if (!named.has(e.tid)) problems.push(`event on unnamed track ${e.tid}`);
    if (e.ph === 'B' || e.ph === 'E') {
      if (e.ts < (lastTs.get(e.tid) ?? 0)) problems.push(`B/E out of order on ${e.tid}`);
      lastTs.set(e.tid, e.ts);
      const st = stacks.get(e.tid) ?? [];
      if (e.ph === 'B') st.push(e.name);
      else if (st.pop() !== e.name)
        problems.push(`E ${e.name} does not close the innermost slice on ${e.tid}`);
      stacks.set(e.tid, st);
    }
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0)) problems.push('X without dur');
    if (e.ph === 'i' && !['t', 'p', 'g'].includes(e.s ?? ''))
      problems.push('instant without scope');
    if (e.ph === 's' || e.ph === 'f') {
      const f = flows.get(e.id!) ?? {};
      f[e.ph] = e;
      flows.set(e.id!, f);
    }
  }
  for (const [tid, st] of stacks)
    if (st.length > 0) problems.push(`unclosed slices on ${tid}: ${st.join(',')}`);
  for (const [id, f] of flows) {
    if (f.s === undefined || f.f === undefined) problems.push(`flow ${id} is not a pair`);
    else if (f.f.ts < f.s.ts || f.s.cat !== f.f.cat)
      problems.push(`flow ${id} runs backwards or changes category`);
  }
  return problems;
}

function export_(p: typeof handoff, schedule?: string): ChromeTrace {
  const { machine, result } = runProgram(
    p,
    schedule !== undefined ? { chooser: new ReplayChooser(schedule) } : {},
  );
  const t = toChromeTrace(
    result.trace,
    machine.threads.map((x) => x.name),
  );
  return JSON.parse(JSON.stringify(t)) as ChromeTrace;
}

describe('Perfetto (Chrome Trace Event) export', () => {
  it('has a named track per thread, nested call slices and a lock hand-off arrow', () => {
    const t = export_(handoff);
    expect(validate(t)).toEqual([]);
    const names = t.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!['name']);
    expect(names).toEqual(['machine', 'a', 'b']);
    expect(t.traceEvents.filter((e) => e.ph === 'B').map((e) => e.name)).toContain(
      'mm/gup.c: __get_user_pages',
    );
    expect(t.traceEvents.some((e) => e.ph === 's' && e.name === 'hand-off mmap_lock')).toBe(true);
  });

  it('stays valid in every interleaving, including deadlocked runs with open slices', () => {
    for (const p of [handoff, deadlock]) {
      exploreDfs(p, {
        onExecution: (r) => {
          const t = export_(p, r.schedule);
          expect(validate(t)).toEqual([]);
        },
      });
    }
  });

  it('shows checker reports as global instants', () => {
    const t = export_(deadlock, 'gs1:0x2.1x2.0');
    const reports = t.traceEvents.filter((e) => e.ph === 'i' && e.name === 'check.violation');
    expect(reports.map((e) => e.args!['id'])).toEqual(
      expect.arrayContaining(['lockdep.circular', 'sched.deadlock']),
    );
    expect(reports.every((e) => e.s === 'g')).toBe(true);
  });
});

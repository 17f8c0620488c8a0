/**
 * gupsim repro of the non-cooperative userfaultfd events (fs/userfaultfd.c: dup_userfaultfd,
 * resolve_userfault_fork, mremap_userfaultfd_complete): UFFDIO_API asks for the event features,
 * uffd_read keeps the fields of the event's union member, and a later step may name a fork
 * event's descriptor (`uffd: ev.ufd`). On the host, a fork with UFFD_FEATURE_EVENT_FORK waits
 * for the handler's read, and the child's fault is resolved through the new descriptor.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInGupsim, stepTimeline } from '../../src/cli/oracle/gupsim.js';
import { generateRepro } from '../../src/cli/repro/index.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import { buildAndRun, need, spec } from './helpers.js';

const FORK = readFileSync('scenarios/uffd-event-fork.yaml', 'utf8');

/** The reproducer in the order of gupsim's run (the overlap comes from the model's trace). */
function reproFromGupsim(text: string): ReturnType<typeof generateRepro> {
  const s = spec(text);
  const g = runInGupsim(s, text);
  if ('unavailable' in g) throw new Error(`gupsim cannot run it: ${g.unavailable}`);
  if ('problem' in g.order) throw new Error(g.order.problem);
  return generateRepro(s, { order: g.order });
}

describe('the order of a fork that waits for its event', () => {
  const ev = (kind: 'scenario.step' | 'scenario.done', thread: number, op: string): TraceEvent =>
    ({ kind, thread, args: { op, step: '1' } }) as unknown as TraceEvent;
  const name = (id: number) => ['main', 'handler'][id]!;

  it('a step that starts while the other thread waits in a blocking uffd_read is tied to it', () => {
    const t = stepTimeline(
      [
        ev('scenario.step', 1, 'uffd_read'), // the handler waits first
        ev('scenario.step', 0, 'read'), // the fault it waits for
        ev('scenario.done', 1, 'uffd_read'),
        ev('scenario.step', 1, 'UFFDIO_COPY'),
        ev('scenario.done', 1, 'UFFDIO_COPY'),
        ev('scenario.done', 0, 'read'),
      ],
      name,
    );
    expect(t).toEqual({ threads: ['handler', 'handler', 'main'], starts: [0, 1, 0] });
  });
});

describe('userfaultfd event doors', () => {
  it('ask UFFDIO_API for the feature, keep the fork event fields, and use ev.ufd as the uffd', () => {
    const c = reproFromGupsim(FORK).source;
    expect(c).toContain('.features = UFFD_FEATURE_EVENT_FORK');
    expect(c).toContain('(int64_t)msg.arg.fork.ufd');
    expect(c).toMatch(/ioctl\(\(int\)S->b\[B_ev\]\.field\[0\], UFFDIO_COPY/);
  });
});

describe('on the host', () => {
  it("uffd-event-fork: fork waits for UFFD_EVENT_FORK and the child's fault is resolved through msg.arg.fork.ufd", async (ctx) => {
    need(ctx);
    const run = await buildAndRun(reproFromGupsim(FORK), {}, 'uffd-event-fork');
    expect(run.end, run.transcript).toBe('passed');
    expect(run.expectations.filter((t) => t.ok).map((t) => t.message)).toEqual([
      'ev.event == 0x13',
      'f.event == 0x12',
      'v == 0x5a',
    ]);
  });
});

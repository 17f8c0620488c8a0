/**
 * The gupsim side: the order of whole steps read from a run's trace, and the refusal of a run
 * that switches threads inside a step (the host runs whole steps).
 */
import { describe, expect, it } from 'vitest';
import { runInGupsim, stepThreads } from '../../src/cli/oracle/gupsim.js';
import { defaultOrder, expectationMessage, instanceLabel } from '../../src/cli/repro/index.js';
import { allSteps } from '../../src/cli/repro/refusals.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import { spec } from './helpers.js';

const FORCED = `scenario: forced
processes: [p]
threads:
  a:
    steps:
      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - signal: mapped
      - wait: written
      - read: { as: ra, addr: buf, length: 4KiB }
      - expect: { value: ra, equals: 2 }
  b:
    steps:
      - wait: mapped
      - memset: { addr: buf, length: 4KiB, value: 2 }
      - signal: written
      - expect: { value: 1, equals: 1 }
`;

let seq = 0;
function ev(kind: 'scenario.step' | 'scenario.done', thread: number, op: string): TraceEvent {
  const args = { step: '1', op, args: '', line: 1, ret: 0, as: null, value: '' };
  return { seq: seq++, step: 0, thread, kind, fn: undefined, args } as unknown as TraceEvent;
}

const name = (id: number): string => ['a', 'b'][id]!;

describe('the order of whole steps in a gupsim run', () => {
  it('is the order in which steps finish; a wait or signal may span other steps', () => {
    const events = [
      ev('scenario.step', 1, 'wait'),
      ev('scenario.step', 0, 'mmap'),
      ev('scenario.done', 0, 'mmap'),
      ev('scenario.step', 0, 'signal'),
      ev('scenario.done', 0, 'signal'),
      ev('scenario.done', 1, 'wait'),
    ];
    expect(stepThreads(events, name)).toEqual(['a', 'a', 'b']);
  });

  it('cannot be followed when a step starts while another thread is inside one', () => {
    const events = [
      ev('scenario.step', 0, 'mmap'),
      ev('scenario.step', 1, 'memset'),
      ev('scenario.done', 1, 'memset'),
      ev('scenario.done', 0, 'mmap'),
    ];
    expect(stepThreads(events, name)).toEqual({
      problem: "thread b starts step 1 while a's mmap has not finished: the host runs whole steps",
    });
  });

  it("under the default schedule, gupsim's order is the one computed without the model", (ctx) => {
    const s = spec(FORCED);
    const g = runInGupsim(s, FORCED);
    if ('unavailable' in g) return ctx.skip(`gupsim cannot run it: ${g.unavailable}`);
    const computed = defaultOrder(s);
    if ('problem' in g.order || 'tooLong' in computed) throw new Error('no order');
    const labels = g.order.instances.map(instanceLabel);
    expect(labels).toEqual(['a:1', 'a:2', 'b:1', 'b:2', 'b:3', 'b:4', 'a:3', 'a:4', 'a:5']);
    expect(labels).toEqual(computed.instances.map(instanceLabel));
  });
});

const MESSAGES = `scenario: messages
threads:
  main:
    steps:
      - mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - memset: { addr: buf+4KiB, length: 4KiB, value: 0x22 }
      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }
      - expect: { value: p.ret, equals: 2 }
      - expect: { memory: buf, length: 8KiB, contents: [0, 0x22] }
      - expect: { pages: p, contents: [0, 0x22] }
      - unpin_user_pages: { pages: p }
`;

describe('expectation messages', () => {
  it("the reproducer's TAP line carries the message gupsim gives a holding expectation", (ctx) => {
    const s = spec(MESSAGES);
    const g = runInGupsim(s, MESSAGES);
    if ('unavailable' in g) return ctx.skip(`gupsim cannot run it: ${g.unavailable}`);
    const expects = allSteps(s).filter((x) => x.op === 'expect');
    expect(g.expectations.map((e) => e.message)).toEqual(expects.map(expectationMessage));
  });
});

// The results object shows every bound name as the format's result object does: addresses as
// hex strings, processes as pids, `NAME.ret` where NAME does not show it, fields, contents.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { resultsOf } from '../../../src/scenario/interp/results.js';
import { RunState } from '../../../src/scenario/interp/run.js';
import { Machine } from '../../../src/sim/machine.js';

function state(): RunState {
  const m = new Machine();
  return new RunState(m, new Kernel(m, { memory: 64 * 2 ** 20 }));
}

describe('resultsOf', () => {
  it('shows each kind of name the way the format does', () => {
    const run = state();
    const parent = run.k.createProcess('parent');
    run.bind('parent', { kind: 'process', outcome: { primary: parent, ret: parent.tgid } });
    run.bind('buf', { kind: 'address', outcome: { primary: 0x7f0000000000, ret: 0x7f0000000000 } });
    const pages = { pfns: [7], kind: 'pin', tgid: 1, where: 'main step 4' };
    run.bind('p', { kind: 'pages', outcome: { primary: pages, ret: 1, fields: { locked: 1 } } });
    run.bind('v', { kind: 'value', outcome: { primary: [1, 2], ret: 8192 } });
    run.bind('r', { kind: 'value', outcome: { primary: -14, ret: -14 } });
    expect(resultsOf(run, ['parent', 'buf', 'p', 'v', 'r'])).toEqual({
      parent: 'pid 1',
      buf: '0x7f0000000000',
      'p.ret': 1,
      'p.locked': 1,
      v: [1, 2],
      'v.ret': 8192,
      r: -14,
    });
  });

  it('keeps the order of the scenario, then names bound elsewhere, and omits unbound names', () => {
    const run = state();
    run.bind('b', { kind: 'value', outcome: { primary: 2, ret: 2 } });
    run.bind('extra', { kind: 'value', outcome: { primary: 3, ret: 3 } });
    run.bind('a', { kind: 'value', outcome: { primary: 1, ret: 1 } });
    expect(Object.keys(resultsOf(run, ['a', 'b', 'never']))).toEqual(['a', 'b', 'extra']);
  });

  it('shows a failed mmap (a negative address) as its errno value', () => {
    const run = state();
    run.bind('buf', { kind: 'address', outcome: { primary: -12, ret: -12 } });
    expect(resultsOf(run, ['buf'])).toEqual({ buf: -12 });
  });
});

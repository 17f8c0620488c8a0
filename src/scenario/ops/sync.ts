/** Synchronisation between threads and loops: signal, wait, repeat. */
import { required, t } from '../args.js';
import { defineOperation } from '../operation.js';

export const MAX_REPEAT = 100_000;

export const signal = defineOperation({
  name: 'signal',
  group: 'sync',
  kernel: 'gupsim: no kernel counterpart',
  doc: 'Fire a one-shot event; threads waiting for it may run on.',
  args: { name: required(t.event(), 'the event') },
  shorthand: 'name',
  example: 'signal: pinned',
});

export const wait = defineOperation({
  name: 'wait',
  group: 'sync',
  kernel: 'gupsim: no kernel counterpart',
  doc: 'Block until the event has been signalled (at once if it already was).',
  args: { name: required(t.event(), 'the event') },
  shorthand: 'name',
  example: 'wait: pinned',
});

export const repeat = defineOperation({
  name: 'repeat',
  group: 'sync',
  kernel: 'gupsim: no kernel counterpart',
  doc: 'Run a list of steps `times` times in a row.',
  args: {
    times: required(t.int(1, MAX_REPEAT), 'how many times'),
    steps: required(t.steps(), 'the steps repeated'),
  },
  example: 'repeat: { times: 3, steps: [ { memset: { addr: buf, length: 4KiB, value: 1 } } ] }',
});

export const syncOps = [signal, wait, repeat];

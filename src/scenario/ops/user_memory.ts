/** User-memory operations: memset, read, and the in-thread `expect`. */
import { optional, required, t } from '../args.js';
import { defineOperation } from '../operation.js';

export const memset = defineOperation({
  name: 'memset',
  group: 'user memory',
  kernel: 'arch/x86/mm/fault.c: do_user_addr_fault',
  doc: 'A user-space store of `value` into every byte of a range, taking page faults as needed.',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes'),
    value: required(t.int(0, 255), 'the byte stored'),
  },
  example: 'memset: { addr: buf, length: 4KiB, value: 0x01 }',
});

export const read = defineOperation({
  name: 'read',
  group: 'user memory',
  kernel: 'arch/x86/mm/fault.c: do_user_addr_fault',
  doc: 'A user-space load of a range, taking page faults as needed.',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes'),
  },
  binds: {
    kind: 'value',
    doc: 'the contents: one value if every page holds it, else the list per page',
  },
  example: 'read: { as: v, addr: buf, length: 8KiB }',
});

const FORMS = [
  ['value', 'equals'],
  ['memory', 'length', 'contents'],
  ['pages', 'contents'],
];
const ALL = ['value', 'equals', 'memory', 'length', 'contents', 'pages'];

export const expect = defineOperation({
  name: 'expect',
  group: 'user memory',
  kernel: 'gupsim: no kernel counterpart',
  doc: 'Check a value, memory read through the page tables (without faulting), or memory read through pinned pages.',
  args: {
    value: optional(t.value(), 'the value checked (with `equals`)'),
    equals: optional(t.value(), 'what it must equal'),
    memory: optional(t.address(), 'start of the memory checked (with `length`, `contents`)'),
    length: optional(t.size(), 'bytes of memory checked'),
    contents: optional(t.contents(), 'what every page (or each page, for a list) must hold'),
    pages: optional(t.ref('pages'), 'pinned pages checked (with `contents`)'),
  },
  example: 'expect: { value: p.ret, equals: 1 }',
  refine(_args, cx) {
    const used = ALL.filter((k) => cx.has(k));
    const form = FORMS.find((f) => f.every((k) => cx.has(k)) && used.every((k) => f.includes(k)));
    if (form === undefined) {
      cx.fail(
        'GS135',
        null,
        `{ ${used.join(', ')} } is none of its forms`,
        '{ value, equals }, { memory, length, contents } or { pages, contents }',
      );
    }
  },
});

export const userMemoryOps = [memset, read, expect];

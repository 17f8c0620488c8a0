/**
 * get_user_pages() and pin_user_pages() entry points and the calls that release what they
 * return. A GUP step binds the pages array; `NAME.ret` is the number of pages obtained or a
 * negative errno, and `NAME.locked` what the call left in `*locked`.
 */
import { follTable } from '../../kernel/include/gup_flags.js';
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation, type BindSpec } from '../operation.js';

const PAGES: BindSpec = {
  kind: 'pages',
  doc: 'the pages array (NAME.ret: pages obtained or a negative errno)',
};

const REMOTE_PAGES: BindSpec = {
  ...PAGES,
  fields: [{ name: 'locked', doc: 'the value the call left in *locked', whenArg: 'locked' }],
};

const gupArgs = {
  start: required(t.address(), 'first user address'),
  nr_pages: required(t.int(0, 2 ** 31 - 1), 'number of pages'),
  gup_flags: withDefault(t.flags(follTable), 'FOLL_* flags', { value: 0, names: [] }, '[]'),
};

const remoteArgs = {
  ...gupArgs,
  locked: optional(
    t.int(-(2 ** 31), 2 ** 31 - 1),
    'pass `int *locked` holding this value (the kernel expects 1)',
  ),
};

function entry(name: string, doc: string) {
  const example = `${name}: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }`;
  return { name, group: 'GUP' as const, kernel: `mm/gup.c: ${name}`, doc, example };
}

function gupOp(name: string, doc: string) {
  return defineOperation({ ...entry(name, doc), args: gupArgs, binds: PAGES });
}

function remoteGupOp(name: string, doc: string) {
  return defineOperation({ ...entry(name, doc), args: remoteArgs, binds: REMOTE_PAGES });
}

export const get_user_pages = gupOp(
  'get_user_pages',
  'Take page references (FOLL_GET), caller holding mmap_lock.',
);
export const get_user_pages_fast = gupOp(
  'get_user_pages_fast',
  'Take page references, lockless first.',
);
export const get_user_pages_remote = remoteGupOp(
  'get_user_pages_remote',
  'Take page references in the mm of `process`.',
);
export const get_user_pages_unlocked = gupOp(
  'get_user_pages_unlocked',
  'Take page references; GUP takes mmap_lock itself.',
);
export const get_user_pages_fast_only = gupOp(
  'get_user_pages_fast_only',
  'Take page references without ever falling back to the slow path.',
);
export const pin_user_pages = gupOp(
  'pin_user_pages',
  'Pin pages (FOLL_PIN), caller holding mmap_lock.',
);
export const pin_user_pages_fast = gupOp('pin_user_pages_fast', 'Pin pages, lockless first.');
export const pin_user_pages_remote = remoteGupOp(
  'pin_user_pages_remote',
  'Pin pages in the mm of `process`.',
);
export const pin_user_pages_unlocked = gupOp(
  'pin_user_pages_unlocked',
  'Pin pages; GUP takes mmap_lock itself.',
);

const pages = () => required(t.ref('pages'), 'a name bound by a GUP step');

export const unpin_user_page = defineOperation({
  name: 'unpin_user_page',
  group: 'GUP',
  kernel: 'mm/gup.c: unpin_user_page',
  doc: 'Release one pin.',
  args: {
    pages: pages(),
    index: optional(t.int(), 'which page of the array; default: each page in turn'),
  },
  example: 'unpin_user_page: { pages: p }',
});

export const unpin_user_pages = defineOperation({
  name: 'unpin_user_pages',
  group: 'GUP',
  kernel: 'mm/gup.c: unpin_user_pages',
  doc: 'Release the pins of a pages array.',
  args: {
    pages: pages(),
    npages: optional(t.int(), 'how many; default: the number the GUP step obtained'),
  },
  example: 'unpin_user_pages: { pages: p }',
});

export const unpin_user_pages_dirty_lock = defineOperation({
  name: 'unpin_user_pages_dirty_lock',
  group: 'GUP',
  kernel: 'mm/gup.c: unpin_user_pages_dirty_lock',
  doc: 'Release pins, first marking the pages dirty when `make_dirty`.',
  args: {
    pages: pages(),
    npages: optional(t.int(), 'how many; default: the number the GUP step obtained'),
    make_dirty: required(t.bool(), 'mark each page dirty first'),
  },
  example: 'unpin_user_pages_dirty_lock: { pages: p, make_dirty: true }',
});

export const put_page = defineOperation({
  name: 'put_page',
  group: 'GUP',
  kernel: 'include/linux/mm.h: put_page',
  doc: 'Drop a page reference taken by get_user_pages*.',
  args: {
    pages: pages(),
    index: optional(t.int(), 'which page of the array; default: each page in turn'),
  },
  example: 'put_page: { pages: g }',
});

export const gupOps = [
  get_user_pages,
  get_user_pages_fast,
  get_user_pages_remote,
  get_user_pages_unlocked,
  get_user_pages_fast_only,
  pin_user_pages,
  pin_user_pages_fast,
  pin_user_pages_remote,
  pin_user_pages_unlocked,
  unpin_user_page,
  unpin_user_pages,
  unpin_user_pages_dirty_lock,
  put_page,
];

/**
 * iov_iter operations: what a kernel driver does with an iterator over user memory it built
 * itself (iov_iter_ubuf with a direction of its choosing): take the pages (references or pins)
 * and copy through the iterator or through an ITER_BVEC over the pages it took. A mislabelled
 * direction is the 2022 class of bugs (bugzoo H1). See docs/consumers/iov_iter.md.
 */
import { iterDirectionTable } from '../../kernel/include/uio.js';
import { ITER_DEST } from '../../kernel/lib/iov_iter.js';
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation, type BindSpec } from '../operation.js';

const PAGES: BindSpec = {
  kind: 'pages',
  doc: 'the pages array (NAME.ret: bytes covered or a negative errno)',
};

const direction = () =>
  withDefault(
    t.constant(iterDirectionTable),
    'the direction the driver gives the iterator (ITER_DEST: the kernel writes the memory)',
    { value: ITER_DEST, name: 'ITER_DEST' },
    'ITER_DEST',
  );

const pagesArgs = {
  addr: required(t.address(), 'the user buffer'),
  length: required(t.size(), 'bytes'),
  direction: direction(),
};

export const iov_iter_extract_pages = defineOperation({
  name: 'iov_iter_extract_pages',
  group: 'consumers',
  kernel: 'lib/iov_iter.c: iov_iter_extract_pages',
  doc: 'Build an ITER_UBUF over the buffer and extract its pages: pinned (FOLL_PIN, FOLL_WRITE for ITER_DEST). Release with unpin_user_pages.',
  args: pagesArgs,
  binds: PAGES,
  example: 'iov_iter_extract_pages: { as: p, addr: buf, length: 4KiB, direction: ITER_DEST }',
});

export const iov_iter_get_pages2 = defineOperation({
  name: 'iov_iter_get_pages2',
  group: 'consumers',
  kernel: 'lib/iov_iter.c: iov_iter_get_pages2',
  doc: 'Build an ITER_UBUF over the buffer and get its pages with references (FOLL_GET, FOLL_WRITE for ITER_DEST). Release with put_page.',
  args: pagesArgs,
  binds: PAGES,
  example: 'iov_iter_get_pages2: { as: g, addr: buf, length: 4KiB }',
});

const copyArgs = {
  pages: optional(t.ref('pages'), 'copy through an ITER_BVEC over these pages'),
  addr: optional(t.address(), 'copy through an ITER_UBUF over this user buffer'),
  length: required(t.size(), 'bytes'),
  direction: direction(),
};

export const copy_to_iter = defineOperation({
  name: 'copy_to_iter',
  group: 'consumers',
  kernel: 'lib/iov_iter.c: _copy_to_iter',
  doc: 'Copy `value` bytes into an iterator the driver builds (over `pages` or `addr`) with `direction`; into an ITER_SOURCE iterator the kernel WARNs and copies nothing.',
  args: { ...copyArgs, value: required(t.int(0, 255), 'the byte copied') },
  binds: { kind: 'value', doc: 'the bytes copied' },
  example: 'copy_to_iter: { as: c, pages: p, length: 4KiB, direction: ITER_DEST, value: 0x5a }',
});

export const copy_from_iter = defineOperation({
  name: 'copy_from_iter',
  group: 'consumers',
  kernel: 'lib/iov_iter.c: _copy_from_iter',
  doc: 'Copy bytes out of an iterator the driver builds (over `pages` or `addr`) with `direction`; out of an ITER_DEST iterator the kernel WARNs and copies nothing.',
  args: { ...copyArgs, direction: direction() },
  binds: {
    kind: 'value',
    doc: 'the contents copied: one value if every page holds it, else the list per page (NAME.ret: the bytes)',
  },
  example: 'copy_from_iter: { as: v, addr: buf, length: 4KiB, direction: ITER_SOURCE }',
});

export const block_bio_queue = defineOperation({
  name: 'block_bio_queue',
  group: 'consumers',
  kernel: 'include/trace/events/block.h: block_bio_queue',
  doc: 'Wait until a direct I/O bio has been queued for a disk (the I/O is in flight), to race with it.',
  args: {},
  example: 'block_bio_queue: {}',
});

export const iovIterOps = [
  iov_iter_extract_pages,
  iov_iter_get_pages2,
  copy_to_iter,
  copy_from_iter,
  block_bio_queue,
];

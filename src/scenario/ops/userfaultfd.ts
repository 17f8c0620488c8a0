/**
 * userfaultfd operations: the system call, UFFDIO_API (implicit), the ioctls named after their
 * kernel constants, and the handler's read of the next message (a fault or a non-cooperative
 * event). The uffd is an fd name, or `EV.ufd`: the descriptor a UFFD_EVENT_FORK read installed
 * for the child. Each ioctl returns what the kernel returns (0 or a negative errno) and binds its
 * output field.
 */
import {
  uffdContinueModeTable,
  uffdCopyModeTable,
  uffdFeatureTable,
  uffdFlagTable,
  uffdRegisterModeTable,
  uffdWriteprotectModeTable,
  uffdZeropageModeTable,
} from '../../kernel/include/userfaultfd.js';
import { required, t, withDefault, type ArgType } from '../args.js';
import type { BindingRef } from '../spec.js';
import { defineOperation } from '../operation.js';

const NONE = { value: 0, names: [] };

const UFFD_REF = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;

/** A userfaultfd: a name bound to one (`uffd`), or a fork event's `EV.ufd`. */
const uffdRef: ArgType<BindingRef> = {
  label: 'userfaultfd',
  accepts: "a name bound to a userfaultfd, or 'EV.ufd' (the child's uffd of a fork event EV)",
  parse(node, cx, what) {
    const text = cx.src.string(node, what);
    const m = UFFD_REF.exec(text.trim());
    if (m === null) return cx.ref(node, text, null, ['fd'], what); // GS141, as t.ref
    const field = m[2] ?? null;
    return cx.ref(node, m[1]!, field, field === null ? ['fd'] : ['value'], what);
  },
};

export const userfaultfd = defineOperation({
  name: 'userfaultfd',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: new_userfaultfd',
  doc:
    'Create a userfaultfd for the acting process and run UFFDIO_API on it with `features` ' +
    '(the descriptor is usable at once; `NAME.ret` is the first error of the two calls).',
  args: {
    flags: withDefault(
      t.flags(uffdFlagTable),
      'UFFD_* flags (UFFD_USER_MODE_ONLY, UFFD_NONBLOCK)',
      NONE,
      '[]',
    ),
    features: withDefault(
      t.flags(uffdFeatureTable),
      'UFFD_FEATURE_* asked of UFFDIO_API',
      NONE,
      '[]',
    ),
  },
  binds: { kind: 'fd', doc: 'the userfaultfd descriptor' },
  example: 'userfaultfd: { as: uffd }',
});

const range = {
  uffd: required(uffdRef, 'the userfaultfd'),
  start: required(t.address(), 'start of the range (page-aligned)'),
  length: required(t.size(), 'bytes (a multiple of the page size)'),
};

export const UFFDIO_REGISTER = defineOperation({
  name: 'UFFDIO_REGISTER',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_register',
  doc: 'Register a range for MISSING, WP and/or MINOR faults (VM_UFFD_* on its VMAs).',
  args: {
    ...range,
    mode: required(t.flags(uffdRegisterModeTable), 'UFFDIO_REGISTER_MODE_* (one or more)'),
  },
  binds: {
    kind: 'value',
    doc: 'the return value: 0 or a negative errno',
    fields: [
      { name: 'ioctls', doc: 'uffdio_register.ioctls: the range ioctls allowed (bit mask)' },
    ],
  },
  example:
    'UFFDIO_REGISTER: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }',
});

export const UFFDIO_UNREGISTER = defineOperation({
  name: 'UFFDIO_UNREGISTER',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_unregister',
  doc: 'Unregister a range; faults still blocked on it are woken.',
  args: range,
  example: 'UFFDIO_UNREGISTER: { uffd: uffd, start: buf, length: 4KiB }',
});

export const UFFDIO_COPY = defineOperation({
  name: 'UFFDIO_COPY',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_copy',
  doc: 'Fill missing pages of a registered range with `value` and wake the faults there.',
  args: {
    uffd: required(uffdRef, 'the userfaultfd'),
    dst: required(t.address(), 'start of the destination (page-aligned)'),
    length: required(t.size(), 'bytes'),
    value: required(t.int(0, 255), 'the contents of the new pages (one byte per page)'),
    mode: withDefault(t.flags(uffdCopyModeTable), 'UFFDIO_COPY_MODE_*', NONE, '[]'),
  },
  binds: {
    kind: 'value',
    doc: 'the return value: 0 or a negative errno',
    fields: [{ name: 'copy', doc: 'uffdio_copy.copy: bytes copied, or the errno' }],
  },
  example: 'UFFDIO_COPY: { uffd: uffd, dst: ev, length: 4KiB, value: 0x5a }',
});

export const UFFDIO_ZEROPAGE = defineOperation({
  name: 'UFFDIO_ZEROPAGE',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_zeropage',
  doc: 'Map the zero page on missing pages of a registered range and wake the faults there.',
  args: {
    ...range,
    mode: withDefault(t.flags(uffdZeropageModeTable), 'UFFDIO_ZEROPAGE_MODE_*', NONE, '[]'),
  },
  binds: {
    kind: 'value',
    doc: 'the return value: 0 or a negative errno',
    fields: [{ name: 'zeropage', doc: 'uffdio_zeropage.zeropage: bytes mapped, or the errno' }],
  },
  example: 'UFFDIO_ZEROPAGE: { uffd: uffd, start: ev, length: 4KiB }',
});

export const UFFDIO_CONTINUE = defineOperation({
  name: 'UFFDIO_CONTINUE',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_continue',
  doc: 'Map the pages already in the shmem page cache (MINOR faults) and wake the faults there.',
  args: {
    ...range,
    mode: withDefault(t.flags(uffdContinueModeTable), 'UFFDIO_CONTINUE_MODE_*', NONE, '[]'),
  },
  binds: {
    kind: 'value',
    doc: 'the return value: 0 or a negative errno',
    fields: [{ name: 'mapped', doc: 'uffdio_continue.mapped: bytes mapped, or the errno' }],
  },
  example: 'UFFDIO_CONTINUE: { uffd: uffd, start: ev, length: 4KiB }',
});

export const UFFDIO_WRITEPROTECT = defineOperation({
  name: 'UFFDIO_WRITEPROTECT',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_writeprotect',
  doc: 'Write-protect a WP-registered range (mode [UFFDIO_WRITEPROTECT_MODE_WP]) or resolve it (mode []) and wake.',
  args: {
    ...range,
    mode: withDefault(t.flags(uffdWriteprotectModeTable), 'UFFDIO_WRITEPROTECT_MODE_*', NONE, '[]'),
  },
  example:
    'UFFDIO_WRITEPROTECT: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_WRITEPROTECT_MODE_WP] }',
});

export const UFFDIO_WAKE = defineOperation({
  name: 'UFFDIO_WAKE',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_wake',
  doc: 'Wake the faults blocked on a range without resolving them (they fault again).',
  args: range,
  example: 'UFFDIO_WAKE: { uffd: uffd, start: buf, length: 4KiB }',
});

export const uffd_read = defineOperation({
  name: 'uffd_read',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_read',
  doc:
    'The handler thread reads the next uffd_msg (blocking until a fault or an event is queued, ' +
    'unless `nonblock`): binds the fault address; `NAME.event` says which message it was, ' +
    '`NAME.flags` is UFFD_PAGEFAULT_FLAG_*, and the fields of a non-cooperative event ' +
    '(`NAME.ufd` of a fork, usable as a uffd by later steps; `from`/`to`/`len` of a remap; ' +
    '`start`/`end` of a remove or unmap) are set.',
  args: {
    uffd: required(uffdRef, 'the userfaultfd'),
    nonblock: withDefault(t.bool(), 'O_NONBLOCK: -EAGAIN instead of waiting', false, 'false'),
  },
  binds: {
    kind: 'address',
    doc: 'uffd_msg.arg.pagefault.address (page-aligned; 0 for an event); NAME.ret is 0 or a negative errno',
    fields: [
      { name: 'flags', doc: 'uffd_msg.arg.pagefault.flags (UFFD_PAGEFAULT_FLAG_*)' },
      {
        name: 'event',
        doc: 'uffd_msg.event: UFFD_EVENT_PAGEFAULT 0x12, FORK 0x13, REMAP 0x14, REMOVE 0x15, UNMAP 0x16',
      },
      { name: 'ufd', doc: "uffd_msg.arg.fork.ufd: the child's userfaultfd (`uffd: NAME.ufd`)" },
      { name: 'from', doc: 'uffd_msg.arg.remap.from' },
      { name: 'to', doc: 'uffd_msg.arg.remap.to' },
      { name: 'len', doc: 'uffd_msg.arg.remap.len' },
      { name: 'start', doc: 'uffd_msg.arg.remove.start (REMOVE and UNMAP)' },
      { name: 'end', doc: 'uffd_msg.arg.remove.end (REMOVE and UNMAP)' },
    ],
  },
  example: 'uffd_read: { as: ev, uffd: uffd }',
});

export const uffd_close = defineOperation({
  name: 'uffd_close',
  group: 'userfaultfd',
  kernel: 'fs/userfaultfd.c: userfaultfd_release',
  doc: 'Close the userfaultfd: its ranges are unregistered and every blocked fault is woken.',
  args: { uffd: required(uffdRef, 'the userfaultfd') },
  example: 'uffd_close: { uffd: uffd }',
});

export const userfaultfdOps = [
  userfaultfd,
  UFFDIO_REGISTER,
  UFFDIO_UNREGISTER,
  UFFDIO_COPY,
  UFFDIO_ZEROPAGE,
  UFFDIO_CONTINUE,
  UFFDIO_WRITEPROTECT,
  UFFDIO_WAKE,
  uffd_read,
  uffd_close,
];

/**
 * Xen operations: privcmd's IOCTL_PRIVCMD_DM_OP (pins the device model's buffers around a
 * hypercall) and the x86 PV grant path of the 2012 same-domain deadlock (blkfront, gntdev,
 * an O_DIRECT read through the m2p_override). See docs/consumers/xen.md.
 */
import { required, t, withDefault, type ArgType } from '../args.js';
import { defineOperation } from '../operation.js';
import type { AddressExpr } from '../spec.js';
import { requireAddress } from '../values/expressions.js';
import { requireSize } from '../values/numbers.js';

/** One `{ addr, length }` of `bufs`. */
export interface DmOpBufArg {
  readonly addr: AddressExpr;
  readonly length: number;
}

const BUF_KEYS = ['addr', 'length'] as const;

/** `bufs: [{ addr, length }, ...]`: the buffers of a dm_op, as struct privcmd_dm_op_buf. */
const dmOpBufs = (): ArgType<readonly DmOpBufArg[]> => ({
  label: 'list of { addr, length }',
  accepts: 'a list of maps { addr: ADDRESS, length: SIZE }',
  parse(node, cx, what) {
    return cx.src.items(node, what).map((item, i) => {
      const at = `${what}[${i}]`;
      const entries = cx.src.entries(item, at);
      for (const e of entries)
        if (!(BUF_KEYS as readonly string[]).includes(e.key))
          cx.src.fail('GS103', e.keyNode, `unknown key '${e.key}' in ${at}`, 'addr, length');
      const get = (key: string) => {
        const e = entries.find((x) => x.key === key);
        if (e === undefined)
          return cx.src.fail('GS104', item, `${at} needs '${key}'`, 'addr, length');
        return e.value;
      };
      return {
        addr: requireAddress(cx.src, cx, get('addr'), `${at}.addr`),
        length: requireSize(cx.src, get('length'), `${at}.length`),
      };
    });
  },
});

const domid = (doc: string) => withDefault(t.int(0, 0x7fef), doc, 0, '`0`');

export const privcmd_ioctl_dm_op = defineOperation({
  name: 'privcmd_ioctl_dm_op',
  group: 'consumers',
  kernel: 'drivers/xen/privcmd.c: privcmd_ioctl_dm_op',
  doc: 'IOCTL_PRIVCMD_DM_OP: pin every page of the buffers (lock_pages), run HYPERVISOR_dm_op on them, unpin them dirty (unlock_pages).',
  args: {
    dom: domid('the target domain of the device-model op'),
    bufs: required(dmOpBufs(), 'the buffers: `[{ addr, length }, ...]`, each at most 4KiB'),
    value: withDefault(
      t.int(-1, 255),
      'the byte the simulated hypervisor writes into every buffer page; -1: it only reads',
      -1,
      '`-1`',
    ),
  },
  example: 'privcmd_ioctl_dm_op: { as: r, dom: 1, bufs: [{ addr: buf, length: 100 }] }',
});

export const blkif_queue_request = defineOperation({
  name: 'blkif_queue_request',
  group: 'consumers',
  kernel: 'drivers/block/xen-blkfront.c: blkif_queue_request',
  doc: 'A page-cache read through blkfront: lock a page (do_read_cache_page), grant its frame to the backend domain, queue the request.',
  args: { backend: domid('the backend domain (0: dom0 itself, as in 2012)') },
  binds: {
    kind: 'value',
    doc: 'the grant reference of the request (NAME.ret: it, or a negative errno)',
  },
  example: 'blkif_queue_request: { as: req, backend: 0 }',
});

export const blkif_interrupt = defineOperation({
  name: 'blkif_interrupt',
  group: 'consumers',
  kernel: 'drivers/block/xen-blkfront.c: blkif_interrupt',
  doc: "Wait for the backend's response to a request, end the grant, complete the read (uptodate, unlock).",
  args: { req: required(t.value(), 'the grant reference bound by blkif_queue_request') },
  binds: { kind: 'value', doc: 'the contents of the page read' },
  example: 'blkif_interrupt: { as: v, req: 0 }',
});

export const make_response = defineOperation({
  name: 'make_response',
  group: 'consumers',
  kernel: 'drivers/block/xen-blkback/blkback.c: make_response',
  doc: 'The backend answers a request and notifies the frontend.',
  args: { req: required(t.value(), 'the grant reference of the request') },
  example: 'make_response: { req: 0 }',
});

export const gnttab_map_refs = defineOperation({
  name: 'gnttab_map_refs',
  group: 'consumers',
  kernel: 'drivers/xen/grant-table.c: gnttab_map_refs',
  doc: 'A gntdev mapping (gntdev_map_grant_pages): map a grant of `domid` into a ballooned page, recorded in the m2p_override.',
  args: {
    domid: domid('the granting domain'),
    ref: required(t.value(), 'the grant reference'),
  },
  binds: { kind: 'value', doc: 'the mapping (NAME.ret: 0, or an errno or GNTST_* status)' },
  example: 'gnttab_map_refs: { as: g, domid: 0, ref: 0 }',
});

export const gnttab_unmap_refs = defineOperation({
  name: 'gnttab_unmap_refs',
  group: 'consumers',
  kernel: 'drivers/xen/grant-table.c: gnttab_unmap_refs',
  doc: 'Unmap a gntdev mapping (m2p_remove_override) and free its ballooned page.',
  args: { map: required(t.value(), 'a mapping bound by gnttab_map_refs') },
  example: 'gnttab_unmap_refs: { map: 0 }',
});

export const do_blockdev_direct_IO = defineOperation({
  name: 'do_blockdev_direct_IO',
  group: 'consumers',
  kernel: 'fs/direct-io.c: do_blockdev_direct_IO',
  doc: 'An O_DIRECT read into a gntdev mapping (x86 PV, 2012): GUP through mfn_to_pfn, bio_set_pages_dirty (page lock), the device writes `value`.',
  args: {
    map: required(t.value(), 'a mapping bound by gnttab_map_refs'),
    value: required(t.int(0, 255), 'the byte the device reads from disk into each page'),
  },
  example: 'do_blockdev_direct_IO: { as: n, map: 0, value: 0x5a }',
});

export const xenOps = [
  privcmd_ioctl_dm_op,
  blkif_queue_request,
  blkif_interrupt,
  gnttab_map_refs,
  do_blockdev_direct_IO,
  gnttab_unmap_refs,
  make_response,
];

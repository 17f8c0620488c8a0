/**
 * The disk's side of block I/O: a device agent thread (k.spawnDevice) that takes requests from
 * the queue in order, moves each folio's content by DMA (one scheduling point per folio, so a
 * write through a pin can land before or after the device reads the page), and runs the bio's
 * completion. An agent is started when a request arrives and none is running; it finishes when
 * the queue is empty, so no idle thread keeps a run from ending.
 *
 * A direct I/O vector is one page (bv_len set); a read into user memory is checked against the
 * issuing mm first (dio_target.ts: the page must still be the one mapped at its user address).
 *
 * A write whose file system checksummed the page at submission (btrfs: the `csum` of the
 * vector) and finds other content at transfer time is a stable-page violation: the checksum
 * on disk no longer matches the data (`fs.unstable-page-write`).
 * @fidelity custom (the device); block/blk-mq.c dispatch reduced to a FIFO
 */
import { folio_nr_pages, page_folio } from '../../mm/folio.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { bdevObj, folioObj } from '../objects.js';
import { fs_trace } from '../fs/fs_trace.js';
import type { block_device } from './bdev.js';
import { REQ_OP_WRITE, type bio, type bio_vec } from './bio.js';
import { dio_check_target } from './dio_target.js';

/** The checker id of a page modified while the disk wrote it under a checksum. */
export const UNSTABLE_PAGE_WRITE = 'fs.unstable-page-write';

/** Queue `b` and start the disk's device agent if it is idle. @fidelity custom */
export function* blk_mq_kick(k: Kernel, b: bio): Sched<void> {
  const bdev = b.bi_bdev;
  const m = k.m;
  yield m.at('submit_bio', bdevObj(bdev.bd_dev), Access.Write);
  bdev.queue.push(b);
  if (bdev.agentRunning) return;
  bdev.agentRunning = true;
  const name = `${bdev.name}-io${bdev.agents++}`;
  k.spawnDevice(name, () => device_agent(k, bdev));
}

function transfer(k: Kernel, b: bio, write: boolean, v: bio_vec): void {
  const bdev = b.bi_bdev;
  const mem = k.mem;
  if (!write && b.dio_mm !== null) dio_check_target(k, b, v);
  const nr = v.bv_len !== undefined ? 1 : folio_nr_pages(mem, v.folio);
  for (let i = 0; i < nr; i++) {
    const block = v.block < 0 ? -1 : v.block + i;
    if (block >= 0) bdev.ensure(block);
    if (write) {
      const value = mem.content[v.folio + i]!;
      if (v.csum >= 0 && value !== v.csum) unstable(k, bdev, v, value);
      if (block >= 0) bdev.data[block] = value;
    } else {
      mem.content[v.folio + i] = block < 0 ? 0 : bdev.data[block]!;
    }
  }
  if (k.m.trace.enabled) {
    fs_trace(k, 'fs.io', {
      dev: bdev.name,
      op: write ? 'write' : 'read',
      block: v.block,
      folio: v.folio,
      value: mem.content[v.folio]!,
    });
  }
}

function unstable(k: Kernel, bdev: block_device, v: bio_vec, value: number): void {
  k.m.report({
    id: UNSTABLE_PAGE_WRITE,
    message: `folio ${v.folio} changed from 0x${v.csum.toString(16)} to 0x${value.toString(16)} while ${bdev.name} wrote it to block ${v.block}: the stored checksum no longer matches the data`,
    rule: 'mm/page-writeback.c: folio_wait_stable (pages under writeback must not change)',
  });
}

/** The device agent of one disk: drain the queue, then exit. @fidelity custom */
function* device_agent(k: Kernel, bdev: block_device): Sched<void> {
  const m = k.m;
  m.enter('block/blk-mq.c: blk_mq_dispatch_rq_list (device)');
  while (bdev.queue.length > 0) {
    const b = bdev.queue[0]!;
    const write = b.bi_opf === REQ_OP_WRITE;
    for (const v of b.bi_io_vec) {
      const fa = write ? Access.Read : Access.Write;
      const folio = page_folio(k.mem, v.folio);
      yield m.at('dma', folioObj(folio), fa).also(bdevObj(bdev.bd_dev), Access.Write);
      transfer(k, b, write, v);
    }
    bdev.queue.shift();
    yield* b.bi_end_io(k, b);
  }
  bdev.agentRunning = false;
  m.leave();
}

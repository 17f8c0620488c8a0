/**
 * struct bio (include/linux/blk_types.h) and submit_bio (block/blk-core.c): a request to move
 * folios to or from disk blocks, completed by the disk's device agent (blk-mq.ts), which then
 * calls bi_end_io. One vector per folio; each page of a folio goes to consecutive blocks.
 * @fidelity simplified: no splitting, merging, plugging or errors.
 */
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { block_device } from './bdev.js';
import { blk_mq_kick } from './blk-mq.js';

/** include/linux/blk_types.h: REQ_OP_READ. */
export const REQ_OP_READ = 0;
/** include/linux/blk_types.h: REQ_OP_WRITE. */
export const REQ_OP_WRITE = 1;

/** include/linux/bvec.h: struct bio_vec, one folio and the disk block of its first page. */
export interface bio_vec {
  readonly folio: number;
  readonly block: number;
  /** The content the file system checksummed at submission (btrfs), or -1. */
  readonly csum: number;
}

/** include/linux/blk_types.h: struct bio. @fidelity simplified */
export class bio {
  readonly bi_io_vec: bio_vec[] = [];
  /** blk_status_t: 0 for success. */
  bi_status = 0;

  constructor(
    readonly bi_bdev: block_device,
    readonly bi_opf: number,
    /** ->bi_end_io(bio): runs on the device agent when the transfer is done. */
    readonly bi_end_io: (k: Kernel, b: bio) => Sched<void>,
    /** Whose pages these are, for traces. */
    readonly owner: string,
  ) {}
}

/** block/bio.c: bio_add_folio(bio, folio, len, off): add a whole folio at disk block `block`. @fidelity simplified */
export function bio_add_folio(b: bio, folio: number, block: number, csum = -1): void {
  b.bi_io_vec.push({ folio, block, csum });
}

/**
 * block/blk-core.c: submit_bio(bio): queue the request for the disk and make sure its device
 * agent runs. The caller goes on; completion comes through bi_end_io.
 * @fidelity simplified
 */
export function* submit_bio(k: Kernel, b: bio): Sched<void> {
  if (b.bi_io_vec.length === 0) {
    yield* b.bi_end_io(k, b);
    return;
  }
  yield* blk_mq_kick(k, b);
}

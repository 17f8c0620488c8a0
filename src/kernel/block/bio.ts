/**
 * struct bio (include/linux/blk_types.h) and submit_bio (block/blk-core.c): a request to move
 * folios to or from disk blocks, completed by the disk's device agent (blk-mq.ts), which then
 * calls bi_end_io. One vector per folio; each page of a folio goes to consecutive blocks.
 * @fidelity simplified: no splitting, merging, plugging or errors.
 */
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { mm_struct } from '../mm/mm_struct.js';
import type { block_device } from './bdev.js';
import { blk_mq_kick } from './blk-mq.js';

/** include/linux/blk_types.h: REQ_OP_READ. */
export const REQ_OP_READ = 0;
/** include/linux/blk_types.h: REQ_OP_WRITE. */
export const REQ_OP_WRITE = 1;

/**
 * include/linux/bvec.h: struct bio_vec, one folio and the disk block of its first page. A direct
 * I/O vector names one page (`folio` is then that page, which may be a tail page) with the
 * bytes it covers (`bv_len`) and the user address it was extracted from (`uaddr`).
 */
export interface bio_vec {
  readonly folio: number;
  readonly block: number;
  /** The content the file system checksummed at submission (btrfs), or -1. */
  readonly csum: number;
  /** Direct I/O: bytes of the page covered (the vector is one page, not the whole folio). */
  readonly bv_len?: number;
  /** Direct I/O from user memory: the user address of the page (model-only, for checks). */
  readonly uaddr?: number;
}

/** include/linux/blk_types.h: BIO_PAGE_PINNED (the pages carry pins: unpin on release). */
export const BIO_PAGE_PINNED = 1 << 0;
/** include/linux/blk_types.h (v6.3-v6.4): BIO_PAGE_REFFED (the pages carry references: put them). */
export const BIO_PAGE_REFFED = 1 << 1;
/** include/linux/blk_types.h: BIO_CLONED (the vector array is borrowed). */
export const BIO_CLONED = 1 << 2;

/** include/linux/blk_types.h: struct bio. @fidelity simplified */
export class bio {
  bi_io_vec: bio_vec[] = [];
  /** blk_status_t: 0 for success. */
  bi_status = 0;
  /** BIO_* flags. */
  bi_flags = 0;
  /** bi_iter.bi_size: bytes of data (direct I/O). */
  bi_size = 0;
  /** Direct I/O from user memory: the mm the pages were extracted from (model-only). */
  dio_mm: mm_struct | null = null;

  constructor(
    readonly bi_bdev: block_device,
    readonly bi_opf: number,
    /** ->bi_end_io(bio): runs on the device agent when the transfer is done. */
    readonly bi_end_io: (k: Kernel, b: bio) => Sched<void>,
    /** Whose pages these are, for traces. */
    readonly owner: string,
  ) {}
}

/** include/linux/bio.h: bio_flagged(bio, flag). @fidelity exact */
export function bio_flagged(b: bio, flag: number): boolean {
  return (b.bi_flags & flag) !== 0;
}

/** include/linux/bio.h: bio_set_flag(bio, flag). @fidelity exact */
export function bio_set_flag(b: bio, flag: number): void {
  b.bi_flags |= flag;
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

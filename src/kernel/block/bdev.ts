/**
 * A simulated disk: struct block_device and struct gendisk (include/linux/blk_types.h,
 * include/linux/blkdev.h) reduced to what the page cache needs: one content byte per 4 KiB
 * block (the page-content convention), a block allocator for the file system on it, the
 * BLK_FEAT_STABLE_WRITES feature, and the request queue its device agent drains (blk-mq.ts).
 * @fidelity custom: no partitions, no request merging or scheduling, no errors.
 */
import type { Kernel } from '../kernel.js';
import { vfs } from '../fs/vfs_state.js';
import type { bio } from './bio.js';

/** include/linux/blkdev.h: struct block_device (with its disk and queue). @fidelity custom */
export class block_device {
  /** Content byte of each block. */
  data = new Uint8Array(1024);
  /** 1 for an allocated block. */
  used = new Uint8Array(1024);
  nr_used = 0;
  /** The lowest block that may be free. */
  private hint = 0;
  /** Requests submitted and not yet taken by the device. */
  readonly queue: bio[] = [];
  /** A device agent is draining the queue. */
  agentRunning = false;
  /** Device agents started so far (names the next one). */
  agents = 0;

  constructor(
    readonly bd_dev: number,
    readonly name: string,
    /** Capacity in blocks. */
    readonly nr_blocks: number,
    /** bdev_stable_writes(): pages must not change while under writeback. */
    readonly stable_writes: boolean,
  ) {}

  /** Grow the arrays to hold block `b`. */
  ensure(b: number): void {
    if (b < this.data.length) return;
    let n = this.data.length;
    while (n <= b) n *= 2;
    const d = new Uint8Array(n);
    d.set(this.data);
    this.data = d;
    const u = new Uint8Array(n);
    u.set(this.used);
    this.used = u;
  }

  nextFree(): number {
    let b = this.hint;
    while (b < this.nr_blocks && b < this.used.length && this.used[b] === 1) b++;
    this.hint = b;
    return b < this.nr_blocks ? b : -1;
  }

  freed(b: number): void {
    if (b < this.hint) this.hint = b;
  }
}

/** A new simulated disk of `bytes` capacity, registered with the kernel. @fidelity custom */
export function bdev_create(
  k: Kernel,
  name: string,
  bytes: number,
  stable_writes: boolean,
): block_device {
  const st = vfs(k);
  const bdev = new block_device(st.bdevs.length + 1, name, Math.floor(bytes / 4096), stable_writes);
  st.bdevs.push(bdev);
  return bdev;
}

/** Allocate the lowest free block: its number, or -1 when the disk is full. @fidelity custom */
export function bdev_alloc_block(bdev: block_device): number {
  const b = bdev.nextFree();
  if (b < 0) return -1;
  bdev.ensure(b);
  bdev.used[b] = 1;
  bdev.nr_used++;
  bdev.data[b] = 0;
  return b;
}

/** Free block `b`. @fidelity custom */
export function bdev_free_block(bdev: block_device, b: number): void {
  if (bdev.used[b] !== 1) throw new Error(`bdev ${bdev.name}: double free of block ${b}`);
  bdev.used[b] = 0;
  bdev.nr_used--;
  bdev.freed(b);
}

/** include/linux/blkdev.h: bdev_stable_writes(bdev). @fidelity exact */
export function bdev_stable_writes(bdev: block_device): boolean {
  return bdev.stable_writes;
}

/** The content byte of block `b` (0 past what was ever written). @fidelity custom */
export function bdev_read_block(bdev: block_device, b: number): number {
  return b < bdev.data.length ? bdev.data[b]! : 0;
}

/**
 * The contiguous memory allocator (mm/cma.c, v6.18: cma_alloc / __cma_alloc /
 * cma_range_alloc, cma_release), over the machine's one CMA area (`machine: { cma: SIZE }`).
 *
 * A bitmap (one bit per page) records what has been handed out. cma_alloc looks for the first
 * free run of `count` pages aligned to 2^align pages, marks it, and asks alloc_contig_range
 * for it; when that range is busy (-EBUSY: something in it could not be migrated), it clears
 * the bits and tries the next aligned run, until none is left: then it fails (NULL, and the
 * kernel logs "cma_alloc: alloc failed, req-size: N pages, ret: -16"). The model keeps what
 * blocked each attempt for the holder report.
 * @fidelity simplified: one area, one range, order_per_bit 0; no cma_alloc_* statistics
 */
import { __free_page } from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EBUSY, EINVAL, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import type { FolioBlocker } from './migrate_why.js';
import { ACR_FLAGS_CMA, alloc_contig_range } from './page_alloc_contig.js';

/** struct cma (one range), the model's state per kernel. */
interface cma {
  readonly base_pfn: number;
  readonly count: number;
  readonly bitmap: Uint8Array;
}

const areas = new WeakMap<Kernel, cma | null>();

/** The machine's CMA area, or null when it has none. */
export function cma_area(k: Kernel): cma | null {
  let c = areas.get(k);
  if (c === undefined) {
    const mem = k.mem;
    const count = mem.cma_end_pfn - mem.cma_start_pfn;
    c = count > 0 ? { base_pfn: mem.cma_start_pfn, count, bitmap: new Uint8Array(count) } : null;
    areas.set(k, c);
  }
  return c;
}

/** What cma_alloc did. */
export interface CmaResult {
  /** The first page, or -1 (NULL). */
  readonly page: number;
  /** 0, or the last error (-EBUSY when every candidate range was busy). */
  readonly ret: number;
  /** Every busy range tried, with what was in the way. */
  readonly attempts: readonly {
    readonly pfn: number;
    readonly blockers: readonly FolioBlocker[];
  }[];
}

/** lib/bitmap.c: bitmap_find_next_zero_area_off, for one byte per bit. */
function find_zero_area(
  bitmap: Uint8Array,
  start: number,
  nr: number,
  mask: number,
  offset: number,
): number {
  let index = start;
  for (;;) {
    index = ((index + offset + mask) & ~mask) - offset;
    if (index + nr > bitmap.length) return bitmap.length;
    let busy = -1;
    for (let i = index; i < index + nr; i++) if (bitmap[i] !== 0) busy = i;
    if (busy < 0) return index;
    index = busy + 1;
  }
}

/**
 * mm/cma.c: cma_alloc(cma, count, align, no_warn): `count` contiguous pages aligned to
 * 2^align pages from the CMA area, or page -1 with the reason.
 * @fidelity simplified (see the file comment)
 */
export function* cma_alloc(k: Kernel, count: number, align: number): Sched<CmaResult> {
  const c = cma_area(k);
  if (c === null || count <= 0)
    return { page: -1, ret: c === null ? -ENOMEM : -EINVAL, attempts: [] };
  const mask = (1 << align) - 1;
  const offset = (c.base_pfn & mask) === 0 ? 0 : ((1 << align) - (c.base_pfn & mask)) & mask;
  const attempts: { pfn: number; blockers: readonly FolioBlocker[] }[] = [];
  let start = 0;
  let ret = -EBUSY;
  for (;;) {
    const bitmap_no = find_zero_area(c.bitmap, start, count, mask, offset);
    if (bitmap_no >= c.count) break;
    c.bitmap.fill(1, bitmap_no, bitmap_no + count);
    const pfn = c.base_pfn + bitmap_no;
    const r = yield* alloc_contig_range(k, pfn, pfn + count, ACR_FLAGS_CMA);
    ret = r.ret;
    if (ret === 0) return { page: pfn, ret: 0, attempts };
    c.bitmap.fill(0, bitmap_no, bitmap_no + count);
    attempts.push({ pfn, blockers: r.blockers });
    if (ret !== -EBUSY) break;
    start = bitmap_no + mask + 1;
  }
  return { page: -1, ret, attempts };
}

/** mm/cma.c: cma_release(cma, pages, count): free the pages and clear their bits. @fidelity simplified */
export function cma_release(k: Kernel, page: number, count: number): boolean {
  const c = cma_area(k);
  if (c === null || page < c.base_pfn || page + count > c.base_pfn + c.count) return false;
  for (let p = page; p < page + count; p++) __free_page(k.mem, p);
  c.bitmap.fill(0, page - c.base_pfn, page - c.base_pfn + count);
  return true;
}

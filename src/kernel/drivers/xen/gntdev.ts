/**
 * A user-space backend's grant mapping (drivers/xen/gntdev.c, 3.x: gntdev_map_grant_pages and
 * unmap_grant_pages, as QEMU's qdisk uses them through IOCTL_GNTDEV_MAP_GRANT_REF and mmap):
 * ballooned pages back the mapping, gnttab_map_refs maps the grants with GNTMAP_contains_pte
 * (Xen writes the foreign machine frame into the user PTE) and a kernel mapping (kmap_ops), and
 * records each page in the m2p_override.
 *
 * The user PTEs are kept here with the map (the machine frame each one holds), not in the
 * process's page tables: the simulated mm's page tables hold pfns, while a PV user PTE holds an
 * mfn that only mfn_to_pfn turns into a struct page. xen_pv_dio.ts resolves them as GUP does.
 * @fidelity simplified: one map per step, no VMA, no mmu notifier, unmapping is immediate
 */
import type { Sched } from '../../../sim/thread.js';
import type { Kernel } from '../../kernel.js';
import { ENOMEM } from '../../include/errno.js';
import { alloc_xenballooned_pages, free_xenballooned_pages } from './balloon.js';
import {
  GNTMAP_contains_pte,
  GNTMAP_host_map,
  GNTST_okay,
  gnttab_map_refs,
  gnttab_unmap_refs,
  type gnttab_map_grant_ref,
} from './grant-table.js';

/** drivers/xen/gntdev.c: struct gntdev_grant_map (the parts the model needs). */
export interface gntdev_grant_map {
  /** The ballooned pages backing the mapping. */
  readonly pages: number[];
  readonly map_ops: gnttab_map_grant_ref[];
  /** Unmapped by gntdev_unmap_grant_pages. */
  unmapped: boolean;
}

/**
 * drivers/xen/gntdev.c: gntdev_map_grant_pages(map) after gntdev_alloc_map(count): map the
 * grants `refs` of domain `dom`. The map and gnttab_map_refs's result (0, an override error, or
 * the first failed op's GNTST_* status).
 * @fidelity simplified: see the file comment
 */
export function* gntdev_map_grant_pages(
  k: Kernel,
  dom: number,
  refs: readonly number[],
): Sched<{ map: gntdev_grant_map | null; ret: number }> {
  const pages: number[] = [];
  if (alloc_xenballooned_pages(k, refs.length, pages) !== 0) return { map: null, ret: -ENOMEM };
  const map_ops = refs.map((ref) => ({
    dom,
    ref,
    flags: GNTMAP_host_map | GNTMAP_contains_pte,
    status: GNTST_okay,
    mfn: -1,
  }));
  const map: gntdev_grant_map = { pages, map_ops, unmapped: false };
  const ret = yield* gnttab_map_refs(k, map_ops, true, pages, refs.length);
  const failed = map_ops.find((op) => op.status !== GNTST_okay);
  return { map, ret: ret !== 0 ? ret : (failed?.status ?? 0) };
}

/**
 * drivers/xen/gntdev.c: unmap_grant_pages(map, 0, count) and the release of the ballooned
 * pages (gntdev_free_map). 0 or gnttab_unmap_refs's error.
 * @fidelity simplified: see the file comment
 */
export function* gntdev_unmap_grant_pages(k: Kernel, map: gntdev_grant_map): Sched<number> {
  const mapped = map.map_ops
    .map((op, i) => ({ op, page: map.pages[i]! }))
    .filter((x) => x.op.status === GNTST_okay);
  const unmap_ops = mapped.map(({ op }) => ({ dom: op.dom, ref: op.ref, status: GNTST_okay }));
  const pages = mapped.map((x) => x.page);
  const ret = yield* gnttab_unmap_refs(k, unmap_ops, true, pages, pages.length);
  map.unmapped = true;
  free_xenballooned_pages(k, map.pages.length, map.pages);
  return ret;
}

/**
 * block.dio-page-lost: the page a direct I/O read is about to DMA into must still be the page
 * the issuing process maps at the buffer's address. If the process now maps another page there,
 * a COW moved the process away from the page under I/O (GUP-after-fork with FOLL_GET references,
 * bugzoo B3/B7, before "block: Switch to pinning pages"): the data read lands in a page the
 * process no longer sees (its child's, or nobody's). Pins prevent it: fork copies a maybe-pinned
 * anon page for the child, and a pinned page stays PageAnonExclusive, so its writes reuse it.
 * Checked by the device agent before each page it writes (blk-mq.ts).
 *
 * A buffer that the process itself unmaps or replaces during the I/O also trips this: the
 * catalogue scenarios do not do that (it is the application's error, and the data is lost too).
 * @fidelity custom (a model invariant)
 */
import { addr_to_vpn } from '../../mm/layout.js';
import { pmd_leaf, pte_pfn, pte_present } from '../../mm/pgtable_types.js';
import { pmd_lookup, pte_lookup } from '../../mm/pgtable_walk.js';
import type { Kernel } from '../kernel.js';
import type { mm_struct } from '../mm/mm_struct.js';
import type { bio, bio_vec } from './bio.js';

/** The checker id. */
export const DIO_PAGE_LOST = 'block.dio-page-lost';

/** The page `mm` maps at `addr`, or -1 (nothing present, or the mm is gone). @fidelity custom */
export function user_page_at(k: Kernel, mm: mm_struct, addr: number): number {
  if (mm.pgd < 0) return -1;
  const pool = k.pool;
  const vpn = addr_to_vpn(addr);
  const pmdp = pmd_lookup(pool, mm, vpn);
  if (pmdp < 0) return -1;
  const pmd = pool.get(pmdp);
  if (pmd_leaf(pmd)) return pte_present(pmd) ? pte_pfn(pmd) + (vpn % 512) : -1;
  const ptep = pte_lookup(pool, mm, vpn);
  if (ptep < 0) return -1;
  const pte = pool.get(ptep);
  return pte_present(pte) ? pte_pfn(pte) : -1;
}

/** Report a read's DMA target that the issuing mm no longer maps at its address. @fidelity custom */
export function dio_check_target(k: Kernel, b: bio, v: bio_vec): void {
  const mm = b.dio_mm;
  if (mm === null || v.uaddr === undefined) return;
  const now = user_page_at(k, mm, v.uaddr);
  if (now < 0 || now === v.folio) return;
  const message = `direct I/O read DMA into page ${v.folio}, but mm ${mm.mm_id} now maps page ${now} at 0x${v.uaddr.toString(16)}: the data read is lost to the process (its page was COWed away while the I/O held it)`;
  k.m.report(
    {
      id: DIO_PAGE_LOST,
      message,
      rule: 'block/bio.c: bio_iov_iter_get_pages (user pages are pinned: iov_iter_extract_will_pin)',
    },
    message,
  );
}

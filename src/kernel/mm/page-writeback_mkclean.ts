/**
 * mm/rmap.c: folio_mkclean(folio) for page-cache folios: walk the file's shared mappings
 * (mapping->i_mmap, skipping private VMAs: invalid_mkclean_vma) and write-protect and clean
 * every PTE that maps the folio and is writable or dirty (page_vma_mkclean_one), under its
 * page-table lock. Returns how many PTEs changed; a write through such a PTE now faults and
 * goes through ->page_mkwrite again.
 *
 * Lives here (with its only caller, folio_clear_dirty_for_io) until the rmap walkers of the mm
 * layer provide it.
 * @fidelity simplified: PTE-mapped folios only (file THPs are not PMD-mapped in this model), no
 * i_mmap_rwsem, no TLB flush (the model has no TLB).
 */
import { MmBug } from '../../mm/bug.js';
import { folio_nr_pages } from '../../mm/folio.js';
import { folio_mapped } from '../../mm/mapcount.js';
import { ptep_get, ptr_table, set_pte_at } from '../../mm/pgtable.js';
import {
  pte_dirty,
  pte_mkclean,
  pte_pfn,
  pte_present,
  pte_write,
  pte_wrprotect,
} from '../../mm/pgtable_types.js';
import { pte_lookup } from '../../mm/pgtable_walk.js';
import type { VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { VM_SHARED } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { pteObj } from '../objects.js';
import { fs_trace } from '../fs/fs_trace.js';
import { folio_test_locked } from './filemap.js';
import type { mm_struct } from './mm_struct.js';
import { folio_mapping } from './pagecache.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';

/** mm/rmap.c: page_vma_mkclean_one for one page of `vma`: 1 if its PTE was cleaned. */
function* mkclean_one(k: Kernel, vma: VmAreaStruct, page: number, address: number): Sched<number> {
  const mm = vma.vm_mm as mm_struct;
  const pool = k.pool;
  const ptep = pte_lookup(pool, mm, address / 4096);
  if (ptep < 0) return 0;
  const ptl = mm.ptlock(ptr_table(ptep));
  yield* ptl_lock(ptl);
  if (!mm_solo(k.m)) yield k.m.at('page_vma_mkclean_one', pteObj(ptep), Access.Write);
  const pte = ptep_get(pool, ptep);
  let cleaned = 0;
  if (pte_present(pte) && pte_pfn(pte) === page && (pte_dirty(pte) || pte_write(pte))) {
    set_pte_at(pool, ptep, pte_mkclean(pte_wrprotect(pte)));
    cleaned = 1;
  }
  yield* ptl_unlock(ptl);
  return cleaned;
}

/** mm/rmap.c: folio_mkclean(folio): the number of PTEs write-protected and cleaned. @fidelity simplified */
export function* folio_mkclean(k: Kernel, folio: number): Sched<number> {
  if (!folio_test_locked(k, folio))
    throw new MmBug(`BUG_ON: folio_mkclean of unlocked folio ${folio}`);
  if (!folio_mapped(k.mem, folio)) return 0;
  const mapping = folio_mapping(k, folio);
  if (mapping === null) return 0;
  const first = k.mem.index[folio];
  const nr = folio_nr_pages(k.mem, folio);
  let cleaned = 0;
  for (const vma of [...mapping.i_mmap]) {
    if ((vma.vm_flags & VM_SHARED) === 0) continue;
    for (let i = 0; i < nr; i++) {
      const pgoff = first + i;
      if (pgoff < vma.vm_pgoff) continue;
      const address = vma.vm_start + (pgoff - vma.vm_pgoff) * 4096;
      if (address >= vma.vm_end) continue;
      cleaned += yield* mkclean_one(k, vma, folio + i, address);
    }
  }
  if (k.m.trace.enabled) fs_trace(k, 'mm.writeback-mkclean', { folio, cleaned });
  return cleaned;
}

/**
 * mm/gup.c: gup_fast_folio_allowed: what GUP-fast may return without seeing the VMA. It rejects
 * secretmem folios, and for FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE any file folio except shmem (the
 * slow path then decides with the VMA, and refuses dirty-tracked mappings). A truncated folio
 * (mapping NULL) is refused; anonymous folios (KSM included) are fine; hugetlb always is.
 */
import { folio_test_anon, folio_test_hugetlb, folio_test_large } from '../../mm/index.js';
import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { gupState, type GupFileFacts } from './gup_state.js';
import { folio_file_mapping } from './pagecache.js';
import { shmem_mapping } from './shmem.js';

const LONGTERM_WRITE_PIN = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;

/**
 * mm/gup.c: gup_fast_folio_allowed(folio, flags). The caller holds a reference.
 * @fidelity exact (CONFIG_SECRETMEM=y; no slab folios are ever mapped in the model)
 */
export function gup_fast_folio_allowed(k: Kernel, folio: number, flags: number): boolean {
  const mem = k.mem;
  const reject_file_backed = (flags & LONGTERM_WRITE_PIN) === LONGTERM_WRITE_PIN;
  const check_secretmem = !folio_test_large(mem, folio);
  if (!reject_file_backed && !check_secretmem) return true;
  if (folio_test_hugetlb(mem, folio)) return true;
  if (folio_test_anon(mem, folio)) return true;
  const mapping = mem.mapping[folio]!;
  if (mapping === 0) return false;
  const facts = mapping_facts(k, folio, mapping);
  if (check_secretmem && facts.secretmem === true) return false;
  return !reject_file_backed || facts.shmem === true;
}

/** What the page cache a folio is in says of itself: shmem_mapping, secretmem_mapping. */
export function mapping_facts(k: Kernel, folio: number, mapping: number): GupFileFacts {
  const override = gupState(k).mappingFacts;
  if (override !== null) return override(mapping);
  const m = folio_file_mapping(k, folio);
  if (m === null) return {};
  // No secretmem filesystem is modelled (memfd_secret); a test can say otherwise via mappingFacts.
  return { shmem: shmem_mapping(m), secretmem: false };
}

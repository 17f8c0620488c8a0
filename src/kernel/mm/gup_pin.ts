/**
 * Taking and dropping GUP references (mm/gup.c): try_grab_folio (slow path, stable reference),
 * try_get_folio / try_grab_folio_fast (lockless), gup_put_folio (the only release primitive),
 * folio_add_pin(s), mm_set_has_pinned_flag, folio_maybe_dma_pinned / page_maybe_dma_pinned.
 *
 * Pin accounting (include/linux/mm.h, 64-bit): a large folio counts pins exactly in _pincount
 * plus one reference each; a small folio takes GUP_PIN_COUNTING_BIAS (1024) references per pin.
 * The shared zero page is never pin-accounted. Every pin adds to nr_foll_pin_acquired, every
 * release to nr_foll_pin_released (per node).
 */
import {
  F_PINCOUNT,
  GUP_PIN_COUNTING_BIAS,
  MMF_HAS_PINNED,
  NR_FOLL_PIN_ACQUIRED,
  NR_FOLL_PIN_RELEASED,
  folio_has_pincount,
  folio_is_longterm_pinnable,
  folio_large_field_add,
  folio_large_field_get,
  folio_maybe_dma_pinned,
  folio_put_refs,
  folio_ref_count,
  folio_ref_try_add,
  is_zero_folio,
  mm_flags_set,
  mm_flags_test,
  mod_node_page_state,
  page_folio,
  type MmStruct,
  type PhysMem,
} from '../../mm/index.js';
import { ENOMEM, EREMOTEIO } from '../include/errno.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_PIN } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { gup_warn } from './gup_call.js';
import { ledger_take } from './gup_ledger.js';
import { gupState } from './gup_state.js';

/** include/linux/memremap.h: folio_is_pci_p2pdma(): no PCI P2PDMA memory is modelled. @fidelity simplified */
export function folio_is_pci_p2pdma(_mem: PhysMem, _folio: number): boolean {
  return false;
}

/** include/linux/memremap.h: is_pci_p2pdma_page(page). @fidelity simplified */
export function is_pci_p2pdma_page(_mem: PhysMem, _page: number): boolean {
  return false;
}

/**
 * mm/gup.c: try_grab_folio. The caller holds a stable reference (the page-table lock). 0, or
 * -ENOMEM when the folio has no reference (WARN), -EREMOTEIO for P2PDMA without the flag.
 * @fidelity exact
 */
export function try_grab_folio(k: Kernel, folio: number, refs: number, flags: number): number {
  const mem = k.mem;
  if (folio_ref_count(mem, folio) <= 0) {
    gup_warn(
      k,
      'grab-unreferenced',
      `try_grab_folio on folio ${folio} with refcount <= 0`,
      RULE_GRAB,
    );
    return -ENOMEM;
  }
  if ((flags & FOLL_PCI_P2PDMA) === 0 && folio_is_pci_p2pdma(mem, folio)) return -EREMOTEIO;
  if ((flags & FOLL_GET) !== 0) {
    mem._refcount[folio] = mem._refcount[folio] + refs;
  } else if ((flags & FOLL_PIN) !== 0) {
    if (is_zero_folio(mem, folio)) return 0;
    pin_account(mem, folio, refs);
  }
  return 0;
}

const RULE_GRAB = 'mm/gup.c: try_grab_folio';

/** The FOLL_PIN increments of try_grab_folio: exact pincount or the bias, and vmstat. */
function pin_account(mem: PhysMem, folio: number, refs: number): void {
  if (folio_has_pincount(mem, folio)) {
    mem._refcount[folio] = mem._refcount[folio] + refs;
    folio_large_field_add(mem, folio, F_PINCOUNT, refs);
  } else {
    mem._refcount[folio] = mem._refcount[folio] + refs * GUP_PIN_COUNTING_BIAS;
  }
  mod_node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED, refs);
}

/**
 * mm/gup.c: try_get_folio: add `refs` unless the count is zero; -1 (NULL) on failure. A count
 * below zero is an overflow the kernel WARNs about.
 * @fidelity simplified: folios are not split under the model's lockless reader, so the re-check
 * of page_folio() after the add always passes.
 */
export function try_get_folio(k: Kernel, page: number, refs: number): number {
  const mem = k.mem;
  const folio = page_folio(mem, page);
  if (mem._refcount[folio] < 0) {
    gup_warn(k, 'refcount-overflow', `folio ${folio} refcount is negative`, RULE_GET);
    return -1;
  }
  if (!folio_ref_try_add(mem, folio, refs)) return -1;
  return folio;
}

const RULE_GET = 'mm/gup.c: try_get_folio';

/**
 * mm/gup.c: try_grab_folio_fast: GET or PIN `refs` pages of the folio of `page` without a
 * stable reference; -1 (NULL) when it cannot (refcount zero or negative, P2PDMA, or a
 * FOLL_LONGTERM pin of a folio that is not long-term pinnable).
 * @fidelity exact
 */
export function try_grab_folio_fast(k: Kernel, page: number, refs: number, flags: number): number {
  const mem = k.mem;
  if ((flags & (FOLL_GET | FOLL_PIN)) === 0) {
    gup_warn(k, 'fast-no-get-pin', 'try_grab_folio_fast without FOLL_GET or FOLL_PIN', RULE_FAST);
    return -1;
  }
  if ((flags & FOLL_PCI_P2PDMA) === 0 && is_pci_p2pdma_page(mem, page)) return -1;
  if ((flags & FOLL_GET) !== 0) return try_get_folio(k, page, refs);
  if (page === mem.zero_pfn) return page;
  const folio = try_get_folio(k, page, refs);
  if (folio < 0) return -1;
  if ((flags & FOLL_LONGTERM) !== 0 && !folio_is_longterm_pinnable(mem, folio)) {
    folio_put_refs(mem, folio, refs);
    return -1;
  }
  if (folio_has_pincount(mem, folio)) folio_large_field_add(mem, folio, F_PINCOUNT, refs);
  else mem._refcount[folio] = mem._refcount[folio] + refs * (GUP_PIN_COUNTING_BIAS - 1);
  mod_node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED, refs);
  return folio;
}

const RULE_FAST = 'mm/gup.c: try_grab_folio_fast';

/**
 * mm/gup.c: gup_put_folio: drop `refs` references of the kind `flags` says (FOLL_PIN: undo the
 * pin accounting; nothing at all for the zero page). A drop below zero is refused and reported
 * (`gup.refcount-underflow`; the kernel would hit VM_BUG_ON_FOLIO in folio_put_testzero).
 * @fidelity exact
 */
export function gup_put_folio(k: Kernel, folio: number, refs: number, flags: number): void {
  const mem = k.mem;
  let drop = refs;
  if ((flags & FOLL_PIN) !== 0) {
    if (is_zero_folio(mem, folio)) return;
    if (!pin_release_ok(k, folio, refs)) return;
    mod_node_page_state(mem.vmstat, NR_FOLL_PIN_RELEASED, refs);
    if (folio_has_pincount(mem, folio)) folio_large_field_add(mem, folio, F_PINCOUNT, -refs);
    else drop = refs * GUP_PIN_COUNTING_BIAS;
  }
  if (!put_refs_ok(k, folio, drop)) return;
  folio_put_refs(mem, folio, drop);
}

/** Refuse (and report) a pin release that would take _pincount or the bias below zero. */
function pin_release_ok(k: Kernel, folio: number, refs: number): boolean {
  const mem = k.mem;
  if (folio_has_pincount(mem, folio)) {
    if (folio_large_field_get(mem, folio, F_PINCOUNT) >= refs) return true;
  } else if (folio_ref_count(mem, folio) >= refs * GUP_PIN_COUNTING_BIAS) return true;
  const have = folio_has_pincount(mem, folio)
    ? folio_large_field_get(mem, folio, F_PINCOUNT)
    : Math.floor(folio_ref_count(mem, folio) / GUP_PIN_COUNTING_BIAS);
  report_underflow(k, folio, `releasing ${refs} pins of folio ${folio}, which has ${have}`);
  return false;
}

/** Refuse (and report) a put that would take the refcount below zero. */
function put_refs_ok(k: Kernel, folio: number, drop: number): boolean {
  const have = folio_ref_count(k.mem, folio);
  if (have >= drop) return true;
  report_underflow(k, folio, `dropping ${drop} references of folio ${folio}, which has ${have}`);
  return false;
}

function report_underflow(k: Kernel, folio: number, message: string): void {
  k.m.report(
    {
      id: 'gup.refcount-underflow',
      message,
      rule: 'include/linux/mm.h: folio_put_testzero (VM_BUG_ON_FOLIO)',
    },
    String(folio),
  );
}

/**
 * mm/gup.c: folio_add_pin: one more pin on a folio the caller already pins. Not counted in
 * nr_foll_pin_acquired (so the two counters need not balance afterwards).
 * @fidelity exact
 */
export function folio_add_pin(k: Kernel, folio: number): void {
  const mem = k.mem;
  if (is_zero_folio(mem, folio)) return;
  const s = gupState(k);
  s.addPinUsed = true;
  ledger_take(s, k.m.self.id, folio, 1, true, s.active[k.m.self.id]?.taker ?? -1);
  if (folio_has_pincount(mem, folio)) {
    if (folio_large_field_get(mem, folio, F_PINCOUNT) < 1) {
      gup_warn(k, 'add-pin-unpinned', `folio_add_pin on unpinned folio ${folio}`, RULE_ADD);
    }
    mem._refcount[folio] = mem._refcount[folio] + 1;
    folio_large_field_add(mem, folio, F_PINCOUNT, 1);
  } else {
    if (folio_ref_count(mem, folio) < GUP_PIN_COUNTING_BIAS) {
      gup_warn(k, 'add-pin-unpinned', `folio_add_pin on unpinned folio ${folio}`, RULE_ADD);
    }
    mem._refcount[folio] = mem._refcount[folio] + GUP_PIN_COUNTING_BIAS;
  }
}

const RULE_ADD = 'mm/gup.c: folio_add_pin';

/** mm/gup.c: folio_add_pins: more pins on a pinned folio, through try_grab_folio. @fidelity exact */
export function folio_add_pins(k: Kernel, folio: number, pins: number): number {
  if (!folio_maybe_dma_pinned(k.mem, folio)) {
    gup_warn(k, 'add-pin-unpinned', `folio_add_pins on unpinned folio ${folio}`, RULE_ADD);
  }
  const ret = try_grab_folio(k, folio, pins, FOLL_PIN);
  if (ret === 0) {
    const s = gupState(k);
    for (let i = 0; i < pins; i++)
      ledger_take(s, k.m.self.id, folio, 1, true, s.active[k.m.self.id]?.taker ?? -1);
  }
  return ret;
}

/** include/linux/mm.h: page_maybe_dma_pinned(page). @fidelity exact */
export function page_maybe_dma_pinned(mem: PhysMem, page: number): boolean {
  return folio_maybe_dma_pinned(mem, page_folio(mem, page));
}

/** mm/gup.c: mm_set_has_pinned_flag: set MMF_HAS_PINNED once (sticky). @fidelity exact */
export function mm_set_has_pinned_flag(mm: MmStruct): void {
  if (!mm_flags_test(MMF_HAS_PINNED, mm)) mm_flags_set(MMF_HAS_PINNED, mm);
}

export { folio_maybe_dma_pinned };

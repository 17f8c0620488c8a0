/**
 * "Why can't this memory move?": the holder report of offline_pages, cma_alloc, compaction and
 * migrate_pages. For a folio that stayed behind it names what it is, its reference count against
 * what migration expects (folio_expected_ref_count + the isolation), and who holds the rest:
 * the pins and FOLL_GET references in the GUP ledger (gup_ledger.ts) with the call that took
 * them (API, flags, thread, scenario step), and the references no GUP call explains.
 * The kernel prints much less (dump_page: "migration failure", refcount, mapcount, flags);
 * this is the model's explanation, built from state the kernel has and the ledger it does not.
 * @fidelity custom
 */
import {
  GUP_PIN_COUNTING_BIAS,
  PageReserved,
  buddy_order,
  folio_expected_ref_count,
  folio_maybe_dma_pinned,
  folio_nr_pages,
  folio_ref_count,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_large,
  folio_test_lru,
  folio_test_swapbacked,
  page_folio,
} from '../../mm/index.js';
import { PG_buddy } from '../../mm/page_flags.js';
import { EAGAIN, EBUSY, ENOMEM, errnoName } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { follNames } from './gup_trace.js';
import { gupState } from './gup_state.js';
import './migrate_trace.js';
import { folio_file_mapping } from './pagecache.js';

/** One folio that kept a range from being migrated, and who holds it. */
export interface FolioBlocker {
  readonly pfn: number;
  /** anon, shmem, file <mapping>, hugetlb ..., kernel, reserved. */
  readonly kind: string;
  readonly refcount: number;
  /** What migration expects: mappings + page cache + private data (+ 1 when isolated). */
  readonly expected: number;
  /** Pins and FOLL_GET references the GUP ledger holds on the folio. */
  readonly pins: number;
  readonly gets: number;
  /** Who took them, one line per call: `pin_user_pages [FOLL_WRITE] in main (file:line)`. */
  readonly holders: readonly string[];
  /** The whole explanation, one line. */
  readonly text: string;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** What kind of memory the folio is, as a person would say it. */
export function folio_kind(k: Kernel, folio: number): string {
  const mem = k.mem;
  if ((mem.flags[folio]! & (1 << PG_buddy)) !== 0) return 'free';
  if (PageReserved(mem, folio)) return 'reserved';
  const huge = folio_test_hugetlb(mem, folio) ? 'hugetlb ' : '';
  if (folio_test_anon(mem, folio)) return `${huge}anon`;
  const mapping = folio_file_mapping(k, folio);
  if (mapping !== null)
    return `${huge}${folio_test_swapbacked(mem, folio) ? 'shmem' : 'file'} ${mapping.name}`;
  if (huge !== '') return 'hugetlb';
  return folio_test_lru(mem, folio) ? 'page cache (truncated)' : 'kernel (not on the LRU)';
}

/** The ledger's pins and GET references on the folio, grouped by the call that took them. */
function ledgerHolders(k: Kernel, folio: number): { pins: number; gets: number; who: string[] } {
  const s = gupState(k);
  const byTaker = new Map<number, { pins: number; gets: number }>();
  let pins = 0;
  let gets = 0;
  const nr = folio_nr_pages(k.mem, folio);
  for (let p = folio; p < folio + nr; p++) {
    const pi = s.pinned[p]!;
    const ge = s.gotten[p]!;
    if (pi === 0 && ge === 0) continue;
    pins += pi;
    gets += ge;
    const e = byTaker.get(s.taker[p]!) ?? { pins: 0, gets: 0 };
    e.pins += pi;
    e.gets += ge;
    byTaker.set(s.taker[p]!, e);
  }
  const who: string[] = [];
  for (const [taker, n] of [...byTaker].sort((a, b) => a[0] - b[0])) {
    const t = s.takers.get(taker);
    const what = [n.pins > 0 ? `pinned x${n.pins}` : '', n.gets > 0 ? `FOLL_GET x${n.gets}` : '']
      .filter((x) => x !== '')
      .join(', ');
    if (t === undefined) {
      who.push(`${what} by an unknown call`);
      continue;
    }
    const flags = t.flags !== 0 ? ` [${follNames(t.flags)}]` : '';
    const where = t.where !== null ? ` (${t.where})` : ` in thread ${t.thread}`;
    who.push(`${what} by ${t.api}${flags}${where}`);
  }
  return { pins, gets, who };
}

/**
 * Describe the folio holding `pfn`. `isolated`: the caller holds an isolation reference (one
 * more is expected). `reason`: what the kernel decided about it (e.g. "migration failed:
 * -EAGAIN (references not explained)").
 */
export function describe_blocker(
  k: Kernel,
  pfn: number,
  isolated: boolean,
  reason?: string,
): FolioBlocker {
  const mem = k.mem;
  const folio = page_folio(mem, pfn);
  const kind = folio_kind(k, folio);
  const refcount = folio_ref_count(mem, folio);
  const expected = folio_expected_ref_count(mem, folio) + (isolated ? 1 : 0);
  const { pins, gets, who } = ledgerHolders(k, folio);
  const pinRefs = folio_test_large(mem, folio)
    ? pins
    : Math.min(pins, Math.floor(refcount / GUP_PIN_COUNTING_BIAS)) * GUP_PIN_COUNTING_BIAS;
  const unexplained = refcount - expected - pinRefs - gets;
  const parts = [...who];
  if (pins === 0 && folio_maybe_dma_pinned(mem, folio))
    parts.push('maybe DMA-pinned (not by a scenario call)');
  if (unexplained > 0) parts.push(`${unexplained} other reference(s) no GUP call explains`);
  const head = `pfn ${hex(folio)} (${kind}, refcount ${refcount}, expected ${expected})`;
  const why = reason !== undefined ? `: ${reason}` : '';
  const text = `${head}${why}${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`;
  return { pfn: folio, kind, refcount, expected, pins, gets, holders: who, text };
}

/** The report of several blockers, one line each, for a result field and a trace event. */
export function blockers_text(op: string, blockers: readonly FolioBlocker[]): string {
  if (blockers.length === 0) return '';
  return blockers.map((b) => `${op}: ${b.text}`).join(' | ');
}

/** Record the blockers as `mm.migrate-blocked` events (one per folio) under `fn`. */
export function trace_blockers(
  k: Kernel,
  fn: string,
  op: string,
  blockers: readonly FolioBlocker[],
): void {
  const m = k.m;
  if (!m.trace.enabled) return;
  for (const b of blockers) {
    m.emit(
      'mm.migrate-blocked',
      {
        op,
        pfn: b.pfn,
        kind: b.kind,
        refcount: b.refcount,
        expected: b.expected,
        pins: b.pins,
        reason: b.text,
      },
      fn,
    );
  }
}

export { hex as pfnHex };

/** Why migrate_pages left a folio behind, in words, from its last error. */
export function migrate_rc_text(rc: number): string {
  if (rc === -EAGAIN)
    return 'migration failed (-EAGAIN): more references than its mappings, the page cache and the isolation explain';
  if (rc === -EBUSY) return 'migration refused (-EBUSY)';
  if (rc === -ENOMEM) return 'no folio to migrate it to (-ENOMEM)';
  return `migration failed (${errnoName(rc)})`;
}

/**
 * The folios still allocated in [start, end) (at most `max`), each described with the reason
 * recorded for it in `reasons` (by head pfn), if any.
 */
export function range_blockers(
  k: Kernel,
  start: number,
  end: number,
  reasons: ReadonlyMap<number, string>,
  max = 8,
): FolioBlocker[] {
  const mem = k.mem;
  const out: FolioBlocker[] = [];
  for (let pfn = start; pfn < end && out.length < max; pfn++) {
    if ((mem.flags[pfn]! & (1 << PG_buddy)) !== 0) {
      pfn += (1 << buddy_order(mem, pfn)) - 1;
      continue;
    }
    const folio = page_folio(mem, pfn);
    if (folio_ref_count(mem, folio) === 0) continue;
    out.push(describe_blocker(k, folio, false, reasons.get(folio)));
    pfn = folio + folio_nr_pages(mem, folio) - 1;
  }
  return out;
}

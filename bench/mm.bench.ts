/**
 * Memory-model benchmark (src/mm): host bytes per simulated page, the boot time of a 64 GiB
 * machine, and the raw data-layer cost under an anonymous write fault: allocate a zeroed page,
 * make it an exclusive anon folio and install a writable, dirty PTE (and the reverse, the zap).
 * Targets: <= 48 bytes per page, boot well under a second, well above 2 million faults/s.
 */
import {
  GFP_HIGHUSER_MOVABLE,
  MM_ANONPAGES,
  MmIdAllocator,
  PAGE_SHARED,
  SetPageAnonExclusive,
  __GFP_ZERO,
  add_mm_counter,
  boot_physmem,
  folio_alloc,
  folio_put,
  folio_set_mapping,
  folio_set_swapbacked,
  mm_alloc,
  pfn_pte,
  pte_alloc_walk,
  pte_lookup,
  pte_mkdirty,
  pte_mkwrite,
  pte_pfn,
  type MmStruct,
  type PhysMem,
} from '../src/mm/index.js';
import type { BenchResult } from './result.js';

const GiB = 1024 * 1024 * 1024;
const BASE_VPN = 0x7f0000000 / 4096;

function bootMs(): { ms: number; bytesPerPage: number } {
  const t0 = performance.now();
  const m = boot_physmem({ memory: 64 * GiB, movable: 8 * GiB, cma: GiB });
  const ms = performance.now() - t0;
  return { ms, bytesPerPage: m.memmap_bytes / m.nr_pages };
}

/** The data-layer part of do_anonymous_page() for one page. */
function fault(m: PhysMem, mm: MmStruct, vpn: number): void {
  const ptep = pte_alloc_walk(m.pgtables, mm, vpn);
  const folio = folio_alloc(m, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
  folio_set_mapping(m, folio, 1, true);
  m.index[folio] = vpn;
  folio_set_swapbacked(m, folio);
  SetPageAnonExclusive(m, folio);
  m._mapcount[folio] = 0;
  add_mm_counter(mm, MM_ANONPAGES, 1);
  m.pgtables.set(ptep, pte_mkdirty(pte_mkwrite(pfn_pte(folio, PAGE_SHARED))));
}

/** The data-layer part of zap_pte_range() for one page. */
function zap(m: PhysMem, mm: MmStruct, vpn: number): void {
  const ptep = pte_lookup(m.pgtables, mm, vpn);
  const folio = pte_pfn(m.pgtables.get(ptep));
  m.pgtables.set(ptep, 0);
  m._mapcount[folio] = -1;
  add_mm_counter(mm, MM_ANONPAGES, -1);
  folio_put(m, folio);
}

function faultRun(pages: number): { faults: number; zaps: number } {
  const m = boot_physmem({ memory: 16 * GiB });
  const mm = mm_alloc(m.pgtables, new MmIdAllocator());
  const t0 = performance.now();
  for (let i = 0; i < pages; i++) fault(m, mm, BASE_VPN + i);
  const t1 = performance.now();
  for (let i = 0; i < pages; i++) zap(m, mm, BASE_VPN + i);
  const t2 = performance.now();
  return { faults: pages / ((t1 - t0) / 1000), zaps: pages / ((t2 - t1) / 1000) };
}

/** Every figure of this suite. */
export function runMmBench(): BenchResult[] {
  bootMs(); // warm up
  let boot = Infinity;
  let bytesPerPage = 0;
  for (let i = 0; i < 3; i++) {
    const r = bootMs();
    boot = Math.min(boot, r.ms);
    bytesPerPage = r.bytesPerPage;
  }
  faultRun(200_000); // warm up
  let faults = 0;
  let zaps = 0;
  for (let i = 0; i < 3; i++) {
    const r = faultRun(2_000_000);
    faults = Math.max(faults, r.faults);
    zaps = Math.max(zaps, r.zaps);
  }
  return [
    {
      name: 'mm: host bytes per simulated 4 KiB page',
      value: bytesPerPage,
      unit: 'B/page',
      target: 48,
      higherIsBetter: false,
    },
    {
      name: 'mm: boot a 64 GiB machine (best of 3)',
      value: boot,
      unit: 'ms',
      target: 1000,
      higherIsBetter: false,
    },
    {
      name: 'mm: alloc zeroed page + install PTE',
      value: faults,
      unit: 'pages/s',
      target: 2_000_000,
      higherIsBetter: true,
    },
    { name: 'mm: clear PTE + free page', value: zaps, unit: 'pages/s', higherIsBetter: true },
  ];
}

/**
 * mm/shmem.c: shmem_zero_setup(vma): the backing of a MAP_SHARED|MAP_ANONYMOUS mapping, an
 * unlinked shmem file ("dev/zero") whose page cache holds the shared pages. The file layer may
 * install its own tmpfs-based version as mmState(k).shmemZeroSetup; this is the model's own
 * minimal one: order-0 swap-backed folios found or allocated (zeroed) by ->fault
 * (shmem_fault / shmem_get_folio_gfp with SGP_CACHE), no ->page_mkwrite, no writeback, and the
 * page cache dropped when the last VMA using the file goes away (the inode's eviction).
 * @fidelity simplified (no swap, no huge pages, no fallocate)
 */
import { folio_try_get } from '../../mm/folio.js';
import { GFP_HIGHUSER_MOVABLE, __GFP_ZERO } from '../../mm/gfp.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { NR_SHMEM, mod_node_page_state } from '../../mm/vmstat.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import { folio_put_refs } from '../../mm/page_free.js';
import {
  __folio_set_locked,
  folio_mark_uptodate,
  folio_set_swapbacked,
} from '../../mm/page_flags.js';
import type { VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { VM_FAULT_LOCKED, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../include/fault_flags.js';
import type { Kernel } from '../kernel.js';
import { filemap_add_folio, folio_lock } from './filemap.js';
import { current_pflags, folio_add_lru, vma_mm } from './internal.js';
import { mmState } from './mm_state.js';
import { address_space, type file, type vm_fault, type vm_fault_t } from './mm_types.js';

/** A shmem file of the model: counted by the VMAs that map it; the last one evicts the cache. */
export interface shmem_zero_file extends file {
  f_count: number;
  release(): void;
}

/** mm/shmem.c: shmem_fault(vmf) for the model's anonymous shared file. @fidelity simplified */
function* shmem_zero_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vma_mm(vmf.vma).k;
  const mapping = (vmf.vma.vm_file as file).f_mapping;
  if (vmf.pgoff * PAGE_SIZE >= mapping.i_size) return VM_FAULT_SIGBUS;
  const cached = mapping.i_pages.get(vmf.pgoff);
  if (cached !== undefined && folio_try_get(k.mem, cached)) {
    yield* folio_lock(k, cached);
    vmf.page = cached;
    return VM_FAULT_LOCKED;
  }
  const folio = folio_alloc(k.mem, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, current_pflags(k));
  if (folio < 0) return VM_FAULT_OOM;
  __folio_set_locked(k.mem, folio);
  folio_set_swapbacked(k.mem, folio);
  folio_mark_uptodate(k.mem, folio);
  filemap_add_folio(k, mapping, folio, vmf.pgoff);
  mod_node_page_state(k.mem.vmstat, NR_SHMEM, 1);
  folio_add_lru(k, folio);
  vmf.page = folio;
  return VM_FAULT_LOCKED;
}

const shmem_zero_vm_ops = { name: 'shmem_anon_vm_ops', fault: shmem_zero_fault };

function evict(k: Kernel, mapping: address_space): void {
  for (const [index, folio] of [...mapping.i_pages]) {
    if (k.mem.index[folio] !== index) continue;
    k.mem.mapping[folio] = 0;
    mod_node_page_state(k.mem.vmstat, NR_SHMEM, -1);
    folio_put_refs(k.mem, folio, 1);
  }
  mapping.i_pages.clear();
  mapping.nrpages = 0;
  mmState(k).mappings.delete(mapping.id);
}

/**
 * mm/shmem.c: shmem_zero_setup(vma): give a shared anonymous VMA its shmem file (vm_file,
 * vm_ops). 0.
 * @fidelity simplified
 */
export function shmem_zero_setup(k: Kernel, vma: VmAreaStruct): number {
  const hook = mmState(k).shmemZeroSetup;
  if (hook !== null) return hook(vma);
  const s = mmState(k);
  const mapping = new address_space(s.nextMappingId++, 'dev/zero (deleted)');
  mapping.i_size = vma.vm_end - vma.vm_start;
  s.mappings.set(mapping.id, mapping);
  const f: shmem_zero_file = {
    id: 0x20000000 + mapping.id,
    f_mapping: mapping,
    vm_ops: shmem_zero_vm_ops,
    shmem: true,
    writeback: false,
    f_count: 0,
    release: () => evict(k, mapping),
  };
  vma.vm_file = f;
  return 0;
}

/**
 * From a guest frame to a host page: virt/kvm/kvm_main.c (v6.13+, unchanged in v6.18)
 * struct kvm_follow_pfn, kvm_follow_pfn, __kvm_faultin_pfn, hva_to_pfn, hva_to_pfn_fast,
 * hva_to_pfn_slow, kvm_resolve_pfn, __kvm_vcpu_map / kvm_vcpu_unmap and the release helpers
 * (kvm_release_page_clean/_dirty/_unused, kvm_release_faultin_page in include/linux/kvm_host.h).
 *
 *   hva_to_pfn_fast   only for a write or a may-map-writable request: get_user_page_fast_only
 *                     (FOLL_WRITE) or pin_user_pages_fast (pin): never a read-only lockless
 *                     lookup, which could race with a COW break and leave KVM on the old page
 *   hva_to_pfn_slow   get/pin_user_pages_unlocked(FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT |
 *                     caller flags): may drop mmap_lock (userfaultfd, I/O) unless FOLL_NOWAIT;
 *                     a read fault that may map writable retries get_user_page_fast_only(WRITE)
 *   hva_to_pfn        -EINTR/-EAGAIN -> KVM_PFN_ERR_SIGPENDING, -EHWPOISON -> _HWPOISON; else
 *                     look at the VMA: FOLL_NOWAIT on a VMA that permits the access ->
 *                     KVM_PFN_ERR_NEEDS_IO (the caller may go async), otherwise _FAULT
 *
 * Mapping memory into the guest takes a reference (FOLL_GET) and drops it right after the spte
 * is installed; only kvm_vcpu_map, a kernel mapping KVM itself reads and writes, pins
 * (Documentation/core-api/pin_user_pages.rst CASE 3: an MMU-notifier-driven user needs no pin).
 * @fidelity simplified: VM_IO|VM_PFNMAP VMAs (hva_to_pfn_remapped, allow_unsafe_mappings) are not
 * modelled and give KVM_PFN_ERR_FAULT; the HWPOISON recheck is not modelled.
 */
import { page_folio } from '../../../mm/folio.js';
import { folio_set_dirty, folio_set_referenced, PageReserved } from '../../../mm/page_flags.js';
import { vma_lookup } from '../../../mm/vma.js';
import type { Sched } from '../../../sim/thread.js';
import { EAGAIN, EHWPOISON, EINTR, EINVAL } from '../../include/errno.js';
import {
  FOLL_HONOR_NUMA_FAULT,
  FOLL_HWPOISON,
  FOLL_NOWAIT,
  FOLL_WRITE,
} from '../../include/gup_flags.js';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from '../../include/vm_flags.js';
import {
  get_user_pages_fast_only,
  get_user_pages_unlocked,
  pin_user_pages_fast,
  pin_user_pages_unlocked,
  put_page,
  unpin_user_page,
} from '../../mm/gup.js';
import { mmap_read_lock, mmap_read_unlock } from '../../mm/mmap_lock.js';
import {
  KVM_MEM_READONLY,
  KVM_PFN_ERR_FAULT,
  KVM_PFN_ERR_HWPOISON,
  KVM_PFN_ERR_NEEDS_IO,
  KVM_PFN_ERR_RO_FAULT,
  KVM_PFN_ERR_SIGPENDING,
  KVM_PFN_NOSLOT,
  is_error_noslot_pfn,
  pfnName,
  type kvm,
  type kvm_host_map,
  type kvm_memory_slot,
} from './kvm_host.js';
import { KVM_HVA_ERR_RO_BAD, __gfn_to_hva_many, gfn_to_memslot } from './kvm_main.js';
import { kvm_trace } from './kvm_trace.js';

/** virt/kvm/kvm_mm.h: struct kvm_follow_pfn. */
export interface kvm_follow_pfn {
  readonly vm: kvm;
  readonly slot: kvm_memory_slot | null;
  readonly gfn: number;
  /** FOLL_* flags of the lookup (FOLL_WRITE, FOLL_NOWAIT, FOLL_INTERRUPTIBLE). */
  flags: number;
  /** Pin instead of get (FOLL_PIN is mm-internal, so KVM carries it apart). */
  readonly pin: boolean;
  /** In: a read fault may be mapped writable (null: no); out: it was. */
  map_writable: { value: boolean } | null;
  /** Out: the page KVM now holds a reference or pin on (-1: none). */
  readonly refcounted_page: { value: number };
  hva: number;
  /** Model only: which path resolved the pfn, for the trace. */
  path: string;
}

/** virt/kvm/kvm_main.c: kvm_resolve_pfn(kfp, page, pte, writable) for a struct page. @fidelity simplified (no pte form) */
function kvm_resolve_pfn(kfp: kvm_follow_pfn, page: number, writable: boolean): number {
  if (kfp.map_writable !== null) kfp.map_writable.value = writable;
  kfp.refcounted_page.value = page;
  return page;
}

/**
 * virt/kvm/kvm_main.c: hva_to_pfn_fast(kfp, &pfn): the lockless write lookup, only when the
 * caller wants write access or may map a read fault writable. True on success.
 * @fidelity exact
 */
function* hva_to_pfn_fast(kfp: kvm_follow_pfn, pfn: { value: number }): Sched<boolean> {
  if ((kfp.flags & FOLL_WRITE) === 0 && kfp.map_writable === null) return false;
  const k = kfp.vm.k;
  const page = new Int32Array(1).fill(-1);
  const r = kfp.pin
    ? (yield* pin_user_pages_fast(k, kfp.hva, 1, FOLL_WRITE, page)) === 1
    : (yield* get_user_pages_fast_only(k, kfp.hva, 1, FOLL_WRITE, page)) === 1;
  if (!r) return false;
  kfp.path = kfp.pin ? 'fast (pin_user_pages_fast)' : 'fast (get_user_page_fast_only)';
  pfn.value = kvm_resolve_pfn(kfp, page[0]!, true);
  return true;
}

/**
 * virt/kvm/kvm_main.c: hva_to_pfn_slow(kfp, &pfn): one page through get/pin_user_pages_unlocked;
 * 1 on success, else what GUP returned (0 with FOLL_NOWAIT when the fault would wait).
 * @fidelity exact
 */
function* hva_to_pfn_slow(kfp: kvm_follow_pfn, pfn: { value: number }): Sched<number> {
  const k = kfp.vm.k;
  let flags = FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT | kfp.flags;
  const page = new Int32Array(1).fill(-1);
  const npages = kfp.pin
    ? yield* pin_user_pages_unlocked(k, kfp.hva, 1, page, flags)
    : yield* get_user_pages_unlocked(k, kfp.hva, 1, page, flags);
  if (npages !== 1) return npages;
  let p = page[0]!;
  kfp.path = (flags & FOLL_NOWAIT) !== 0 ? 'slow (FOLL_NOWAIT)' : 'slow';
  if (kfp.map_writable !== null && kfp.pin) {
    // WARN_ON_ONCE: KVM never pins memory it maps into the guest.
  } else if ((flags & FOLL_WRITE) === 0 && kfp.map_writable !== null) {
    const wpage = new Int32Array(1).fill(-1);
    if ((yield* get_user_pages_fast_only(k, kfp.hva, 1, FOLL_WRITE, wpage)) === 1) {
      put_page(k, p);
      p = wpage[0]!;
      flags |= FOLL_WRITE;
      kfp.path += ' + writable fast';
    }
  }
  pfn.value = kvm_resolve_pfn(kfp, p, (flags & FOLL_WRITE) !== 0);
  return npages;
}

/** virt/kvm/kvm_main.c: vma_is_valid(vma, write_fault). @fidelity exact */
function vma_is_valid(vm_flags: number, write: boolean): boolean {
  if ((vm_flags & VM_READ) === 0) return false;
  return !(write && (vm_flags & VM_WRITE) === 0);
}

/**
 * virt/kvm/kvm_main.c: hva_to_pfn(kfp): fast, then slow; on failure classify by errno and VMA.
 * @fidelity simplified (see the file comment)
 */
export function* hva_to_pfn(kfp: kvm_follow_pfn): Sched<number> {
  const k = kfp.vm.k;
  k.m.mightSleep('hva_to_pfn');
  const pfn = { value: KVM_PFN_ERR_FAULT };
  if (yield* hva_to_pfn_fast(kfp, pfn)) return pfn.value;
  const npages = yield* hva_to_pfn_slow(kfp, pfn);
  if (npages === 1) return pfn.value;
  kfp.path = `slow -> ${npages}`;
  if (npages === -EINTR || npages === -EAGAIN) return KVM_PFN_ERR_SIGPENDING;
  if (npages === -EHWPOISON) return KVM_PFN_ERR_HWPOISON;
  const mm = k.current.mm!;
  yield* mmap_read_lock(mm);
  const vma = vma_lookup(mm, kfp.hva);
  let r = KVM_PFN_ERR_FAULT;
  if (vma !== null && (vma.vm_flags & (VM_IO | VM_PFNMAP)) === 0) {
    const write = (kfp.flags & FOLL_WRITE) !== 0;
    if ((kfp.flags & FOLL_NOWAIT) !== 0 && vma_is_valid(vma.vm_flags, write))
      r = KVM_PFN_ERR_NEEDS_IO;
  }
  yield* mmap_read_unlock(mm);
  return r;
}

/**
 * virt/kvm/kvm_main.c: kvm_follow_pfn(kfp): gfn -> hva (a write to a read-only slot:
 * KVM_PFN_ERR_RO_FAULT; no slot: KVM_PFN_NOSLOT; a read-only slot never maps writable), then
 * hva_to_pfn.
 * @fidelity exact
 */
export function* kvm_follow_pfn(kfp: kvm_follow_pfn): Sched<number> {
  kfp.hva = __gfn_to_hva_many(kfp.slot, kfp.gfn, (kfp.flags & FOLL_WRITE) !== 0);
  let pfn: number;
  if (kfp.hva === KVM_HVA_ERR_RO_BAD) pfn = KVM_PFN_ERR_RO_FAULT;
  else if (kfp.hva < 0) pfn = KVM_PFN_NOSLOT;
  else {
    if (kfp.slot !== null && (kfp.slot.flags & KVM_MEM_READONLY) !== 0 && kfp.map_writable) {
      kfp.map_writable.value = false;
      kfp.map_writable = null;
    }
    pfn = yield* hva_to_pfn(kfp);
  }
  kvm_trace(
    kfp.vm.k,
    'kvm.hva-to-pfn',
    { vm: kfp.vm.id, gfn: kfp.gfn, hva: kfp.hva, path: kfp.path, result: pfnName(pfn) },
    'virt/kvm/kvm_main.c: hva_to_pfn',
  );
  return pfn;
}

/**
 * virt/kvm/kvm_main.c: __kvm_faultin_pfn(slot, gfn, foll, &writable, &refcounted_page): the
 * page-fault flavour: a reference (never a pin), a read fault may map writable.
 * @fidelity exact
 */
export function* __kvm_faultin_pfn(
  vm: kvm,
  slot: kvm_memory_slot | null,
  gfn: number,
  foll: number,
  writable: { value: boolean },
  refcounted_page: { value: number },
): Sched<number> {
  writable.value = false;
  refcounted_page.value = -1;
  const kfp: kvm_follow_pfn = {
    vm,
    slot,
    gfn,
    flags: foll,
    pin: false,
    map_writable: writable,
    refcounted_page,
    hva: 0,
    path: '',
  };
  return yield* kvm_follow_pfn(kfp);
}

function kvm_is_ad_tracked_page(vm: kvm, page: number): boolean {
  return !PageReserved(vm.k.mem, page);
}

/** virt/kvm/kvm_main.c: kvm_set_page_dirty(page): SetPageDirty unless PG_reserved. @fidelity exact */
export function kvm_set_page_dirty(vm: kvm, page: number): void {
  if (kvm_is_ad_tracked_page(vm, page)) folio_set_dirty(vm.k.mem, page_folio(vm.k.mem, page));
}

/** virt/kvm/kvm_main.c: kvm_set_page_accessed(page): mark_page_accessed. @fidelity simplified (PG_referenced only) */
export function kvm_set_page_accessed(vm: kvm, page: number): void {
  if (kvm_is_ad_tracked_page(vm, page)) folio_set_referenced(vm.k.mem, page_folio(vm.k.mem, page));
}

/**
 * include/linux/kvm_host.h: kvm_release_faultin_page(kvm, page, unused, dirty): drop the
 * fault's reference; marked dirty/accessed unless the fault was retried (then untouched).
 * Called under mmu_lock unless unused.
 * @fidelity exact
 */
export function kvm_release_faultin_page(
  vm: kvm,
  page: number,
  unused: boolean,
  dirty: boolean,
): void {
  if (page < 0) return;
  if (!unused) {
    if (dirty) kvm_set_page_dirty(vm, page);
    kvm_set_page_accessed(vm, page);
  }
  put_page(vm.k, page);
}

/**
 * virt/kvm/kvm_main.c: __kvm_vcpu_map(vcpu, gfn, map, writable) (kvm_vcpu_map: writable): pin
 * the page behind gfn and map it into the kernel. 0, or -EINVAL (no slot, error pfn).
 * @fidelity simplified (no memremap of pfns without struct page)
 */
export function* __kvm_vcpu_map(
  vm: kvm,
  gfn: number,
  map: kvm_host_map,
  writable: boolean,
): Sched<number> {
  const refcounted_page = { value: -1 };
  const kfp: kvm_follow_pfn = {
    vm,
    slot: gfn_to_memslot(vm, gfn),
    gfn,
    flags: writable ? FOLL_WRITE : 0,
    pin: true,
    map_writable: null,
    refcounted_page,
    hva: 0,
    path: '',
  };
  map.pinned_page = -1;
  map.page = -1;
  map.mapped = false;
  map.gfn = gfn;
  map.writable = writable;
  map.pfn = yield* kvm_follow_pfn(kfp);
  map.pinned_page = refcounted_page.value;
  if (is_error_noslot_pfn(map.pfn)) return -EINVAL;
  map.page = map.pfn;
  map.mapped = true; // kmap(map->page)
  kvm_trace(
    vm.k,
    'kvm.map',
    { vm: vm.id, gfn, pfn: map.pfn, phase: 'map' },
    'virt/kvm/kvm_main.c: __kvm_vcpu_map',
  );
  return 0;
}

/**
 * virt/kvm/kvm_main.c: kvm_vcpu_unmap(vcpu, map): unmap; a writable map marks the page dirty;
 * accessed; unpin_user_page.
 * @fidelity simplified (no dirty log)
 */
export function kvm_vcpu_unmap(vm: kvm, map: kvm_host_map): void {
  if (!map.mapped) return;
  if (map.pinned_page >= 0) {
    if (map.writable) kvm_set_page_dirty(vm, map.pinned_page);
    kvm_set_page_accessed(vm, map.pinned_page);
    unpin_user_page(vm.k, map.pinned_page);
  }
  kvm_trace(
    vm.k,
    'kvm.map',
    { vm: vm.id, gfn: map.gfn, pfn: map.pfn, phase: 'unmap' },
    'virt/kvm/kvm_main.c: kvm_vcpu_unmap',
  );
  map.mapped = false;
  map.page = -1;
  map.pinned_page = -1;
}

/**
 * The x86 KVM page-fault path for a direct-mapped (TDP: EPT/NPT) guest: arch/x86/kvm/mmu/mmu.c
 * (v6.18) kvm_mmu_do_page_fault, direct_page_fault, kvm_mmu_faultin_pfn, __kvm_mmu_faultin_pfn,
 * kvm_handle_error_pfn, is_page_fault_stale, kvm_mmu_finish_page_fault, direct_map.
 *
 *   1. sample mmu_invalidate_seq; no memslot -> RET_PF_EMULATE (kvm_handle_noslot_fault: the
 *      access is emulated MMIO, see x86.ts); an invalidation covering the gfn is running ->
 *      RET_PF_RETRY at once
 *   2. __kvm_faultin_pfn(FOLL_NOWAIT [| FOLL_WRITE]); if it needs I/O: an async page fault (the
 *      gfn already queued -> APF halt), else again without FOLL_NOWAIT, with FOLL_INTERRUPTIBLE
 *   3. under mmu_lock: is_page_fault_stale (mmu_invalidate_retry_gfn) -> RET_PF_RETRY, else
 *      install the spte; either way drop the page reference (kvm_release_faultin_page) before
 *      unlocking. No reference is kept for a mapped spte.
 * @fidelity simplified: 4 KiB leaves only (no huge pages, no fast_page_fault, no shadow paging,
 * no private memory); mmu_lock is exclusive
 */
import { page_folio } from '../../../../../mm/folio.js';
import { PAGE_SIZE } from '../../../../../mm/layout.js';
import { Access } from '../../../../../sim/footprint.js';
import type { Sched } from '../../../../../sim/thread.js';
import { EFAULT, EINTR } from '../../../../include/errno.js';
import { FOLL_INTERRUPTIBLE, FOLL_NOWAIT, FOLL_WRITE } from '../../../../include/gup_flags.js';
import { ptl_unlock } from '../../../../mm/solo.js';
import { folioObj } from '../../../../objects.js';
import { kvm_find_async_pf_gfn, kvm_setup_async_pf } from '../../../../virt/kvm/async_pf.js';
import {
  KVM_MMU_LOCK,
  KVM_PFN_ERR_NEEDS_IO,
  KVM_PFN_ERR_RO_FAULT,
  KVM_PFN_ERR_SIGPENDING,
  KVM_PFN_NOSLOT,
  gpa_to_gfn,
  is_error_pfn,
  pfnName,
  spteObj,
  type kvm_memory_slot,
  type kvm_vcpu,
} from '../../../../virt/kvm/kvm_host.js';
import {
  __gfn_to_hva_many,
  gfn_to_memslot,
  mmu_invalidate_retry_gfn,
} from '../../../../virt/kvm/kvm_main.js';
import { __kvm_faultin_pfn, kvm_release_faultin_page } from '../../../../virt/kvm/kvm_pfn.js';
import { kvm_trace } from '../../../../virt/kvm/kvm_trace.js';

/** arch/x86/kvm/mmu/mmu_internal.h: enum ret_pf (values as in the kernel). */
export const RET_PF_CONTINUE = 0;
export const RET_PF_RETRY = 1;
export const RET_PF_EMULATE = 2;
export const RET_PF_FIXED = 5;

/** arch/x86/kvm/mmu/mmu_internal.h: struct kvm_page_fault (the fields used). */
export interface kvm_page_fault {
  readonly addr: number;
  readonly gfn: number;
  readonly write: boolean;
  readonly prefetch: boolean;
  slot: kvm_memory_slot | null;
  mmu_seq: number;
  /** Model only: kvm_memslots(kvm)->generation when the fault started (is_obsolete_sp). */
  generation: number;
  pfn: number;
  readonly map_writable: { value: boolean };
  readonly refcounted_page: { value: number };
}

function retName(r: number): string {
  if (r < 0) return `${r}`;
  return (
    ['RET_PF_CONTINUE', 'RET_PF_RETRY', 'RET_PF_EMULATE'][r] ??
    (r === RET_PF_FIXED ? 'RET_PF_FIXED' : `${r}`)
  );
}

/**
 * arch/x86/kvm/mmu/mmu.c: kvm_can_do_async_pf(vcpu): the VM allows it (the model's knob for
 * lapic/interrupt-window conditions).
 * @fidelity simplified
 */
function kvm_can_do_async_pf(vcpu: kvm_vcpu): boolean {
  return vcpu.kvm.async_pf_enabled;
}

/** arch/x86/kvm/mmu/mmu.c: kvm_arch_setup_async_pf(vcpu, fault). @fidelity simplified (no token/cr3) */
function kvm_arch_setup_async_pf(vcpu: kvm_vcpu, fault: kvm_page_fault): boolean {
  const hva = __gfn_to_hva_many(fault.slot, fault.gfn, false);
  return kvm_setup_async_pf(vcpu, fault.addr, fault.gfn, hva, fault.write);
}

/**
 * arch/x86/kvm/mmu/mmu.c: __kvm_mmu_faultin_pfn(vcpu, fault): FOLL_NOWAIT first; on
 * KVM_PFN_ERR_NEEDS_IO go async (not for a prefetch), else wait for the page with
 * FOLL_INTERRUPTIBLE.
 * @fidelity exact (no private memory)
 */
function* __kvm_mmu_faultin_pfn(vcpu: kvm_vcpu, fault: kvm_page_fault): Sched<number> {
  let foll = fault.write ? FOLL_WRITE : 0;
  const vm = vcpu.kvm;
  foll |= FOLL_NOWAIT;
  fault.pfn = yield* __kvm_faultin_pfn(
    vm,
    fault.slot,
    fault.gfn,
    foll,
    fault.map_writable,
    fault.refcounted_page,
  );
  if (fault.pfn !== KVM_PFN_ERR_NEEDS_IO) return RET_PF_CONTINUE;
  if (!fault.prefetch && kvm_can_do_async_pf(vcpu)) {
    if (kvm_find_async_pf_gfn(vcpu, fault.gfn)) {
      vcpu.apf_halted = true; // kvm_make_request(KVM_REQ_APF_HALT)
      return RET_PF_RETRY;
    }
    if (kvm_arch_setup_async_pf(vcpu, fault)) return RET_PF_RETRY;
  }
  foll |= FOLL_INTERRUPTIBLE;
  foll &= ~FOLL_NOWAIT;
  fault.pfn = yield* __kvm_faultin_pfn(
    vm,
    fault.slot,
    fault.gfn,
    foll,
    fault.map_writable,
    fault.refcounted_page,
  );
  return RET_PF_CONTINUE;
}

/**
 * arch/x86/kvm/mmu/mmu.c: kvm_handle_noslot_fault(vcpu, fault, access): no memslot covers the
 * gfn, so the access is emulated MMIO: the fault goes on with KVM_PFN_NOSLOT and no slot.
 * @fidelity simplified: RET_PF_EMULATE at once, as with enable_mmio_caching off; with it on the
 * kernel caches the MMIO info and installs an MMIO spte, and direct_map returns RET_PF_EMULATE
 * for it (the same result; a later access would emulate from handle_mmio_page_fault). No private
 * memory.
 */
function kvm_handle_noslot_fault(fault: kvm_page_fault): number {
  fault.slot = null;
  fault.pfn = KVM_PFN_NOSLOT;
  fault.map_writable.value = false;
  return RET_PF_EMULATE;
}

/**
 * arch/x86/kvm/mmu/mmu.c: kvm_handle_error_pfn(vcpu, fault): a pending signal ends KVM_RUN with
 * -EINTR; a write to a read-only slot (KVM_PFN_ERR_RO_FAULT) is emulated (MMIO, see x86.ts:
 * KVM_RUN returns 0 with KVM_EXIT_MMIO); anything else (no VMA, PROT_NONE, a failed GUP) is
 * -EFAULT from KVM_RUN.
 * @fidelity simplified (HWPOISON: -EFAULT instead of SIGBUS + retry)
 */
function kvm_handle_error_pfn(fault: kvm_page_fault): number {
  if (fault.pfn === KVM_PFN_ERR_SIGPENDING) return -EINTR;
  if (fault.pfn === KVM_PFN_ERR_RO_FAULT) return RET_PF_EMULATE;
  return -EFAULT;
}

/**
 * arch/x86/kvm/mmu/mmu.c: kvm_mmu_finish_page_fault(vcpu, fault, r): drop the fault's page
 * reference, untouched if the fault is retried.
 * @fidelity exact
 */
function kvm_mmu_finish_page_fault(vcpu: kvm_vcpu, fault: kvm_page_fault, r: number): void {
  kvm_release_faultin_page(
    vcpu.kvm,
    fault.refcounted_page.value,
    r === RET_PF_RETRY,
    fault.map_writable.value,
  );
  fault.refcounted_page.value = -1;
}

/**
 * arch/x86/kvm/mmu/mmu.c: kvm_mmu_faultin_pfn(vcpu, fault, access): snapshot
 * mmu_invalidate_seq, then resolve the pfn, checking for a racing invalidation before and after.
 * @fidelity exact (no private memory; no memslot-flags checks)
 */
function* kvm_mmu_faultin_pfn(vcpu: kvm_vcpu, fault: kvm_page_fault): Sched<number> {
  const vm = vcpu.kvm;
  const m = vm.k.m;
  yield m
    .at('fault->mmu_seq = mmu_invalidate_seq', vm.obj, Access.Read)
    .also(vm.mnObj, Access.Read);
  fault.slot = gfn_to_memslot(vm, fault.gfn); // kvm_vcpu_gfn_to_memslot (read under SRCU)
  fault.mmu_seq = vm.mmu_invalidate_seq;
  fault.generation = vm.memslots_generation;
  if (fault.slot === null) return kvm_handle_noslot_fault(fault);
  if (mmu_invalidate_retry_gfn(vm, fault.mmu_seq, fault.gfn)) return RET_PF_RETRY;
  const ret = yield* __kvm_mmu_faultin_pfn(vcpu, fault);
  if (ret !== RET_PF_CONTINUE) return ret;
  if (is_error_pfn(fault.pfn)) return kvm_handle_error_pfn(fault);
  yield m.at('mmu_invalidate_retry_gfn_unsafe', vm.obj, Access.Read);
  if (mmu_invalidate_retry_gfn(vm, fault.mmu_seq, fault.gfn)) {
    kvm_mmu_finish_page_fault(vcpu, fault, RET_PF_RETRY);
    return RET_PF_RETRY;
  }
  return RET_PF_CONTINUE;
}

/**
 * arch/x86/kvm/mmu/mmu.c: is_page_fault_stale(vcpu, fault): the memslots changed (the roots
 * went obsolete) or an invalidation covering the gfn ran since mmu_seq was sampled.
 * @fidelity simplified (memslot generation stands for is_obsolete_sp)
 */
function is_page_fault_stale(vcpu: kvm_vcpu, fault: kvm_page_fault): boolean {
  const vm = vcpu.kvm;
  if (fault.generation !== vm.memslots_generation) return true;
  return fault.slot !== null && mmu_invalidate_retry_gfn(vm, fault.mmu_seq, fault.gfn);
}

/**
 * arch/x86/kvm/mmu/mmu.c: direct_page_fault(vcpu, fault): resolve the pfn, then under mmu_lock
 * install the spte unless the fault went stale.
 * @fidelity simplified (see the file comment)
 */
function* direct_page_fault(vcpu: kvm_vcpu, fault: kvm_page_fault): Sched<number> {
  const vm = vcpu.kvm;
  let r = yield* kvm_mmu_faultin_pfn(vcpu, fault);
  if (r !== RET_PF_CONTINUE) return r;
  r = RET_PF_RETRY;
  const page = fault.refcounted_page.value;
  yield* KVM_MMU_LOCK(vm, (p) => {
    p.also(vm.obj, Access.Read).also(spteObj(vm, fault.gfn), Access.Write);
    if (page >= 0) p.also(folioObj(page_folio(vm.k.mem, page)), Access.Write);
  });
  if (!is_page_fault_stale(vcpu, fault)) {
    vm.spte.set(fault.gfn, { pfn: fault.pfn, writable: fault.map_writable.value });
    r = RET_PF_FIXED;
  }
  kvm_mmu_finish_page_fault(vcpu, fault, r);
  yield* ptl_unlock(vm.mmu_lock);
  return r;
}

/**
 * arch/x86/kvm/mmu/mmu_internal.h: kvm_mmu_do_page_fault(vcpu, cr2_or_gpa, err, prefetch): an
 * EPT violation at gpa (a write if `write`); a RET_PF_* value or a negative errno for KVM_RUN.
 * @fidelity simplified
 */
export function* kvm_mmu_do_page_fault(
  vcpu: kvm_vcpu,
  gpa: number,
  write: boolean,
  prefetch: boolean,
): Sched<number> {
  const vm = vcpu.kvm;
  const m = vm.k.m;
  m.enter('arch/x86/kvm/mmu/mmu.c: kvm_tdp_page_fault');
  const gfn = gpa_to_gfn(gpa);
  const fault: kvm_page_fault = {
    addr: gpa - (gpa % PAGE_SIZE),
    gfn,
    write,
    prefetch,
    slot: null,
    mmu_seq: 0,
    generation: 0,
    pfn: -1,
    map_writable: { value: false },
    refcounted_page: { value: -1 },
  };
  const r = yield* direct_page_fault(vcpu, fault);
  const result =
    r === RET_PF_FIXED
      ? `RET_PF_FIXED (${pfnName(fault.pfn)}${fault.map_writable.value ? ', writable' : ', read-only'})`
      : retName(r);
  kvm_trace(
    vm.k,
    'kvm.page-fault',
    { vm: vm.id, gfn, write, result },
    'arch/x86/kvm/mmu/mmu.c: direct_page_fault',
  );
  m.leave();
  return r;
}

/**
 * A vCPU running one guest load or store: arch/x86/kvm/x86.c (v6.18) vcpu_run /
 * vcpu_enter_guest in spirit. The guest instruction goes through the secondary MMU (the
 * hardware's EPT walk): a present spte that allows the access completes it with no host
 * involvement; otherwise an EPT violation exits to kvm_mmu_do_page_fault and the instruction is
 * retried. A RET_PF_RETRY re-enters the guest; an APF halt sleeps until the async page fault is
 * done (kvm_vcpu_block, kvm_check_async_pf_completion). A RET_PF_EMULATE (no memslot covers
 * the gfn, or a store to a KVM_MEM_READONLY slot) goes to the instruction emulator, which finds
 * no guest memory and no in-kernel device there and exits to user space: KVM_RUN returns 0 with
 * exit_reason KVM_EXIT_MMIO (x86_emulate_instruction, emulator_read_write); the VMM answers a
 * load in run->mmio.data and the next KVM_RUN completes the instruction (complete_emulated_mmio).
 * @fidelity custom: the guest is one access; a retry caused by a running mmu notifier
 * invalidation waits for its end instead of re-entering the guest and faulting again (the kernel
 * spins; the model must not); a vCPU is created by the first access of a thread
 * (KVM_CREATE_VCPU); KVM_RUN from another mm fails with -EIO (kvm_vcpu_ioctl); an MMIO exit and
 * the VMM's answer are one step (the VMM's run loop), with one exit for the access's first byte
 */
import { page_content, page_folio, set_page_content } from '../../../../mm/folio.js';
import { PAGE_SIZE } from '../../../../mm/layout.js';
import { Access } from '../../../../sim/footprint.js';
import { wait_event } from '../../../../sim/locking/waitqueue.js';
import type { Sched, Waitable } from '../../../../sim/thread.js';
import { EIO } from '../../../include/errno.js';
import { KVM_EXIT_MMIO } from '../../../include/kvm.js';
import type { Kernel } from '../../../kernel.js';
import { folioObj } from '../../../objects.js';
import type { task_struct } from '../../../sched/task.js';
import { kvm_check_async_pf_completion } from '../../../virt/kvm/async_pf.js';
import {
  gpa_to_gfn,
  kvmState,
  kvm_vcpu,
  spteObj,
  type kvm,
  type kvm_spte,
} from '../../../virt/kvm/kvm_host.js';
import { __gfn_to_hva_many, gfn_to_memslot } from '../../../virt/kvm/kvm_main.js';
import { kvm_trace } from '../../../virt/kvm/kvm_trace.js';
import { RET_PF_EMULATE, RET_PF_RETRY, kvm_mmu_do_page_fault } from './mmu/mmu.js';

/** include/uapi/linux/kvm.h: the `mmio` member of struct kvm_run, one byte of data. */
export interface kvm_run_mmio {
  phys_addr: number;
  len: number;
  is_write: boolean;
  /** data[0]: the byte stored, or the byte user space put there for a load. */
  data: number;
}

/** What one guest access did. */
export interface GuestAccess {
  /** 0, or the negative errno KVM_RUN returned. */
  ret: number;
  /** The value loaded (a load: from the page, or user space's MMIO answer), or stored. */
  value: number;
  /** Async page faults this access waited for. */
  async_pf: number;
  /** EPT violations handled (RET_PF_RETRY included). */
  faults: number;
  /** kvm_run->exit_reason when KVM_RUN returned 0 to user space for the access, else 0. */
  exit_reason: number;
  /** kvm_run->mmio of a KVM_EXIT_MMIO exit, else null. */
  mmio: kvm_run_mmio | null;
}

/** The vCPU of `task` in `vm`, created on first use (KVM_CREATE_VCPU). */
export function kvm_vcpu_of(vm: kvm, task: task_struct): kvm_vcpu {
  let v = vm.vcpus.find((c) => c.task === task);
  if (v === undefined) {
    v = new kvm_vcpu(vm, vm.vcpus.length, task);
    vm.vcpus.push(v);
  }
  return v;
}

function invalidationDone(vm: kvm, gfn: number): Waitable {
  return {
    canProceed: () =>
      vm.mmu_invalidate_in_progress === 0 ||
      gfn < vm.mmu_invalidate_range_start ||
      gfn >= vm.mmu_invalidate_range_end,
    holders: () => [],
    describe: () => `kvm${vm.id}: the end of the mmu notifier invalidation of gfn ${gfn}`,
  };
}

/** The hardware EPT walk and the access, one step; null when the spte does not allow it. */
function* ept_access(vm: kvm, gfn: number, write: boolean, value: number): Sched<kvm_spte | null> {
  const m = vm.k.m;
  for (;;) {
    const e = vm.spte.get(gfn);
    const p = m.at(write ? 'guest store' : 'guest load', spteObj(vm, gfn), Access.Read);
    if (e !== undefined)
      p.also(folioObj(page_folio(vm.k.mem, e.pfn)), write ? Access.Write : Access.Read);
    yield p;
    if (vm.spte.get(gfn) !== e) continue;
    if (e === undefined || (write && !e.writable)) return null;
    for (const o of kvmState(vm.k).guestAccessObservers) o(vm, gfn, e, write);
    if (write) set_page_content(vm.k.mem, e.pfn, value);
    return e;
  }
}

/**
 * arch/x86/kvm/x86.c: x86_emulate_instruction(vcpu, gpa, ...) after kvm_mmu_page_fault got
 * RET_PF_EMULATE, for the one byte the guest loads or stores at `gpa`: emulator_read_write ->
 * emulator_read_write_onepage first tries guest memory (a load: kvm_vcpu_read_guest; a store:
 * emulator_write_phys -> kvm_vcpu_write_guest), which needs the gfn's hva (__gfn_to_hva_many:
 * KVM_HVA_ERR_BAD without a memslot, KVM_HVA_ERR_RO_BAD for a store to a read-only one); then
 * the in-kernel devices on the MMIO bus (vcpu_mmio_read/vcpu_mmio_write: the model has none);
 * then it fills run->mmio (exit_reason KVM_EXIT_MMIO, phys_addr, len, is_write, and the data of
 * a store) and returns 0 to user space with complete_userspace_io = complete_emulated_mmio.
 * Null when the gfn has guest memory after all: the caller re-enters the guest.
 * @fidelity simplified: the memslot lookup is part of the fault's step, so a memslot that
 * appears between the fault and the emulation (which the kernel would copy through) is never
 * seen; no MMIO spte is cached (kvm_handle_noslot_fault with enable_mmio_caching installs one,
 * and the next access emulates from handle_mmio_page_fault: the same exit)
 */
function x86_emulate_instruction(
  vm: kvm,
  gpa: number,
  write: boolean,
  value: number,
): kvm_run_mmio | null {
  const gfn = gpa_to_gfn(gpa);
  const hva = __gfn_to_hva_many(gfn_to_memslot(vm, gfn), gfn, write);
  if (hva >= 0) return null;
  return { phys_addr: gpa, len: 1, is_write: write, data: value };
}

/** The story of an MMIO exit, for explain. */
function mmioWhy(noslot: boolean, write: boolean): string {
  const cause = noslot
    ? 'no memslot covers the gfn (kvm_handle_noslot_fault)'
    : 'a store to a KVM_MEM_READONLY memslot (KVM_PFN_ERR_RO_FAULT)';
  const then = write
    ? 'user space takes the store and guest memory is unchanged'
    : 'user space answers the load in run->mmio.data and the next KVM_RUN completes it';
  return `${cause}: KVM emulates the access and KVM_RUN returns 0 with KVM_EXIT_MMIO; ${then}`;
}

/**
 * One guest load (`write` false) or store of `value` at guest physical address `gpa`, by the
 * vCPU of the running thread. A load that exits as KVM_EXIT_MMIO loads `value`: the byte user
 * space answers in run->mmio.data before the next KVM_RUN (complete_emulated_mmio).
 * @fidelity custom (see the file comment)
 */
export function* kvm_guest_access(
  k: Kernel,
  vm: kvm,
  gpa: number,
  write: boolean,
  value: number,
): Sched<GuestAccess> {
  const m = k.m;
  const out: GuestAccess = { ret: 0, value, async_pf: 0, faults: 0, exit_reason: 0, mmio: null };
  if (k.current.mm !== vm.mm) return { ...out, ret: -EIO };
  const vcpu = kvm_vcpu_of(vm, k.current);
  const gfn = gpa_to_gfn(gpa);
  m.enter('arch/x86/kvm/x86.c: vcpu_run');
  for (let round = 0; ; round++) {
    if (round > 32) throw new Error(`kvm: guest access at gpa ${gpa} made no progress`);
    if (vcpu.apf_halted) {
      out.async_pf++;
      yield* wait_event(vcpu.wait, () => vcpu.async_pf.done.length > 0); // kvm_vcpu_block
    }
    if (vcpu.async_pf.queued > 0)
      yield* kvm_check_async_pf_completion(vcpu, (v, a, w) => kvm_mmu_do_page_fault(v, a, w, true));
    if (vcpu.apf_halted) continue;
    const e = yield* ept_access(vm, gfn, write, value);
    if (e !== null) {
      if (!write) out.value = page_content(k.mem, e.pfn);
      kvm_trace(
        k,
        'kvm.guest-access',
        { vm: vm.id, gpa, pfn: e.pfn, write, value: out.value },
        'arch/x86/kvm/x86.c: vcpu_enter_guest',
      );
      break;
    }
    out.faults++;
    const r = yield* kvm_mmu_do_page_fault(vcpu, gpa, write, false);
    if (r < 0) {
      out.ret = r; // kvm_handle_error_pfn: KVM_RUN fails
      break;
    }
    if (r === RET_PF_EMULATE) {
      const mmio = x86_emulate_instruction(vm, gpa - (gpa % PAGE_SIZE), write, value);
      if (mmio === null) continue;
      out.exit_reason = KVM_EXIT_MMIO;
      out.mmio = mmio;
      out.value = mmio.data; // a load completes with user space's answer
      kvm_trace(
        k,
        'kvm.mmio-exit',
        {
          vm: vm.id,
          phys_addr: mmio.phys_addr,
          len: mmio.len,
          is_write: mmio.is_write,
          data: mmio.data,
          why: mmioWhy(gfn_to_memslot(vm, gfn) === null, write),
        },
        'arch/x86/kvm/x86.c: emulator_read_write',
      );
      break;
    }
    if (r === RET_PF_RETRY && !vcpu.apf_halted)
      yield m.block(
        'kvm_mmu_page_fault: RET_PF_RETRY',
        invalidationDone(vm, gfn),
        vm.obj,
        Access.Read,
      );
  }
  m.leave();
  return out;
}

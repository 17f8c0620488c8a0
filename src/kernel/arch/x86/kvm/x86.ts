/**
 * A vCPU running one guest load or store: arch/x86/kvm/x86.c (v6.18) vcpu_run /
 * vcpu_enter_guest in spirit. The guest instruction goes through the secondary MMU (the
 * hardware's EPT walk): a present spte that allows the access completes it with no host
 * involvement; otherwise an EPT violation exits to kvm_mmu_do_page_fault and the instruction is
 * retried. A RET_PF_RETRY re-enters the guest; an APF halt sleeps until the async page fault is
 * done (kvm_vcpu_block, kvm_check_async_pf_completion).
 * @fidelity custom: the guest is one access; a retry caused by a running mmu notifier
 * invalidation waits for its end instead of re-entering the guest and faulting again (the kernel
 * spins; the model must not); a vCPU is created by the first access of a thread
 * (KVM_CREATE_VCPU); KVM_RUN from another mm fails with -EIO (kvm_vcpu_ioctl)
 */
import { page_content, page_folio, set_page_content } from '../../../../mm/folio.js';
import { Access } from '../../../../sim/footprint.js';
import { wait_event } from '../../../../sim/locking/waitqueue.js';
import type { Sched, Waitable } from '../../../../sim/thread.js';
import { EFAULT, EIO } from '../../../include/errno.js';
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
import { kvm_trace } from '../../../virt/kvm/kvm_trace.js';
import { RET_PF_EMULATE, RET_PF_RETRY, kvm_mmu_do_page_fault } from './mmu/mmu.js';

/** What one guest access did. */
export interface GuestAccess {
  /** 0, or the negative errno KVM_RUN returned. */
  ret: number;
  /** The value loaded (a load), or stored. */
  value: number;
  /** Async page faults this access waited for. */
  async_pf: number;
  /** EPT violations handled (RET_PF_RETRY included). */
  faults: number;
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
 * One guest load (`write` false) or store of `value` at guest physical address `gpa`, by the
 * vCPU of the running thread.
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
  const out: GuestAccess = { ret: 0, value, async_pf: 0, faults: 0 };
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
    if (r < 0 || r === RET_PF_EMULATE) {
      out.ret = r < 0 ? r : -EFAULT; // MMIO emulation / KVM_EXIT_MMIO is not modelled
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

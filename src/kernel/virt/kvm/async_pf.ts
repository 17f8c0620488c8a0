/**
 * Asynchronous page faults: virt/kvm/async_pf.c (v6.18) kvm_setup_async_pf, async_pf_execute,
 * kvm_check_async_pf_completion, and the x86 hooks of arch/x86/kvm/x86.c
 * (kvm_arch_async_page_not_present, kvm_arch_async_page_ready, kvm_arch_async_page_present,
 * kvm_find_async_pf_gfn).
 *
 * When a guest frame needs I/O (FOLL_NOWAIT failed with KVM_PFN_ERR_NEEDS_IO), KVM queues a work
 * item that faults the page in from a worker with get_user_pages_remote(..., &locked) (so the
 * fault may drop mmap_lock and sleep, in I/O or in userfaultfd) and lets the vCPU go on. The
 * model's guest has not enabled paravirtual async PF, so kvm_arch_async_page_not_present puts
 * the vCPU in the artificial halt (KVM_REQ_APF_HALT) until the work is done; the vCPU then
 * prefaults the page (kvm_arch_async_page_ready) and resumes the guest instruction.
 * @fidelity simplified: no PV "page not present"/"page ready" injection, no wakeup_all, a
 * kernel thread per work item stands for the system workqueue
 */
import { Access } from '../../../sim/footprint.js';
import { wake_up } from '../../../sim/locking/waitqueue.js';
import type { Sched } from '../../../sim/thread.js';
import { FOLL_WRITE } from '../../include/gup_flags.js';
import { mmget_not_zero, mmput } from '../../kernel/exit.js';
import { get_user_pages_remote } from '../../mm/gup.js';
import { mmap_read_lock, mmap_read_unlock } from '../../mm/mmap_lock.js';
import { ASYNC_PF_PER_VCPU, type kvm_async_pf, type kvm_vcpu } from './kvm_host.js';
import { kvm_trace } from './kvm_trace.js';

function trace(w: kvm_async_pf, phase: string, fn: string): void {
  const vm = w.vcpu.kvm;
  kvm_trace(vm.k, 'kvm.async-pf', { vm: vm.id, gfn: w.gfn, phase }, fn);
}

/**
 * virt/kvm/async_pf.c: kvm_setup_async_pf(vcpu, cr2_or_gpa, hva, arch): queue the work and
 * start it; false when the vCPU has ASYNC_PF_PER_VCPU in flight or the hva is bad.
 * @fidelity simplified (see the file comment)
 */
export function kvm_setup_async_pf(
  vcpu: kvm_vcpu,
  cr2_or_gpa: number,
  gfn: number,
  hva: number,
  write: boolean,
): boolean {
  if (vcpu.async_pf.queued >= ASYNC_PF_PER_VCPU) return false;
  if (hva < 0) return false;
  const work: kvm_async_pf = { vcpu, cr2_or_gpa, gfn, addr: hva, write, done: false };
  vcpu.async_pf.queue.push(work);
  vcpu.async_pf.queued++;
  kvm_arch_async_page_not_present(vcpu, work);
  trace(work, 'queued', 'virt/kvm/async_pf.c: kvm_setup_async_pf');
  const vm = vcpu.kvm;
  vm.k.kthread_run(`kworker/apf-kvm${vm.id}-${gfn}`, () => async_pf_execute(work)); // schedule_work
  return true;
}

/**
 * arch/x86/kvm/x86.c: kvm_arch_async_page_not_present(vcpu, work): remember the gfn; the guest
 * cannot take a "page not present" notification, so halt the vCPU (KVM_REQ_APF_HALT).
 * @fidelity simplified (no PV delivery)
 */
function kvm_arch_async_page_not_present(vcpu: kvm_vcpu, work: kvm_async_pf): boolean {
  vcpu.apf_gfns.add(work.gfn); // kvm_add_async_pf_gfn
  vcpu.apf_halted = true;
  return false;
}

/**
 * virt/kvm/async_pf.c: async_pf_execute(work): fault the page in for the VM's mm with
 * get_user_pages_remote(mm, addr, 1, FOLL_WRITE, NULL, &locked) (no page kept; may drop
 * mmap_lock and sleep), then put the work on the done list and wake the vCPU, even if the fault
 * failed (the vCPU then faults synchronously).
 * @fidelity exact (the workqueue is a kernel thread)
 */
export function* async_pf_execute(work: kvm_async_pf): Sched<void> {
  const vcpu = work.vcpu;
  const vm = vcpu.kvm;
  const k = vm.k;
  const m = k.m;
  m.enter('virt/kvm/async_pf.c: async_pf_execute');
  const mm = vm.mm;
  yield m.at('mmget_not_zero', vm.obj, Access.Read);
  if (!mm.dead && mmget_not_zero(mm)) {
    const locked = { value: 1 };
    yield* mmap_read_lock(mm);
    yield* get_user_pages_remote(k, mm, work.addr, 1, FOLL_WRITE, null, locked);
    if (locked.value !== 0) yield* mmap_read_unlock(mm);
    yield* mmput(k, mm);
  }
  yield m.at('async_pf.done', vcpu.wait.obj, Access.Write);
  vcpu.async_pf.done.push(work);
  work.done = true;
  trace(work, 'done', 'virt/kvm/async_pf.c: async_pf_execute');
  yield* wake_up(vcpu.wait); // __kvm_vcpu_wake_up
  m.leave();
}

/**
 * virt/kvm/async_pf.c: kvm_check_async_pf_completion(vcpu): for each finished work item,
 * prefault the page (kvm_arch_async_page_ready), end the halt (kvm_arch_async_page_present) and
 * free it. `prefault` is the x86 page-fault entry (arch/x86/kvm/mmu/mmu.ts), passed in to keep
 * the generic code arch-independent.
 * @fidelity simplified
 */
export function* kvm_check_async_pf_completion(
  vcpu: kvm_vcpu,
  prefault: (vcpu: kvm_vcpu, gpa: number, write: boolean) => Sched<number>,
): Sched<void> {
  const m = vcpu.kvm.k.m;
  for (;;) {
    yield m.at('async_pf.done', vcpu.wait.obj, Access.Write);
    const work = vcpu.async_pf.done.shift();
    if (work === undefined) return;
    yield* prefault(vcpu, work.cr2_or_gpa, work.write); // kvm_arch_async_page_ready
    vcpu.apf_gfns.delete(work.gfn); // kvm_arch_async_page_present: kvm_del_async_pf_gfn
    vcpu.apf_halted = false;
    const i = vcpu.async_pf.queue.indexOf(work);
    if (i >= 0) vcpu.async_pf.queue.splice(i, 1);
    vcpu.async_pf.queued--;
    trace(work, 'consumed', 'virt/kvm/async_pf.c: kvm_check_async_pf_completion');
  }
}

/** arch/x86/kvm/x86.c: kvm_find_async_pf_gfn(vcpu, gfn). @fidelity exact */
export function kvm_find_async_pf_gfn(vcpu: kvm_vcpu, gfn: number): boolean {
  return vcpu.apf_gfns.has(gfn);
}

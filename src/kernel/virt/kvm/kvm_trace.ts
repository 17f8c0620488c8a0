/**
 * `kvm.*` trace events (include/trace/events/kvm.h and arch/x86/kvm/mmutrace.h in spirit): what
 * the VM, its secondary MMU and its async page faults did, for `explain` and the text trace.
 * @fidelity custom
 */
import type { TraceKinds } from '../../../sim/trace.js';
import type { Kernel } from '../../kernel.js';

declare module '../../../sim/trace.js' {
  interface TraceKinds {
    /** A VM was created and its mmu notifier registered on the mm. */
    'kvm.create-vm': { vm: number; mm: number };
    /** A memslot was created, deleted, moved or had its flags changed. */
    'kvm.memslot': {
      vm: number;
      change: string;
      slot: number;
      gfn: number;
      npages: number;
      hva: number;
    };
    /** An mmu notifier invalidation reached the VM (start: sptes zapped; end: seq bumped). */
    'kvm.invalidate': { vm: number; start: number; end: number; phase: string; seq: number };
    /** hva_to_pfn resolved (or failed to resolve) a guest frame. */
    'kvm.hva-to-pfn': { vm: number; gfn: number; hva: number; path: string; result: string };
    /** The x86 page-fault handler installed an spte, or gave up and retried. */
    'kvm.page-fault': { vm: number; gfn: number; write: boolean; result: string };
    /** An async page fault was queued, completed by the worker, or consumed by the vCPU. */
    'kvm.async-pf': { vm: number; gfn: number; phase: string };
    /** A guest load or store through a present spte. */
    'kvm.guest-access': { vm: number; gpa: number; pfn: number; write: boolean; value: number };
    /**
     * An access KVM emulated and handed to user space: KVM_RUN returned 0 with
     * exit_reason KVM_EXIT_MMIO; `data` is the byte stored, or the one user space answered.
     */
    'kvm.mmio-exit': {
      vm: number;
      phys_addr: number;
      len: number;
      is_write: boolean;
      data: number;
      why: string;
    };
    /** kvm_vcpu_map / kvm_vcpu_unmap. */
    'kvm.map': { vm: number; gfn: number; pfn: number; phase: string };
  }
}

/** Emit a `kvm.*` event when tracing. */
export function kvm_trace<K extends keyof TraceKinds>(
  k: Kernel,
  kind: K,
  args: TraceKinds[K],
  fn: string,
): void {
  if (k.m.trace.enabled) k.m.emit(kind, args, fn);
}

/**
 * KVM's host-side structures: include/linux/kvm_host.h (v6.18) struct kvm, struct
 * kvm_memory_slot, struct kvm_vcpu, struct kvm_host_map, struct kvm_async_pf, the KVM_PFN_ERR_*
 * values, and the per-kernel list of VMs (a WeakMap, like src/kernel/mm/gup_state.ts).
 *
 * The secondary MMU (x86 EPT/NPT, arch/x86/kvm/mmu) is one leaf entry per guest frame:
 * `spte.get(gfn) = { pfn, writable }`. Modern KVM (v6.13+) holds no page reference for a
 * present spte: coherence comes from the mmu notifier (kvm_mmu_notifier_invalidate_range_*)
 * and the mmu_invalidate_seq retry check, not from the page (arch/x86/kvm/mmu/mmu.c:
 * kvm_mmu_finish_page_fault -> kvm_release_faultin_page right after the spte is installed).
 * @fidelity simplified: one address space (no SMM), one x86 direct-map MMU with 4 KiB leaves,
 * no dirty log, no guest_memfd, mmu_lock is an exclusive spinlock (the TDP MMU's read mode for
 * faults is not modelled).
 */
import { objId, objectSpace, type ObjId } from '../../../sim/footprint.js';
import { Mutex } from '../../../sim/locking/mutex.js';
import { noteAcquired } from '../../../sim/locking/lock.js';
import { SpinLock } from '../../../sim/locking/spinlock.js';
import type { Point, Sched } from '../../../sim/thread.js';
import { WaitQueueHead } from '../../../sim/locking/waitqueue.js';
import type { Kernel } from '../../kernel.js';
import type { mm_struct } from '../../mm/mm_struct.js';
import type { mmu_notifier } from '../../mm/mmu_notifier.js';
import type { task_struct } from '../../sched/task.js';

/** include/linux/kvm_host.h: the error pfns (the kernel's are values above the pfn range). */
export const KVM_PFN_ERR_FAULT = -1;
export const KVM_PFN_ERR_HWPOISON = -2;
export const KVM_PFN_ERR_RO_FAULT = -3;
export const KVM_PFN_ERR_SIGPENDING = -4;
export const KVM_PFN_ERR_NEEDS_IO = -5;
export const KVM_PFN_NOSLOT = -6;

/** include/linux/kvm_host.h: is_error_pfn(pfn). */
export function is_error_pfn(pfn: number): boolean {
  return pfn < 0 && pfn !== KVM_PFN_NOSLOT;
}

/** include/linux/kvm_host.h: is_error_noslot_pfn(pfn). */
export function is_error_noslot_pfn(pfn: number): boolean {
  return pfn < 0;
}

/** Readable names of the error pfns, for traces. */
export function pfnName(pfn: number): string {
  const names: Record<number, string> = {
    [KVM_PFN_ERR_FAULT]: 'KVM_PFN_ERR_FAULT',
    [KVM_PFN_ERR_HWPOISON]: 'KVM_PFN_ERR_HWPOISON',
    [KVM_PFN_ERR_RO_FAULT]: 'KVM_PFN_ERR_RO_FAULT',
    [KVM_PFN_ERR_SIGPENDING]: 'KVM_PFN_ERR_SIGPENDING',
    [KVM_PFN_ERR_NEEDS_IO]: 'KVM_PFN_ERR_NEEDS_IO',
    [KVM_PFN_NOSLOT]: 'KVM_PFN_NOSLOT',
  };
  return names[pfn] ?? `pfn ${pfn}`;
}

export { KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY } from '../../include/kvm.js';

/** arch/x86/include/asm/kvm_host.h: KVM_USER_MEM_SLOTS (KVM_MEM_SLOTS_NUM - 3 internal slots). */
export const KVM_USER_MEM_SLOTS = 32764;
/** include/linux/kvm_host.h: KVM_MEM_MAX_NR_PAGES ((1UL << 31) - 1). */
export const KVM_MEM_MAX_NR_PAGES = 2 ** 31 - 1;
/** virt/kvm/async_pf.c: ASYNC_PF_PER_VCPU (64 on x86). */
export const ASYNC_PF_PER_VCPU = 64;
/** include/linux/kvm_host.h: INVALID_GPA. */
export const INVALID_GPA = -1;

/** include/linux/kvm_host.h: struct kvm_memory_slot. */
export interface kvm_memory_slot {
  readonly id: number;
  base_gfn: number;
  readonly npages: number;
  readonly userspace_addr: number;
  flags: number;
}

/** A leaf of the secondary MMU: the host frame a guest frame maps to. */
export interface kvm_spte {
  readonly pfn: number;
  readonly writable: boolean;
}

/** virt/kvm/async_pf.c: struct kvm_async_pf (x86 arch part folded in). */
export interface kvm_async_pf {
  readonly vcpu: kvm_vcpu;
  readonly cr2_or_gpa: number;
  readonly gfn: number;
  readonly addr: number;
  readonly write: boolean;
  /** The worker finished (on vcpu->async_pf.done). */
  done: boolean;
}

/** include/linux/kvm_host.h: struct kvm_vcpu (the parts the model uses). */
export class kvm_vcpu {
  readonly async_pf = {
    queue: [] as kvm_async_pf[],
    done: [] as kvm_async_pf[],
    queued: 0,
  };
  /** vcpu->arch.apf.halted: KVM_REQ_APF_HALT put the vCPU in an artificial halt. */
  apf_halted = false;
  /** vcpu->arch.apf.gfns: the gfns with an async page fault in flight. */
  readonly apf_gfns = new Set<number>();
  /** kvm_arch_vcpu_get_wait(vcpu): where a halted vCPU sleeps. */
  readonly wait: WaitQueueHead;

  constructor(
    readonly kvm: kvm,
    readonly vcpu_id: number,
    readonly task: task_struct,
  ) {
    this.wait = new WaitQueueHead(kvm.k.m, `kvm${kvm.id}/vcpu${vcpu_id}->wait`);
  }
}

/** include/linux/kvm_host.h: struct kvm (the parts the model uses). */
export class kvm {
  /** The memslots of address space 0, by slot id. */
  readonly memslots = new Map<number, kvm_memory_slot>();
  nr_memslot_pages = 0;
  /** kvm_memslots(kvm)->generation; a fault that saw another one is stale (is_obsolete_sp). */
  memslots_generation = 0;
  readonly slots_lock: Mutex;
  readonly mmu_lock: SpinLock;
  mmu_invalidate_seq = 0;
  mmu_invalidate_in_progress = 0;
  mmu_invalidate_range_start = INVALID_GPA;
  mmu_invalidate_range_end = INVALID_GPA;
  mn_active_invalidate_count = 0;
  /** The secondary MMU's leaves, by gfn. */
  readonly spte = new Map<number, kvm_spte>();
  readonly vcpus: kvm_vcpu[] = [];
  /** kvm_can_do_async_pf(): the host may answer an EPT violation with an async page fault. */
  async_pf_enabled = true;
  mmu_notifier: mmu_notifier | null = null;
  /** Footprint of mmu_invalidate_seq / _in_progress / _range (read without mmu_lock too). */
  readonly obj: ObjId;
  /** Footprint of mn_active_invalidate_count (mn_invalidate_lock) and the memslot set. */
  readonly mnObj: ObjId;

  constructor(
    readonly k: Kernel,
    readonly id: number,
    readonly mm: mm_struct,
  ) {
    this.slots_lock = new Mutex(k.m, `kvm${id}->slots_lock`, '&kvm->slots_lock');
    this.mmu_lock = new SpinLock(k.m, `kvm${id}->mmu_lock`, '&kvm->mmu_lock');
    this.obj = objId(KVM_SPACE, id);
    this.mnObj = objId(KVM_MN_SPACE, id);
  }
}

/** include/linux/kvm_host.h: struct kvm_host_map. */
export interface kvm_host_map {
  pinned_page: number;
  page: number;
  pfn: number;
  gfn: number;
  writable: boolean;
  /** map->hva: the kernel mapping exists. */
  mapped: boolean;
}

const KVM_SPACE = objectSpace('kvm');
const KVM_MN_SPACE = objectSpace('kvm-memslots');
const SPTE_SPACE = objectSpace('spte');

/** Footprint of the secondary-MMU leaf of `gfn` in VM `vm` (distinct VMs may share ids). */
export function spteObj(vm: kvm, gfn: number): ObjId {
  return objId(SPTE_SPACE, (vm.id * 0x100000 + gfn) % 2 ** 32);
}

/** Called at every guest access through a present spte (checkers attach here). */
export type GuestAccessObserver = (vm: kvm, gfn: number, spte: kvm_spte, write: boolean) => void;

interface KvmState {
  readonly vms: kvm[];
  readonly guestAccessObservers: GuestAccessObserver[];
}

const states = new WeakMap<Kernel, KvmState>();

/** virt/kvm/kvm_main.c: vm_list, the VMs of this kernel. */
export function kvmState(k: Kernel): KvmState {
  let s = states.get(k);
  if (s === undefined) {
    s = { vms: [], guestAccessObservers: [] };
    states.set(k, s);
  }
  return s;
}

/** include/linux/kvm_host.h: gpa_to_gfn / gfn_to_gpa. */
export function gpa_to_gfn(gpa: number): number {
  return Math.floor(gpa / 4096);
}

/**
 * KVM_MMU_LOCK(kvm) (write_lock/spin_lock of kvm->mmu_lock) with the footprint of the critical
 * section's first step declared on the acquisition's own scheduling point (as ptl_lock does for
 * page-table locks, src/kernel/mm/solo.ts), so the lock costs one point, not two.
 * @fidelity custom
 */
export function* KVM_MMU_LOCK(vm: kvm, declare: (p: Point) => void): Sched<void> {
  const lock = vm.mmu_lock;
  const m = lock.m;
  const t = m.self;
  m.lockdep.acquire(t, lock.name, lock.cls, 0);
  if (lock.owner !== null && m.trace.enabled)
    m.emit('lock.contend', { lock: lock.name, mode: 'exclusive', holders: [lock.owner.name] });
  const p = m.block('KVM_MMU_LOCK', lock, lock.obj);
  declare(p);
  yield p;
  lock.owner = t;
  t.atomic++;
  noteAcquired(lock, t, 'exclusive', 0, false);
}

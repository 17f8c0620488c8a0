/**
 * KVM's generic VM code: virt/kvm/kvm_main.c (v6.18) kvm_create_vm, the memslots
 * (kvm_set_memory_region / __kvm_set_memory_region, gfn_to_memslot, __gfn_to_hva_many) and the
 * mmu notifier callbacks (kvm_mmu_notifier_invalidate_range_start/_end, kvm_handle_hva_range,
 * kvm_mmu_invalidate_begin/_range_add/_end).
 *
 * Scheduling points: every lock operation; after taking mmu_lock, one point declaring the
 * invalidation state (kvm.obj) and the sptes the step zaps.
 */
import { PAGE_SIZE } from '../../../mm/layout.js';
import { Access } from '../../../sim/footprint.js';
import { mutex_lock, mutex_unlock } from '../../../sim/locking/mutex.js';
import type { Sched, Waitable } from '../../../sim/thread.js';
import { EEXIST, EINVAL, EIO } from '../../include/errno.js';
import type { Kernel } from '../../kernel.js';
import {
  mmu_notifier_register,
  type mmu_notifier,
  type mmu_notifier_range,
} from '../../mm/mmu_notifier.js';
import type { mm_struct } from '../../mm/mm_struct.js';
import { ptl_unlock } from '../../mm/solo.js';
import {
  INVALID_GPA,
  KVM_MMU_LOCK,
  KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_MAX_NR_PAGES,
  KVM_MEM_READONLY,
  KVM_USER_MEM_SLOTS,
  kvm,
  kvmState,
  spteObj,
  type kvm_memory_slot,
} from './kvm_host.js';
import { kvm_trace } from './kvm_trace.js';

/** The highest user address (TASK_SIZE_MAX on x86-64 with 4-level paging): access_ok's limit. */
const TASK_SIZE_MAX = 2 ** 47 - PAGE_SIZE;

/**
 * virt/kvm/kvm_main.c: kvm_create_vm(type, fdname): a VM of current->mm, with its mmu notifier
 * registered on that mm (kvm_init_mmu_notifier).
 * @fidelity simplified (no arch init, no debugfs, no vm type)
 */
export function* kvm_create_vm(k: Kernel, mm: mm_struct): Sched<kvm> {
  const s = kvmState(k);
  const vm = new kvm(k, s.vms.length, mm);
  s.vms.push(vm);
  const mn: mmu_notifier = { ops: kvm_mmu_notifier_ops(vm), mm: null };
  vm.mmu_notifier = mn;
  yield* mmu_notifier_register(mn, mm);
  kvm_trace(k, 'kvm.create-vm', { vm: vm.id, mm: mm.mm_id }, 'virt/kvm/kvm_main.c: kvm_create_vm');
  return vm;
}

/** include/uapi/linux/kvm.h: struct kvm_userspace_memory_region. */
export interface kvm_userspace_memory_region {
  readonly slot: number;
  readonly flags: number;
  readonly guest_phys_addr: number;
  readonly memory_size: number;
  readonly userspace_addr: number;
}

/** virt/kvm/kvm_main.c: check_memory_region_flags(kvm, mem). @fidelity simplified (no guest_memfd) */
function check_memory_region_flags(mem: kvm_userspace_memory_region): number {
  const valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
  return (mem.flags & ~valid) !== 0 ? -EINVAL : 0;
}

/** The argument checks of __kvm_set_memory_region, in the kernel's order: 0 or -EINVAL. */
function check_region(mem: kvm_userspace_memory_region): number {
  if (check_memory_region_flags(mem) !== 0) return -EINVAL;
  const as_id = Math.floor(mem.slot / 65536);
  const id = mem.slot % 65536;
  if (mem.memory_size % PAGE_SIZE !== 0) return -EINVAL;
  if (mem.guest_phys_addr % PAGE_SIZE !== 0) return -EINVAL;
  if (mem.userspace_addr % PAGE_SIZE !== 0) return -EINVAL;
  if (mem.userspace_addr + mem.memory_size > TASK_SIZE_MAX) return -EINVAL; // !access_ok
  if (as_id >= 1 || id >= KVM_USER_MEM_SLOTS) return -EINVAL;
  if (mem.memory_size / PAGE_SIZE > KVM_MEM_MAX_NR_PAGES) return -EINVAL;
  return 0;
}

function overlaps(vm: kvm, id: number, start: number, end: number): boolean {
  for (const s of vm.memslots.values()) {
    if (s.id !== id && start < s.base_gfn + s.npages && s.base_gfn < end) return true;
  }
  return false;
}

/**
 * virt/kvm/kvm_main.c: kvm_set_memory_region(kvm, mem) -> __kvm_set_memory_region under
 * kvm->slots_lock: create, delete (memory_size 0), move (new guest_phys_addr) or change the
 * flags of a slot. Errors: -EINVAL (alignment, size, slot id, flags, a modification that changes
 * userspace_addr/size/READONLY, deleting an empty slot), -EEXIST (overlap with another slot).
 * @fidelity simplified (one address space; no dirty bitmap; no guest_memfd)
 */
export function* kvm_set_memory_region(vm: kvm, mem: kvm_userspace_memory_region): Sched<number> {
  const m = vm.k.m;
  m.enter('virt/kvm/kvm_main.c: kvm_set_memory_region');
  yield* mutex_lock(vm.slots_lock);
  const r = yield* __kvm_set_memory_region(vm, mem);
  yield* mutex_unlock(vm.slots_lock);
  m.leave();
  return r;
}

function* __kvm_set_memory_region(vm: kvm, mem: kvm_userspace_memory_region): Sched<number> {
  const bad = check_region(mem);
  if (bad !== 0) return bad;
  const id = mem.slot % 65536;
  const old = vm.memslots.get(id);
  if (mem.memory_size === 0) {
    if (old === undefined || old.npages === 0) return -EINVAL;
    if (vm.nr_memslot_pages < old.npages) return -EIO;
    return yield* kvm_set_memslot(vm, old, null, 'delete');
  }
  const base_gfn = mem.guest_phys_addr / PAGE_SIZE;
  const npages = mem.memory_size / PAGE_SIZE;
  let change: 'create' | 'move' | 'flags';
  if (old === undefined) {
    change = 'create';
  } else {
    if (
      mem.userspace_addr !== old.userspace_addr ||
      npages !== old.npages ||
      ((mem.flags ^ old.flags) & KVM_MEM_READONLY) !== 0
    )
      return -EINVAL;
    if (base_gfn !== old.base_gfn) change = 'move';
    else if (mem.flags !== old.flags) change = 'flags';
    else return 0;
  }
  if ((change === 'create' || change === 'move') && overlaps(vm, id, base_gfn, base_gfn + npages))
    return -EEXIST;
  const slot: kvm_memory_slot = {
    id,
    base_gfn,
    npages,
    userspace_addr: mem.userspace_addr,
    flags: mem.flags,
  };
  return yield* kvm_set_memslot(vm, old ?? null, slot, change);
}

/**
 * virt/kvm/kvm_main.c: kvm_set_memslot(kvm, old, new, change): wait for running mmu notifier
 * invalidations (kvm_swap_active_memslots), zap the old slot's sptes for a delete or move
 * (kvm_invalidate_memslot -> kvm_arch_flush_shadow_memslot), install the new slots.
 * @fidelity simplified (no inactive/active memslot sets, no KVM_MEMSLOT_INVALID window)
 */
function* kvm_set_memslot(
  vm: kvm,
  old: kvm_memory_slot | null,
  slot: kvm_memory_slot | null,
  change: 'create' | 'delete' | 'move' | 'flags',
): Sched<number> {
  const m = vm.k.m;
  yield m.block('kvm_swap_active_memslots', noActiveInvalidation(vm), vm.mnObj);
  if (old !== null && (change === 'delete' || change === 'move')) {
    yield* KVM_MMU_LOCK(vm, (p) => {
      p.also(vm.obj, Access.Write);
      for (let g = old.base_gfn; g < old.base_gfn + old.npages; g++)
        p.also(spteObj(vm, g), Access.Write);
    });
    zap_gfns(vm, old.base_gfn, old.base_gfn + old.npages); // kvm_arch_flush_shadow_memslot
    vm.memslots_generation++;
    yield* ptl_unlock(vm.mmu_lock);
  }
  yield m.at('kvm_swap_active_memslots', vm.mnObj, Access.Write).also(vm.obj, Access.Write);
  if (old !== null) {
    vm.memslots.delete(old.id);
    vm.nr_memslot_pages -= old.npages;
  }
  if (slot !== null) {
    vm.memslots.set(slot.id, slot);
    vm.nr_memslot_pages += slot.npages;
  }
  vm.memslots_generation++;
  const s = (slot ?? old)!;
  kvm_trace(
    vm.k,
    'kvm.memslot',
    { vm: vm.id, change, slot: s.id, gfn: s.base_gfn, npages: s.npages, hva: s.userspace_addr },
    'virt/kvm/kvm_main.c: kvm_set_memslot',
  );
  return 0;
}

function noActiveInvalidation(vm: kvm): Waitable {
  return {
    canProceed: () => vm.mn_active_invalidate_count === 0,
    holders: () => [],
    describe: () => `kvm${vm.id}: the end of running mmu notifier invalidations`,
  };
}

/** Drop the sptes of [start, end) (kvm_unmap_gfn_range / kvm_zap_gfn_range). True if any was present. */
export function zap_gfns(vm: kvm, start: number, end: number): boolean {
  let flush = false;
  for (const gfn of [...vm.spte.keys()]) {
    if (gfn >= start && gfn < end) {
      vm.spte.delete(gfn);
      flush = true;
    }
  }
  return flush;
}

/** virt/kvm/kvm_main.c: gfn_to_memslot(kvm, gfn) / kvm_vcpu_gfn_to_memslot. @fidelity exact */
export function gfn_to_memslot(vm: kvm, gfn: number): kvm_memory_slot | null {
  for (const s of vm.memslots.values()) {
    if (gfn >= s.base_gfn && gfn < s.base_gfn + s.npages) return s;
  }
  return null;
}

/** include/linux/kvm_host.h: KVM_HVA_ERR_BAD / KVM_HVA_ERR_RO_BAD. */
export const KVM_HVA_ERR_BAD = -1;
export const KVM_HVA_ERR_RO_BAD = -2;

/** virt/kvm/kvm_main.c: __gfn_to_hva_many(slot, gfn, nr_pages, write) for one page. @fidelity exact */
export function __gfn_to_hva_many(
  slot: kvm_memory_slot | null,
  gfn: number,
  write: boolean,
): number {
  if (slot === null) return KVM_HVA_ERR_BAD;
  if (write && (slot.flags & KVM_MEM_READONLY) !== 0) return KVM_HVA_ERR_RO_BAD;
  return slot.userspace_addr + (gfn - slot.base_gfn) * PAGE_SIZE;
}

/** virt/kvm/kvm_main.c: the gfns of `slot` backed by [hva_start, hva_end) (hva_to_gfn_memslot). */
function slotGfns(slot: kvm_memory_slot, r: mmu_notifier_range): [number, number] | null {
  const slotEnd = slot.userspace_addr + slot.npages * PAGE_SIZE;
  const hva_start = Math.max(r.start, slot.userspace_addr);
  const hva_end = Math.min(r.end, slotEnd);
  if (hva_start >= hva_end) return null;
  const first = slot.base_gfn + Math.floor((hva_start - slot.userspace_addr) / PAGE_SIZE);
  const last = slot.base_gfn + Math.ceil((hva_end - slot.userspace_addr) / PAGE_SIZE);
  return [first, last];
}

/**
 * virt/kvm/kvm_main.c: kvm_handle_hva_range(kvm, range) for the two invalidation handlers: for
 * every memslot overlapping the hva range take mmu_lock (once), run on_lock, then the handler on
 * the slot's gfns. No overlapping slot: no lock, no on_lock (so begin and end stay balanced only
 * because memslots cannot change while an invalidation runs).
 * @fidelity exact (flush_on_ret: the TLB flush is not modelled)
 */
function* kvm_handle_hva_range(vm: kvm, r: mmu_notifier_range, begin: boolean): Sched<boolean> {
  const ranges: [number, number][] = [];
  for (const slot of vm.memslots.values()) {
    const g = slotGfns(slot, r);
    if (g !== null) ranges.push(g);
  }
  if (ranges.length === 0) return false;
  yield* KVM_MMU_LOCK(vm, (p) => {
    p.also(vm.obj, Access.Write);
    if (begin)
      for (const [a, b] of ranges) for (let g = a; g < b; g++) p.also(spteObj(vm, g), Access.Write);
  });
  if (begin) {
    kvm_mmu_invalidate_begin(vm);
    for (const [a, b] of ranges) {
      kvm_mmu_invalidate_range_add(vm, a, b);
      zap_gfns(vm, a, b); // kvm_mmu_unmap_gfn_range
    }
  } else {
    kvm_mmu_invalidate_end(vm);
  }
  yield* ptl_unlock(vm.mmu_lock);
  return true;
}

/** virt/kvm/kvm_main.c: kvm_mmu_invalidate_begin(kvm). @fidelity exact */
function kvm_mmu_invalidate_begin(vm: kvm): void {
  vm.mmu_invalidate_in_progress++;
  if (vm.mmu_invalidate_in_progress === 1) {
    vm.mmu_invalidate_range_start = INVALID_GPA;
    vm.mmu_invalidate_range_end = INVALID_GPA;
  }
}

/** virt/kvm/kvm_main.c: kvm_mmu_invalidate_range_add(kvm, start, end). @fidelity exact */
function kvm_mmu_invalidate_range_add(vm: kvm, start: number, end: number): void {
  if (vm.mmu_invalidate_range_start === INVALID_GPA) {
    vm.mmu_invalidate_range_start = start;
    vm.mmu_invalidate_range_end = end;
  } else {
    vm.mmu_invalidate_range_start = Math.min(vm.mmu_invalidate_range_start, start);
    vm.mmu_invalidate_range_end = Math.max(vm.mmu_invalidate_range_end, end);
  }
}

/** virt/kvm/kvm_main.c: kvm_mmu_invalidate_end(kvm): bump the sequence, then drop the count. @fidelity exact */
function kvm_mmu_invalidate_end(vm: kvm): void {
  vm.mmu_invalidate_seq++;
  vm.mmu_invalidate_in_progress--;
  if (vm.mmu_invalidate_in_progress < 0)
    throw new Error('KVM_BUG_ON: mmu_invalidate_in_progress < 0');
}

/**
 * virt/kvm/kvm_main.c: kvm_mmu_notifier_ops: invalidate_range_start counts the invalidation
 * (mn_active_invalidate_count, under mn_invalidate_lock), then zaps the sptes of the range under
 * mmu_lock and records the range (kvm_mmu_invalidate_begin/_range_add); invalidate_range_end
 * bumps mmu_invalidate_seq and ends the invalidation, then uncounts it.
 * @fidelity simplified (no gfn_to_pfn_cache, no TLB flush, mn_invalidate_lock is the step itself)
 */
function kvm_mmu_notifier_ops(vm: kvm): mmu_notifier['ops'] {
  return {
    *invalidate_range_start(_sub, range): Sched<number> {
      const m = vm.k.m;
      m.enter('virt/kvm/kvm_main.c: kvm_mmu_notifier_invalidate_range_start');
      yield m.at('mn_active_invalidate_count++', vm.mnObj, Access.Write);
      vm.mn_active_invalidate_count++;
      const found = yield* kvm_handle_hva_range(vm, range, true);
      if (found)
        kvm_trace(
          vm.k,
          'kvm.invalidate',
          {
            vm: vm.id,
            start: range.start,
            end: range.end,
            phase: 'start',
            seq: vm.mmu_invalidate_seq,
          },
          'virt/kvm/kvm_main.c: kvm_mmu_notifier_invalidate_range_start',
        );
      m.leave();
      return 0;
    },
    *invalidate_range_end(_sub, range): Sched<void> {
      const m = vm.k.m;
      m.enter('virt/kvm/kvm_main.c: kvm_mmu_notifier_invalidate_range_end');
      const found = yield* kvm_handle_hva_range(vm, range, false);
      if (found)
        kvm_trace(
          vm.k,
          'kvm.invalidate',
          {
            vm: vm.id,
            start: range.start,
            end: range.end,
            phase: 'end',
            seq: vm.mmu_invalidate_seq,
          },
          'virt/kvm/kvm_main.c: kvm_mmu_notifier_invalidate_range_end',
        );
      yield m.at('mn_active_invalidate_count--', vm.mnObj, Access.Write);
      if (vm.mn_active_invalidate_count > 0) vm.mn_active_invalidate_count--;
      m.leave();
    },
  };
}

/**
 * include/linux/kvm_host.h: mmu_invalidate_retry_gfn(kvm, mmu_seq, gfn) (and the _unsafe
 * variant read without mmu_lock): an invalidation covering gfn is running, or one ended since
 * mmu_seq was sampled.
 * @fidelity exact
 */
export function mmu_invalidate_retry_gfn(vm: kvm, mmu_seq: number, gfn: number): boolean {
  if (vm.mmu_invalidate_in_progress > 0) {
    if (vm.mmu_invalidate_range_start === INVALID_GPA) return true;
    if (gfn >= vm.mmu_invalidate_range_start && gfn < vm.mmu_invalidate_range_end) return true;
  }
  return vm.mmu_invalidate_seq !== mmu_seq;
}

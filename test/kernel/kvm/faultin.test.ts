// KVM's guest page faults and kernel mappings (virt/kvm/kvm_main.c: hva_to_pfn, __kvm_vcpu_map;
// arch/x86/kvm/mmu/mmu.c: __kvm_mmu_faultin_pfn, direct_page_fault) and the mmu notifier that
// keeps the secondary MMU coherent (kvm_mmu_notifier_invalidate_range_start/_end).
import { describe, expect, it } from 'vitest';
import { kvm_guest_access } from '../../../src/kernel/arch/x86/kvm/x86.js';
import { page_maybe_dma_pinned } from '../../../src/kernel/mm/gup.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { kvm_create_vm, kvm_set_memory_region } from '../../../src/kernel/virt/kvm/kvm_main.js';
import type { kvm, kvm_host_map } from '../../../src/kernel/virt/kvm/kvm_host.js';
import { __kvm_vcpu_map, kvm_vcpu_unmap } from '../../../src/kernel/virt/kvm/kvm_pfn.js';
import { folio_ref_count } from '../../../src/mm/folio.js';
import { folio_test_dirty } from '../../../src/mm/page_flags.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, PAGE, anonVma, boot, ids, mapped, run, touch, type World } from '../gup/harness.js';

/** A VM of the world's process with one slot: gfn 0.. backed by BASE. */
function* vmWithSlot(w: World, pages = 1): Sched<kvm> {
  const vm = yield* kvm_create_vm(w.k, w.mm);
  const r = yield* kvm_set_memory_region(vm, {
    slot: 0,
    flags: 0,
    guest_phys_addr: 0,
    memory_size: pages * PAGE,
    userspace_addr: BASE,
  });
  expect(r).toBe(0);
  return vm;
}

describe('guest page faults', () => {
  it('a mapped spte holds no page reference: the fault drops it under mmu_lock (kvm_release_faultin_page)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    let vm: kvm | null = null;
    let before = 0;
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE);
      before = folio_ref_count(w.k.mem, mapped(w, BASE));
      vm = yield* vmWithSlot(w);
      expect((yield* kvm_guest_access(w.k, vm, 0, true, 0x42)).ret).toBe(0);
    });
    const pfn = mapped(w, BASE);
    expect(vm!.spte.get(0)).toEqual({ pfn, writable: true });
    expect(folio_ref_count(w.k.mem, pfn)).toBe(before);
    expect(gupState(w.k).gotten[pfn]).toBe(0);
    expect(w.k.mem.content[pfn]).toBe(0x42);
    expect(ids(r)).toEqual([]);
  });

  it('a read fault of a page the host maps read-only maps it read-only: hva_to_pfn_fast is write-only', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    let vm: kvm | null = null;
    run(w, function* () {
      yield* touch(w, BASE, PAGE, false); // the host maps the zero page
      vm = yield* vmWithSlot(w);
      expect((yield* kvm_guest_access(w.k, vm, 0, false, 0)).value).toBe(0);
    });
    expect(vm!.spte.get(0)).toEqual({ pfn: w.k.mem.zero_pfn, writable: false });
  });

  it('a host COW of the page behind an spte invalidates it first (wp_page_copy -> mmu notifier)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    let vm: kvm | null = null;
    let seq = -1;
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE, false);
      vm = yield* vmWithSlot(w);
      yield* kvm_guest_access(w.k, vm, 0, false, 0); // spte -> zero page, read-only
      yield* touch(w, BASE, PAGE); // the host write replaces the zero page
      expect(vm.spte.has(0)).toBe(false); // zapped by kvm_mmu_notifier_invalidate_range_start
      seq = vm.mmu_invalidate_seq; // bumped by kvm_mmu_notifier_invalidate_range_end
      expect((yield* kvm_guest_access(w.k, vm, 0, true, 0x42)).faults).toBe(1);
    });
    expect(seq).toBe(1);
    expect(vm!.spte.get(0)!.pfn).toBe(mapped(w, BASE));
    expect(ids(r)).toEqual([]);
  });

  it('KVM_RUN from a task of another mm fails with -EIO (kvm_vcpu_ioctl)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const other = w.k.createProcess('other');
    let ret = 0;
    run(w, function* () {
      const vm = yield* vmWithSlot(w);
      w.k.spawnUser(other, 'intruder', function* () {
        ret = (yield* kvm_guest_access(w.k, vm, 0, true, 1)).ret;
      });
    });
    expect(ret).toBe(-5);
  });
});

describe('kvm_vcpu_map', () => {
  it('pins the page (CASE 5 does not apply: KVM itself reads and writes it); unmap dirties and unpins', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const map: kvm_host_map = {
      pinned_page: -1,
      page: -1,
      pfn: -1,
      gfn: 0,
      writable: true,
      mapped: false,
    };
    let pinned = false;
    const r = run(w, function* () {
      const vm = yield* vmWithSlot(w);
      expect(yield* __kvm_vcpu_map(vm, 0, map, true)).toBe(0);
      pinned = page_maybe_dma_pinned(w.k.mem, map.pinned_page);
      kvm_vcpu_unmap(vm, map);
    });
    expect(pinned).toBe(true);
    const pfn = mapped(w, BASE);
    expect(page_maybe_dma_pinned(w.k.mem, pfn)).toBe(false);
    expect(folio_test_dirty(w.k.mem, pfn)).toBe(true);
    expect(ids(r)).toEqual([]);
  });

  it('a gfn outside every memslot cannot be mapped: -EINVAL', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const map: kvm_host_map = {
      pinned_page: -1,
      page: -1,
      pfn: -1,
      gfn: 0,
      writable: true,
      mapped: false,
    };
    let ret = 0;
    run(w, function* () {
      const vm = yield* vmWithSlot(w);
      ret = yield* __kvm_vcpu_map(vm, 7, map, true);
    });
    expect(ret).toBe(-22);
  });
});

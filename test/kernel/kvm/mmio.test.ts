// Guest accesses KVM cannot back with guest memory, in the style of the kernel's KVM selftests
// (tools/testing/selftests/kvm: run the vCPU, then check the return and run->exit_reason):
// arch/x86/kvm/mmu/mmu.c: kvm_mmu_faultin_pfn -> kvm_handle_noslot_fault (no memslot) and
// kvm_handle_error_pfn (KVM_PFN_ERR_RO_FAULT: a store to a KVM_MEM_READONLY slot) answer
// RET_PF_EMULATE; arch/x86/kvm/x86.c: x86_emulate_instruction -> emulator_read_write finds no
// memory and no in-kernel device and exits to user space: KVM_RUN returns 0 with exit_reason
// KVM_EXIT_MMIO, and the next KVM_RUN completes a load with run->mmio.data
// (complete_emulated_mmio). A slot whose memory is gone is not MMIO: KVM_RUN fails with -EFAULT.
import { describe, expect, it } from 'vitest';
import { kvm_guest_access, type GuestAccess } from '../../../src/kernel/arch/x86/kvm/x86.js';
import { EFAULT } from '../../../src/kernel/include/errno.js';
import { KVM_EXIT_MMIO, KVM_MEM_READONLY } from '../../../src/kernel/include/kvm.js';
import type { kvm } from '../../../src/kernel/virt/kvm/kvm_host.js';
import { kvm_create_vm, kvm_set_memory_region } from '../../../src/kernel/virt/kvm/kvm_main.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, PAGE, anonVma, boot, ids, mapped, run, touch, type World } from '../gup/harness.js';
import { run as runScenario, scenario } from '../../scenario/interp/helpers.js';

/** A VM of the world's process with slot 0 at gfn 16 (gpa 64KiB), backed by BASE. */
function* vmWithSlot(w: World, flags = 0): Sched<kvm> {
  const vm = yield* kvm_create_vm(w.k, w.mm);
  const r = yield* kvm_set_memory_region(vm, {
    slot: 0,
    flags,
    guest_phys_addr: 16 * PAGE,
    memory_size: PAGE,
    userspace_addr: BASE,
  });
  expect(r).toBe(0);
  return vm;
}

/** One access by the world's task, run to the end. */
function access(
  w: World,
  setup: (w: World) => Sched<kvm>,
  gpa: number,
  write: boolean,
  value: number,
): { a: GuestAccess; vm: kvm } {
  let a: GuestAccess | null = null;
  let vm: kvm | null = null;
  const r = run(w, function* () {
    vm = yield* setup(w);
    a = yield* kvm_guest_access(w.k, vm, gpa, write, value);
  });
  expect(ids(r)).toEqual([]);
  return { a: a!, vm: vm! };
}

describe('a gfn no memslot covers is emulated MMIO (kvm_handle_noslot_fault)', () => {
  it('a load exits to user space with KVM_EXIT_MMIO and completes with the VMM answer', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const { a, vm } = access(w, (w) => vmWithSlot(w), 0x20010, false, 0x5a);
    expect(a.ret).toBe(0); // KVM_RUN returned 0 ...
    expect(a.exit_reason).toBe(KVM_EXIT_MMIO); // ... for user space to emulate the load
    expect(a.mmio).toEqual({ phys_addr: 0x20000, len: 1, is_write: false, data: 0x5a });
    expect(a.value).toBe(0x5a); // complete_emulated_mmio: run->mmio.data becomes the load's value
    expect(a.faults).toBe(1);
    expect(vm.spte.size).toBe(0); // nothing is mapped for it
  });

  it('a store exits with KVM_EXIT_MMIO, is_write and the stored byte in run->mmio.data', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const { a } = access(w, (w) => vmWithSlot(w), 0x30000, true, 0x11);
    expect(a.ret).toBe(0);
    expect(a.exit_reason).toBe(KVM_EXIT_MMIO);
    expect(a.mmio).toEqual({ phys_addr: 0x30000, len: 1, is_write: true, data: 0x11 });
  });
});

describe('a store to a KVM_MEM_READONLY slot is emulated MMIO (KVM_PFN_ERR_RO_FAULT)', () => {
  it('exits with KVM_EXIT_MMIO and leaves the slot memory as it was', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const { a, vm } = access(
      w,
      function* (w) {
        yield* touch(w, BASE, PAGE); // the VMM's page holds 0 and is mapped
        return yield* vmWithSlot(w, KVM_MEM_READONLY);
      },
      16 * PAGE,
      true,
      0x77,
    );
    expect(a.ret).toBe(0);
    expect(a.exit_reason).toBe(KVM_EXIT_MMIO);
    expect(a.mmio).toEqual({ phys_addr: 16 * PAGE, len: 1, is_write: true, data: 0x77 });
    expect(w.k.mem.content[mapped(w, BASE)]).toBe(0);
    expect(vm.spte.get(16)).toBeUndefined(); // no spte: the RO fault installs nothing
  });

  it('a load of the read-only slot runs in the guest through a read-only spte (no exit)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    let load: GuestAccess | null = null;
    let store: GuestAccess | null = null;
    run(w, function* () {
      yield* touch(w, BASE, PAGE);
      const vm = yield* vmWithSlot(w, KVM_MEM_READONLY);
      load = yield* kvm_guest_access(w.k, vm, 16 * PAGE, false, 0x99);
      store = yield* kvm_guest_access(w.k, vm, 16 * PAGE, true, 0x12);
      expect(vm.spte.get(16)?.writable).toBe(false);
    });
    expect(load!).toMatchObject({ ret: 0, value: 0, exit_reason: 0, mmio: null });
    // the present read-only spte does not let the store through: EPT violation, then MMIO
    expect(store!).toMatchObject({ ret: 0, exit_reason: KVM_EXIT_MMIO, faults: 1 });
  });
});

describe('a slot without usable memory fails KVM_RUN (kvm_handle_error_pfn: -EFAULT)', () => {
  it('memory the VMM never mapped (or unmapped): -EFAULT, no exit to emulate', () => {
    const w = boot();
    const { a } = access(w, (w) => vmWithSlot(w), 16 * PAGE, false, 0x5a);
    expect(a).toMatchObject({ ret: -EFAULT, exit_reason: 0, mmio: null });
  });

  it('PROT_NONE memory: hva_to_pfn gets KVM_PFN_ERR_FAULT from GUP, -EFAULT', () => {
    const w = boot();
    anonVma(w, BASE, PAGE, 0);
    const { a } = access(w, (w) => vmWithSlot(w), 16 * PAGE, true, 1);
    expect(a).toMatchObject({ ret: -EFAULT, exit_reason: 0, mmio: null });
  });
});

describe('kvm_guest_read / kvm_guest_write bind the MMIO exit', () => {
  it('.ret 0, .exit_reason 6 and the run->mmio fields; a load binds mmio_value (default 0)', () => {
    const r = runScenario(
      scenario(`scenario: t
processes: [vmm]
threads:
  vmm:
    steps:
      - kvm_create_vm: { as: vm }
      - kvm_guest_read: { as: a, vm: vm, gpa: 0x1000 }
      - kvm_guest_read: { as: b, vm: vm, gpa: 0x2000, mmio_value: 0xab }
      - kvm_guest_write: { as: c, vm: vm, gpa: 0x3000, value: 0xcd }
`),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(r.report.results).toMatchObject({
      a: 0, // .ret (0) is not listed where it equals the value
      'a.exit_reason': 6,
      'a.mmio_phys_addr': 0x1000,
      'a.mmio_is_write': 0,
      'a.mmio_data': 0,
      b: 0xab,
      'b.ret': 0,
      'b.mmio_data': 0xab,
      c: 0,
      'c.exit_reason': 6,
      'c.mmio_phys_addr': 0x3000,
      'c.mmio_is_write': 1,
      'c.mmio_data': 0xcd,
    });
  });
});

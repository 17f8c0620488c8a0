/**
 * KVM as a consumer of GUP: a VM, its memslots, guest loads and stores that fault through
 * hva_to_pfn (fast, FOLL_NOWAIT, async page fault, interruptible), and kvm_vcpu_map.
 */
import { kvmMemTable } from '../../kernel/include/kvm.js';
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';

const vm = () => required(t.ref('fd'), 'a VM bound by kvm_create_vm');
const gpa = () => required(t.size(), 'the guest physical address');

const ACCESS_FIELDS = [
  { name: 'async_pf', doc: 'the async page faults the access waited for' },
  { name: 'faults', doc: 'the EPT violations it took (retries included)' },
  {
    name: 'exit_reason',
    doc: 'kvm_run->exit_reason: 6 (KVM_EXIT_MMIO) when KVM emulated the access and exited to user space (no memslot covers gpa, or a store to a KVM_MEM_READONLY slot), with `.ret` 0; 0 otherwise',
  },
  {
    name: 'mmio_phys_addr',
    doc: 'run->mmio.phys_addr of the MMIO exit: the first byte of the page at gpa (0 without an exit)',
  },
  { name: 'mmio_is_write', doc: 'run->mmio.is_write of the MMIO exit: 1 for a store, else 0' },
  {
    name: 'mmio_data',
    doc: 'run->mmio.data[0] of the MMIO exit: the byte stored, or the one user space answered for a load (0 without an exit)',
  },
];

export const kvm_create_vm = defineOperation({
  name: 'kvm_create_vm',
  group: 'consumers',
  kernel: 'virt/kvm/kvm_main.c: kvm_create_vm',
  doc: 'KVM_CREATE_VM: a VM of the acting process, its mmu notifier registered on the mm.',
  args: {
    async_pf: withDefault(
      t.bool(),
      'whether a fault that needs I/O may become an async page fault (kvm_can_do_async_pf)',
      true,
      'true',
    ),
  },
  binds: { kind: 'fd', doc: 'the VM file descriptor' },
  example: 'kvm_create_vm: { as: vm }',
});

export const kvm_set_user_memory_region = defineOperation({
  name: 'kvm_set_user_memory_region',
  group: 'consumers',
  kernel: 'virt/kvm/kvm_main.c: kvm_set_memory_region',
  doc: 'KVM_SET_USER_MEMORY_REGION: back guest frames with user memory (memory_size 0 deletes the slot).',
  args: {
    vm: vm(),
    slot: required(t.int(0, 2 ** 32 - 1), 'the slot id (address space in bits 16-31)'),
    guest_phys_addr: required(t.size(), 'the first guest physical address'),
    memory_size: required(t.size(), 'bytes (0: delete the slot)'),
    userspace_addr: required(t.address(), 'the user memory backing it'),
    flags: optional(t.flags(kvmMemTable), 'KVM_MEM_* flags'),
  },
  example:
    'kvm_set_user_memory_region: { vm: vm, slot: 0, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: buf }',
});

export const kvm_guest_write = defineOperation({
  name: 'kvm_guest_write',
  group: 'consumers',
  kernel: 'arch/x86/kvm/mmu/mmu.c: kvm_tdp_page_fault',
  doc: 'The vCPU of this thread runs a guest store of `value` to the page at `gpa`, faulting through the secondary MMU. A gpa no memslot covers, or a read-only slot, makes KVM emulate the store and exit to user space (KVM_EXIT_MMIO, KVM_RUN returns 0): the VMM takes the byte and resumes, and guest memory is unchanged. KVM_RUN fails (-EFAULT) when the slot has no usable memory behind it (hva_to_pfn: no VMA, PROT_NONE).',
  args: { vm: vm(), gpa: gpa(), value: required(t.int(0, 255), 'the byte stored') },
  binds: {
    kind: 'value',
    doc: 'the return of KVM_RUN (0 or a negative errno; 0 at an MMIO exit: see `.exit_reason`)',
    fields: ACCESS_FIELDS,
  },
  example: 'kvm_guest_write: { vm: vm, gpa: 0, value: 0x42 }',
});

export const kvm_guest_read = defineOperation({
  name: 'kvm_guest_read',
  group: 'consumers',
  kernel: 'arch/x86/kvm/mmu/mmu.c: kvm_tdp_page_fault',
  doc: 'The vCPU of this thread runs a guest load of the page at `gpa`, faulting through the secondary MMU. A gpa no memslot covers makes KVM emulate the load and exit to user space (KVM_EXIT_MMIO, KVM_RUN returns 0); the VMM answers `mmio_value` in run->mmio.data and the next KVM_RUN completes the load with it. KVM_RUN fails (-EFAULT) when the slot has no usable memory behind it (hva_to_pfn: no VMA, PROT_NONE).',
  args: {
    vm: vm(),
    gpa: gpa(),
    mmio_value: withDefault(
      t.int(0, 255),
      'the byte user space answers if the load exits as KVM_EXIT_MMIO (run->mmio.data before the next KVM_RUN)',
      0,
      '0',
    ),
  },
  binds: {
    kind: 'value',
    doc: "the value loaded: the page's, or `mmio_value` after an MMIO exit (`.ret`: 0 or the errno of KVM_RUN)",
    fields: ACCESS_FIELDS,
  },
  example: 'kvm_guest_read: { as: v, vm: vm, gpa: 0 }',
});

export const kvm_vcpu_map = defineOperation({
  name: 'kvm_vcpu_map',
  group: 'consumers',
  kernel: 'virt/kvm/kvm_main.c: __kvm_vcpu_map',
  doc: 'Map the guest page at `gpa` into the kernel, holding a pin on it (kvm_vcpu_map / _readonly).',
  args: {
    vm: vm(),
    gpa: gpa(),
    writable: withDefault(t.bool(), 'kvm_vcpu_map (true) or kvm_vcpu_map_readonly', true, 'true'),
  },
  binds: { kind: 'pages', doc: 'the pinned page (`.ret`: 0 or -EINVAL)' },
  example: 'kvm_vcpu_map: { as: map, vm: vm, gpa: 0 }',
});

export const kvm_vcpu_unmap = defineOperation({
  name: 'kvm_vcpu_unmap',
  group: 'consumers',
  kernel: 'virt/kvm/kvm_main.c: kvm_vcpu_unmap',
  doc: 'Unmap a kvm_vcpu_map mapping: dirty (if writable) and accessed, then unpin.',
  args: { map: required(t.ref('pages'), 'a name bound by kvm_vcpu_map') },
  example: 'kvm_vcpu_unmap: { map: map }',
});

export const kvmOps = [
  kvm_create_vm,
  kvm_set_user_memory_region,
  kvm_guest_write,
  kvm_guest_read,
  kvm_vcpu_map,
  kvm_vcpu_unmap,
];

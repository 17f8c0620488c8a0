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
  doc: 'The vCPU of this thread runs a guest store of `value` to the page at `gpa`, faulting through the secondary MMU.',
  args: { vm: vm(), gpa: gpa(), value: required(t.int(0, 255), 'the byte stored') },
  binds: {
    kind: 'value',
    doc: 'the return of KVM_RUN (0 or a negative errno)',
    fields: ACCESS_FIELDS,
  },
  example: 'kvm_guest_write: { vm: vm, gpa: 0, value: 0x42 }',
});

export const kvm_guest_read = defineOperation({
  name: 'kvm_guest_read',
  group: 'consumers',
  kernel: 'arch/x86/kvm/mmu/mmu.c: kvm_tdp_page_fault',
  doc: 'The vCPU of this thread runs a guest load of the page at `gpa`, faulting through the secondary MMU.',
  args: { vm: vm(), gpa: gpa() },
  binds: {
    kind: 'value',
    doc: 'the value loaded (`.ret`: 0 or the errno of KVM_RUN)',
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

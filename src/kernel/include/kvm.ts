/**
 * include/uapi/linux/kvm.h: the flags of struct kvm_userspace_memory_region, as a scenario
 * constant table (`flags: [KVM_MEM_READONLY]`), and the exit reason the model reports.
 */
import { constTable } from './const_table.js';

export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;

/** include/uapi/linux/kvm.h: the kvm_run->exit_reason of an access user space must emulate. */
export const KVM_EXIT_MMIO = 6;

export const kvmMemTable = constTable({
  family: 'KVM_MEM_*',
  header: 'include/uapi/linux/kvm.h',
  kind: 'bits',
  values: { KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY },
});

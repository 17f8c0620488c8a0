/**
 * The output fields of the KVM guest-access steps the reproducer keeps: the index of
 * `struct slot`'s `field[]` that holds each, filled from the first KVM_EXIT_MMIO of the access
 * (prelude/kvm.ts: kvm_access). `.async_pf` and `.faults` have no host counterpart.
 */
export const KVM_FIELDS: Readonly<Record<string, number>> = {
  exit_reason: 0,
  mmio_phys_addr: 1,
  mmio_is_write: 2,
  mmio_data: 3,
};

/** The steps whose fields KVM_FIELDS names. */
export const KVM_ACCESS_OPS: ReadonlySet<string> = new Set(['kvm_guest_read', 'kvm_guest_write']);

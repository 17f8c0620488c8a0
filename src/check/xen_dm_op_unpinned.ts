/**
 * xen.dm-op-unpinned: the hypervisor touched a dm_op buffer page that privcmd had not pinned.
 * Reported by the simulated HYPERVISOR_dm_op (src/kernel/arch/x86/xen/hypercall.ts); the 2020
 * lock_pages accepted a short pin and let the hypercall run on such pages (quirk
 * privcmd-unlock-all).
 */
import { reportedByKernel } from './types.js';

export const xenDmOpUnpinned = reportedByKernel({
  id: 'xen.dm-op-unpinned',
  description: 'HYPERVISOR_dm_op read or wrote a buffer page that lock_pages had not pinned.',
  kernelRef:
    'drivers/xen/privcmd.c: lock_pages (every page of every buffer is pinned before the hypercall)',
  alwaysOn: true,
});

/**
 * Trace events of userfaultfd (declaration merging on TraceKinds): what handle_userfault decided
 * for a fault, and what each ioctl or read of the handler did.
 * @fidelity custom
 */

declare module '../../sim/trace.js' {
  interface TraceKinds {
    /** handle_userfault: the fault address, its reason (MISSING, WP, MINOR), VM_FAULT_* and why. */
    'uffd.fault': { address: number; reason: string; result: string; why: string };
    /** A userfaultfd call (read, UFFDIO_*): its range and result. */
    'uffd.call': { call: string; start: number; len: number; ret: number };
  }
}

export {};

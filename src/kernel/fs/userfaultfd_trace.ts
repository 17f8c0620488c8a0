/**
 * Trace events of userfaultfd (declaration merging on TraceKinds): what handle_userfault decided
 * for a fault, what each ioctl or read of the handler did, and the non-cooperative events.
 * @fidelity custom
 */

declare module '../../sim/trace.js' {
  interface TraceKinds {
    /** handle_userfault: the fault address, its reason (MISSING, WP, MINOR), VM_FAULT_* and why. */
    'uffd.fault': { address: number; reason: string; result: string; why: string };
    /** A userfaultfd call (read, UFFDIO_*): its range and result. */
    'uffd.call': { call: string; start: number; len: number; ret: number };
    /** A non-cooperative event (UFFD_EVENT_FORK...): queued for the handler, or given up and why. */
    'uffd.event': { uffd: number; event: string; why: string };
  }
}

export {};

/**
 * Trace events of the memory-management layer (declaration merging on TraceKinds). They record
 * the decisions `gupsim explain` answers questions with: why a write fault copied or reused a
 * page, why fork copied a page, what a zap or split did.
 * @fidelity custom
 */
import { faultFlagTable, vmFaultTable } from '../include/fault_flags.js';

declare module '../../sim/trace.js' {
  interface TraceKinds {
    /** A page fault finished: address, FAULT_FLAG_* and VM_FAULT_* names. */
    'mm.fault': { mm: number; address: number; flags: string; result: string };
    /** do_wp_page / do_huge_pmd_wp_page / hugetlb_wp: reuse or copy, and why. */
    'mm.cow': {
      mm: number;
      address: number;
      action: 'reuse' | 'copy';
      unshare: boolean;
      reason: string;
      old: number;
      new: number;
    };
    /** fork: copy_present_page (the folio may be pinned) or a shared COW mapping. */
    'mm.fork-copy': {
      parent: number;
      child: number;
      address: number;
      old: number;
      new: number;
      reason: string;
    };
    /** A range of PTEs/PMDs was zapped (munmap, exit, MADV_DONTNEED). */
    'mm.zap': { mm: number; start: number; end: number; pages: number; reason: string };
    /** A user access that the kernel answers with a signal. */
    'mm.segv': { mm: number; address: number; write: boolean; signal: string; reason: string };
    /** An address-space system call and its result. */
    'mm.syscall': { mm: number; call: string; args: string; ret: number };
    /** A huge PMD was split into PTEs, or a large folio into smaller ones. */
    'mm.split': { mm: number; address: number; what: string; result: string };
    /** khugepaged / MADV_COLLAPSE: a range collapsed into a THP (or why not). */
    'mm.collapse': { mm: number; address: number; result: string };
  }
}

/** FAULT_FLAG_* names of a flags value, for traces. @fidelity custom */
export function faultFlagNames(flags: number): string {
  return faultFlagTable.decode(flags).join('|') || '0';
}

/** VM_FAULT_* names of a result, for traces. @fidelity custom */
export function vmFaultNames(ret: number): string {
  return ret === 0 ? '0' : vmFaultTable.decode(ret).join('|');
}

/** An address as 0x-hex, for trace text. @fidelity custom */
export function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}

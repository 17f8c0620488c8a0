/**
 * Page-fault flags and results: enum fault_flag (FAULT_FLAG_*) and enum vm_fault_reason
 * (VM_FAULT_*) of include/linux/mm_types.h, v6.18. Fidelity: exact values.
 */
import { constTable } from './const_table.js';

// enum fault_flag
export const FAULT_FLAG_WRITE = 1 << 0;
export const FAULT_FLAG_MKWRITE = 1 << 1;
export const FAULT_FLAG_ALLOW_RETRY = 1 << 2;
export const FAULT_FLAG_RETRY_NOWAIT = 1 << 3;
export const FAULT_FLAG_KILLABLE = 1 << 4;
export const FAULT_FLAG_TRIED = 1 << 5;
export const FAULT_FLAG_USER = 1 << 6;
export const FAULT_FLAG_REMOTE = 1 << 7;
export const FAULT_FLAG_INSTRUCTION = 1 << 8;
export const FAULT_FLAG_INTERRUPTIBLE = 1 << 9;
export const FAULT_FLAG_UNSHARE = 1 << 10;
export const FAULT_FLAG_ORIG_PTE_VALID = 1 << 11;
export const FAULT_FLAG_VMA_LOCK = 1 << 12;

// enum vm_fault_reason
export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
/**
 * Historical: do_wp_page broke COW (or reused the page) for a write fault. Removed by
 * cb8d86331343 "mm: remove VM_FAULT_WRITE" (v6.1); the model returns it only under quirk
 * dirty-cow, whose faultin_page reads it.
 */
export const VM_FAULT_WRITE = 0x000008;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_HWPOISON_LARGE = 0x000020;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_FALLBACK = 0x000800;
export const VM_FAULT_DONE_COW = 0x001000;
export const VM_FAULT_NEEDDSYNC = 0x002000;
export const VM_FAULT_COMPLETED = 0x004000;
export const VM_FAULT_HINDEX_MASK = 0x0f0000; // mask, not a result

export const VM_FAULT_ERROR =
  VM_FAULT_OOM |
  VM_FAULT_SIGBUS |
  VM_FAULT_SIGSEGV |
  VM_FAULT_HWPOISON |
  VM_FAULT_HWPOISON_LARGE |
  VM_FAULT_FALLBACK;

/** Encode hstate index for a hwpoisoned large page. */
export function VM_FAULT_SET_HINDEX(x: number): number {
  return x << 16;
}

export function VM_FAULT_GET_HINDEX(x: number): number {
  return (x >>> 16) & 0xf;
}

export const faultFlagTable = constTable({
  family: 'FAULT_FLAG_*',
  header: 'include/linux/mm_types.h',
  kind: 'bits',
  values: {
    FAULT_FLAG_WRITE,
    FAULT_FLAG_MKWRITE,
    FAULT_FLAG_ALLOW_RETRY,
    FAULT_FLAG_RETRY_NOWAIT,
    FAULT_FLAG_KILLABLE,
    FAULT_FLAG_TRIED,
    FAULT_FLAG_USER,
    FAULT_FLAG_REMOTE,
    FAULT_FLAG_INSTRUCTION,
    FAULT_FLAG_INTERRUPTIBLE,
    FAULT_FLAG_UNSHARE,
    FAULT_FLAG_ORIG_PTE_VALID,
    FAULT_FLAG_VMA_LOCK,
  },
});

export const vmFaultTable = constTable({
  family: 'VM_FAULT_*',
  header: 'include/linux/mm_types.h',
  kind: 'bits',
  values: {
    VM_FAULT_OOM,
    VM_FAULT_SIGBUS,
    VM_FAULT_MAJOR,
    VM_FAULT_WRITE,
    VM_FAULT_HWPOISON,
    VM_FAULT_HWPOISON_LARGE,
    VM_FAULT_SIGSEGV,
    VM_FAULT_NOPAGE,
    VM_FAULT_LOCKED,
    VM_FAULT_RETRY,
    VM_FAULT_FALLBACK,
    VM_FAULT_DONE_COW,
    VM_FAULT_NEEDDSYNC,
    VM_FAULT_COMPLETED,
  },
});

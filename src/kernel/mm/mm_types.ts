/**
 * Types the kernel layer shares: struct vm_fault and struct vm_operations_struct
 * (include/linux/mm.h), the parts of struct file and struct address_space a mapping needs
 * (include/linux/fs.h), and vm_fault_t. The file layer (another issue) supplies real files; the
 * model's own users are shmem (MAP_SHARED|MAP_ANONYMOUS) and hugetlbfs (MAP_HUGETLB).
 */
import type { VmAreaStruct, VmFile } from '../../mm/vma.js';
import type { SpinLock } from '../../sim/locking/spinlock.js';
import type { Sched } from '../../sim/thread.js';
import type { GupFileFacts } from './gup_state.js';

/** include/linux/mm_types.h: vm_fault_t (VM_FAULT_* bits). */
export type vm_fault_t = number;

/** include/linux/fs.h: struct address_space (the page cache of one file). @fidelity simplified */
export class address_space {
  /** The folio of each page-cache index (the xarray): the head pfn of a folio covers its range. */
  readonly i_pages = new Map<number, number>();
  /** mapping->nrpages. */
  nrpages = 0;
  /** mapping->i_mmap: the VMAs mapping this file (an interval tree in the kernel). */
  readonly i_mmap: VmAreaStruct[] = [];
  /** inode->i_size in bytes. */
  i_size = 0;

  constructor(
    /** The id folio->mapping stores for page-cache folios of this file. */
    readonly id: number,
    readonly name: string,
  ) {}
}

/** include/linux/mm.h: struct vm_operations_struct (the hooks the fault path calls). */
export interface vm_operations_struct {
  readonly name: string;
  /** ->fault(vmf): find or read the page; sets vmf.page (locked with VM_FAULT_LOCKED). */
  fault?(vmf: vm_fault): Sched<vm_fault_t>;
  /** ->page_mkwrite(vmf): a read-only shared page is about to become writable. */
  page_mkwrite?(vmf: vm_fault): Sched<vm_fault_t>;
  /** ->huge_fault(vmf, order). */
  huge_fault?(vmf: vm_fault, order: number): Sched<vm_fault_t>;
}

/** include/linux/fs.h: struct file, as a VMA sees it (plus the facts GUP asks about). */
export interface file extends VmFile, GupFileFacts {
  readonly f_mapping: address_space;
  readonly vm_ops: vm_operations_struct;
}

/** A VMA's file with its operations, or null for anonymous memory. @fidelity custom */
export function vma_file(vma: VmAreaStruct): file | null {
  return vma.vm_file as file | null;
}

/** include/linux/mm.h: struct vm_fault. @fidelity simplified (no gfp_mask, no pud) */
export class vm_fault {
  /** Page-aligned faulting address, and the address as given. */
  address: number;
  real_address: number;
  /** FAULT_FLAG_* */
  flags: number;
  /** Page offset of the address in the mapping (linear_page_index). */
  pgoff: number;
  /** Pointer to the PMD entry covering the address (-1 before the walk). */
  pmd = -1;
  orig_pmd = 0;
  /** Pointer to the PTE while mapped (pte_offset_map), or -1. */
  pte = -1;
  /** The PTE value read when the fault started (valid with FAULT_FLAG_ORIG_PTE_VALID). */
  orig_pte = 0;
  /** The page-table lock held (or to take) for vmf.pte / vmf.pmd. */
  ptl: SpinLock | null = null;
  /** The page found by ->fault or vm_normal_page, or -1. */
  page = -1;
  /** The new anonymous page of a COW fault, or -1. */
  cow_page = -1;
  /** A preallocated PTE table, or -1. */
  prealloc_pte = -1;

  constructor(
    public vma: VmAreaStruct,
    address: number,
    flags: number,
    pgoff: number,
  ) {
    this.real_address = address;
    this.address = address - (address % 4096);
    this.flags = flags;
    this.pgoff = pgoff;
  }
}

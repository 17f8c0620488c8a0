/**
 * mmap(), mprotect(), madvise() and mremap() constants for x86-64:
 * include/uapi/asm-generic/mman-common.h, include/uapi/asm-generic/mman.h,
 * include/uapi/linux/mman.h and arch/x86/include/uapi/asm/mman.h.
 * Fidelity: exact values.
 */
import { constTable } from './const_table.js';
import {
  HUGETLB_FLAG_ENCODE_16GB,
  HUGETLB_FLAG_ENCODE_16KB,
  HUGETLB_FLAG_ENCODE_16MB,
  HUGETLB_FLAG_ENCODE_1GB,
  HUGETLB_FLAG_ENCODE_1MB,
  HUGETLB_FLAG_ENCODE_256MB,
  HUGETLB_FLAG_ENCODE_2GB,
  HUGETLB_FLAG_ENCODE_2MB,
  HUGETLB_FLAG_ENCODE_32MB,
  HUGETLB_FLAG_ENCODE_512KB,
  HUGETLB_FLAG_ENCODE_512MB,
  HUGETLB_FLAG_ENCODE_64KB,
  HUGETLB_FLAG_ENCODE_8MB,
  HUGETLB_FLAG_ENCODE_MASK,
  HUGETLB_FLAG_ENCODE_SHIFT,
} from './hugetlb_encode.js';

// include/uapi/asm-generic/mman-common.h
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

// include/uapi/linux/mman.h
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_DROPPABLE = 0x08;
// include/uapi/asm-generic/mman-common.h
export const MAP_TYPE = 0x0f; // mask, not a flag
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
// arch/x86/include/uapi/asm/mman.h
export const MAP_32BIT = 0x40;
export const MAP_ABOVE4G = 0x80;
// include/uapi/asm-generic/mman.h
export const MAP_GROWSDOWN = 0x0100;
export const MAP_DENYWRITE = 0x0800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
// include/uapi/asm-generic/mman-common.h
export const MAP_POPULATE = 0x008000;
export const MAP_NONBLOCK = 0x010000;
export const MAP_STACK = 0x020000;
export const MAP_HUGETLB = 0x040000;
export const MAP_SYNC = 0x080000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;
export const MAP_FILE = 0;
// include/uapi/linux/mman.h: hugetlb page size in bits [26:31]
export const MAP_HUGE_SHIFT = HUGETLB_FLAG_ENCODE_SHIFT;
export const MAP_HUGE_MASK = HUGETLB_FLAG_ENCODE_MASK;
export const MAP_HUGE_16KB = HUGETLB_FLAG_ENCODE_16KB;
export const MAP_HUGE_64KB = HUGETLB_FLAG_ENCODE_64KB;
export const MAP_HUGE_512KB = HUGETLB_FLAG_ENCODE_512KB;
export const MAP_HUGE_1MB = HUGETLB_FLAG_ENCODE_1MB;
export const MAP_HUGE_2MB = HUGETLB_FLAG_ENCODE_2MB;
export const MAP_HUGE_8MB = HUGETLB_FLAG_ENCODE_8MB;
export const MAP_HUGE_16MB = HUGETLB_FLAG_ENCODE_16MB;
export const MAP_HUGE_32MB = HUGETLB_FLAG_ENCODE_32MB;
export const MAP_HUGE_256MB = HUGETLB_FLAG_ENCODE_256MB;
export const MAP_HUGE_512MB = HUGETLB_FLAG_ENCODE_512MB;
export const MAP_HUGE_1GB = HUGETLB_FLAG_ENCODE_1GB;
export const MAP_HUGE_2GB = HUGETLB_FLAG_ENCODE_2GB;
export const MAP_HUGE_16GB = HUGETLB_FLAG_ENCODE_16GB;

// include/uapi/asm-generic/mman-common.h: madvise() advice values
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;
export const MADV_HWPOISON = 100;
export const MADV_SOFT_OFFLINE = 101;
export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;

// include/uapi/linux/mman.h: mremap() flags
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

export const protTable = constTable({
  family: 'PROT_*',
  header: 'include/uapi/asm-generic/mman-common.h',
  kind: 'bits',
  values: { PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM, PROT_GROWSDOWN, PROT_GROWSUP },
});

export const mapTable = constTable({
  family: 'MAP_*',
  header:
    'include/uapi/linux/mman.h, include/uapi/asm-generic/mman-common.h, ' +
    'include/uapi/asm-generic/mman.h, arch/x86/include/uapi/asm/mman.h',
  kind: 'bits',
  values: {
    MAP_SHARED,
    MAP_PRIVATE,
    MAP_SHARED_VALIDATE,
    MAP_DROPPABLE,
    MAP_FIXED,
    MAP_ANONYMOUS,
    MAP_32BIT,
    MAP_ABOVE4G,
    MAP_GROWSDOWN,
    MAP_DENYWRITE,
    MAP_EXECUTABLE,
    MAP_LOCKED,
    MAP_NORESERVE,
    MAP_POPULATE,
    MAP_NONBLOCK,
    MAP_STACK,
    MAP_HUGETLB,
    MAP_SYNC,
    MAP_FIXED_NOREPLACE,
    MAP_UNINITIALIZED,
    MAP_HUGE_16KB,
    MAP_HUGE_64KB,
    MAP_HUGE_512KB,
    MAP_HUGE_1MB,
    MAP_HUGE_2MB,
    MAP_HUGE_8MB,
    MAP_HUGE_16MB,
    MAP_HUGE_32MB,
    MAP_HUGE_256MB,
    MAP_HUGE_512MB,
    MAP_HUGE_1GB,
    MAP_HUGE_2GB,
    MAP_HUGE_16GB,
    MAP_FILE,
  },
});

export const madvTable = constTable({
  family: 'MADV_*',
  header: 'include/uapi/asm-generic/mman-common.h',
  kind: 'values',
  values: {
    MADV_NORMAL,
    MADV_RANDOM,
    MADV_SEQUENTIAL,
    MADV_WILLNEED,
    MADV_DONTNEED,
    MADV_FREE,
    MADV_REMOVE,
    MADV_DONTFORK,
    MADV_DOFORK,
    MADV_MERGEABLE,
    MADV_UNMERGEABLE,
    MADV_HUGEPAGE,
    MADV_NOHUGEPAGE,
    MADV_DONTDUMP,
    MADV_DODUMP,
    MADV_WIPEONFORK,
    MADV_KEEPONFORK,
    MADV_COLD,
    MADV_PAGEOUT,
    MADV_POPULATE_READ,
    MADV_POPULATE_WRITE,
    MADV_DONTNEED_LOCKED,
    MADV_COLLAPSE,
    MADV_HWPOISON,
    MADV_SOFT_OFFLINE,
    MADV_GUARD_INSTALL,
    MADV_GUARD_REMOVE,
  },
});

export const mremapTable = constTable({
  family: 'MREMAP_*',
  header: 'include/uapi/linux/mman.h',
  kind: 'bits',
  values: { MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP },
});

/**
 * userfaultfd user-space ABI: include/uapi/linux/userfaultfd.h (v6.18) and the context flags of
 * include/linux/userfaultfd_k.h. Fidelity: exact values (the ioctl numbers are named, not encoded:
 * scenarios call each ioctl as its own operation).
 */
import { constTable } from './const_table.js';

export const UFFD_API = 0xaa;

// userfaultfd(2) flags
export const UFFD_USER_MODE_ONLY = 1;
export const UFFD_NONBLOCK = 0o4000; // O_NONBLOCK
export const UFFD_CLOEXEC = 0o2000000; // O_CLOEXEC

// struct uffd_msg.event
export const UFFD_EVENT_PAGEFAULT = 0x12;
export const UFFD_EVENT_FORK = 0x13;
export const UFFD_EVENT_REMAP = 0x14;
export const UFFD_EVENT_REMOVE = 0x15;
export const UFFD_EVENT_UNMAP = 0x16;

// uffd_msg.arg.pagefault.flags
export const UFFD_PAGEFAULT_FLAG_WRITE = 1 << 0;
export const UFFD_PAGEFAULT_FLAG_WP = 1 << 1;
export const UFFD_PAGEFAULT_FLAG_MINOR = 1 << 2;

// uffdio_api.features
export const UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1 << 0;
export const UFFD_FEATURE_EVENT_FORK = 1 << 1;
export const UFFD_FEATURE_EVENT_REMAP = 1 << 2;
export const UFFD_FEATURE_EVENT_REMOVE = 1 << 3;
export const UFFD_FEATURE_MISSING_HUGETLBFS = 1 << 4;
export const UFFD_FEATURE_MISSING_SHMEM = 1 << 5;
export const UFFD_FEATURE_EVENT_UNMAP = 1 << 6;
export const UFFD_FEATURE_SIGBUS = 1 << 7;
export const UFFD_FEATURE_THREAD_ID = 1 << 8;
export const UFFD_FEATURE_MINOR_HUGETLBFS = 1 << 9;
export const UFFD_FEATURE_MINOR_SHMEM = 1 << 10;
export const UFFD_FEATURE_EXACT_ADDRESS = 1 << 11;
export const UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1 << 12;
export const UFFD_FEATURE_WP_UNPOPULATED = 1 << 13;
export const UFFD_FEATURE_POISON = 1 << 14;
export const UFFD_FEATURE_WP_ASYNC = 1 << 15;
export const UFFD_FEATURE_MOVE = 1 << 16;

// UFFDIO_REGISTER modes
export const UFFDIO_REGISTER_MODE_MISSING = 1 << 0;
export const UFFDIO_REGISTER_MODE_WP = 1 << 1;
export const UFFDIO_REGISTER_MODE_MINOR = 1 << 2;
export const UFFD_API_REGISTER_MODES =
  UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MINOR;

// ioctl modes
export const UFFDIO_COPY_MODE_DONTWAKE = 1 << 0;
export const UFFDIO_COPY_MODE_WP = 1 << 1;
export const UFFDIO_ZEROPAGE_MODE_DONTWAKE = 1 << 0;
export const UFFDIO_WRITEPROTECT_MODE_WP = 1 << 0;
export const UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1 << 1;
export const UFFDIO_CONTINUE_MODE_DONTWAKE = 1 << 0;
export const UFFDIO_CONTINUE_MODE_WP = 1 << 1;

// _UFFDIO_* ioctl numbers (bits of uffdio_api.ioctls / uffdio_register.ioctls)
export const _UFFDIO_REGISTER = 0x00;
export const _UFFDIO_UNREGISTER = 0x01;
export const _UFFDIO_WAKE = 0x02;
export const _UFFDIO_COPY = 0x03;
export const _UFFDIO_ZEROPAGE = 0x04;
export const _UFFDIO_MOVE = 0x05;
export const _UFFDIO_WRITEPROTECT = 0x06;
export const _UFFDIO_CONTINUE = 0x07;
export const _UFFDIO_POISON = 0x08;
export const _UFFDIO_API = 0x3f;

/** UFFD_API_FEATURES: what this model's UFFDIO_API reports (no hugetlbfs, MOVE, POISON, WP_ASYNC). */
export const UFFD_API_FEATURES =
  UFFD_FEATURE_PAGEFAULT_FLAG_WP |
  UFFD_FEATURE_EVENT_FORK |
  UFFD_FEATURE_EVENT_REMAP |
  UFFD_FEATURE_EVENT_REMOVE |
  UFFD_FEATURE_EVENT_UNMAP |
  UFFD_FEATURE_MISSING_SHMEM |
  UFFD_FEATURE_SIGBUS |
  UFFD_FEATURE_THREAD_ID |
  UFFD_FEATURE_MINOR_SHMEM |
  UFFD_FEATURE_EXACT_ADDRESS;

export const uffdRegisterModeTable = constTable({
  family: 'UFFDIO_REGISTER_MODE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: {
    UFFDIO_REGISTER_MODE_MISSING,
    UFFDIO_REGISTER_MODE_WP,
    UFFDIO_REGISTER_MODE_MINOR,
  },
});

export const uffdFeatureTable = constTable({
  family: 'UFFD_FEATURE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: {
    UFFD_FEATURE_PAGEFAULT_FLAG_WP,
    UFFD_FEATURE_EVENT_FORK,
    UFFD_FEATURE_EVENT_REMAP,
    UFFD_FEATURE_EVENT_REMOVE,
    UFFD_FEATURE_MISSING_HUGETLBFS,
    UFFD_FEATURE_MISSING_SHMEM,
    UFFD_FEATURE_EVENT_UNMAP,
    UFFD_FEATURE_SIGBUS,
    UFFD_FEATURE_THREAD_ID,
    UFFD_FEATURE_MINOR_HUGETLBFS,
    UFFD_FEATURE_MINOR_SHMEM,
    UFFD_FEATURE_EXACT_ADDRESS,
    UFFD_FEATURE_WP_HUGETLBFS_SHMEM,
    UFFD_FEATURE_WP_UNPOPULATED,
    UFFD_FEATURE_POISON,
    UFFD_FEATURE_WP_ASYNC,
    UFFD_FEATURE_MOVE,
  },
});

/** userfaultfd(2) flags. */
export const uffdFlagTable = constTable({
  family: 'UFFD_* (userfaultfd flags)',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: {
    UFFD_USER_MODE_ONLY,
    UFFD_NONBLOCK,
    UFFD_CLOEXEC,
  },
});

export const uffdCopyModeTable = constTable({
  family: 'UFFDIO_COPY_MODE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: { UFFDIO_COPY_MODE_DONTWAKE, UFFDIO_COPY_MODE_WP },
});

export const uffdZeropageModeTable = constTable({
  family: 'UFFDIO_ZEROPAGE_MODE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: { UFFDIO_ZEROPAGE_MODE_DONTWAKE },
});

export const uffdWriteprotectModeTable = constTable({
  family: 'UFFDIO_WRITEPROTECT_MODE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: { UFFDIO_WRITEPROTECT_MODE_WP, UFFDIO_WRITEPROTECT_MODE_DONTWAKE },
});

export const uffdContinueModeTable = constTable({
  family: 'UFFDIO_CONTINUE_MODE_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: { UFFDIO_CONTINUE_MODE_DONTWAKE, UFFDIO_CONTINUE_MODE_WP },
});

export const uffdPagefaultFlagTable = constTable({
  family: 'UFFD_PAGEFAULT_FLAG_*',
  header: 'include/uapi/linux/userfaultfd.h',
  kind: 'bits',
  values: { UFFD_PAGEFAULT_FLAG_WRITE, UFFD_PAGEFAULT_FLAG_WP, UFFD_PAGEFAULT_FLAG_MINOR },
});

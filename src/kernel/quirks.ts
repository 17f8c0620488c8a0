/**
 * Quirks: historical kernel behaviours a scenario may switch on by id (`kernel: { quirks: [...] }`,
 * `Machine.quirk(id)`). The baseline is mainline v6.18; each quirk names the commit (or patch)
 * that removed the behaviour. A quirk is `implemented` once the model code that consults
 * `m.quirk(id)` exists: the engineer who writes that code flips the flag, and only implemented
 * quirks are accepted by the scenario loader, so a scenario never silently runs the current
 * kernel while believing it runs an old one.
 */

export interface QuirkInfo {
  /** Stable id, lower-case words joined by `-`. */
  readonly id: string;
  /** What the old kernel did, in one sentence. */
  readonly description: string;
  /** The commit or patch that removed the behaviour (and the release it landed in). */
  readonly fixedBy: string;
  /** True once the model implements the behaviour behind `m.quirk(id)`. */
  readonly implemented: boolean;
}

export const QUIRKS: readonly QuirkInfo[] = [
  {
    id: 'dirty-cow',
    description:
      'After a COW fault for a FOLL_FORCE write, __get_user_pages() drops FOLL_WRITE and retries, so a racing MADV_DONTNEED lets the write land in the page cache (CVE-2016-5195).',
    fixedBy: '19be0eaffa3a "mm: remove gup_flags FOLL_WRITE games from __get_user_pages()" (v4.9)',
    implemented: true,
  },
  {
    id: 'privcmd-unlock-all',
    description:
      'lock_pages() accepts a short pin (the hypercall runs on a half-pinned buffer) and privcmd_ioctl_dm_op() releases nr_pages slots of the pages array whatever was pinned, so a short pin or an early error exit releases slots that hold no page.',
    fixedBy:
      'c5deb27895e0 "xen/privcmd: fix error exit of privcmd_ioctl_dm_op()" (Juergen Gross, v6.0)',
    implemented: true,
  },
  {
    id: 'vfio-no-longterm',
    description:
      'vfio type1 vaddr_get_pfn() pins memory of another mm (vfio_pin_pages() for an emulated-IOMMU device, current->mm != dma->mm) with get_user_pages_remote() without FOLL_LONGTERM, so those pages stay in CMA or ZONE_MOVABLE.',
    fixedBy:
      '"vfio: fix FOLL_LONGTERM use, simplify get_user_pages_remote() call" with c4237f8b1f4f "mm: fix get_user_pages_remote()\'s handling of FOLL_LONGTERM" (John Hubbard, v5.6; posted as "vfio, mm: fix get_user_pages_remote() and FOLL_LONGTERM")',
    implemented: true,
  },
  {
    id: 'm2p-override-no-foreign',
    description:
      'Xen m2p_override does not mark local pages FOREIGN, so GUP on a backend grant mapping of a local frontend page returns the frontend page itself.',
    fixedBy: 'b9e0d95c041c "xen: mark local pages as FOREIGN in the m2p_override" (v3.5)',
    implemented: true,
  },
  {
    id: 'kvm-gup-single-retry',
    description:
      'GUP (and the x86 page-fault handler) retries a fault that dropped mmap_lock only once, with FAULT_FLAG_TRIED and without FAULT_FLAG_ALLOW_RETRY, so a fault that must wait again (a userfault re-zapped by MADV_DONTNEED) ends in SIGBUS / -EFAULT.',
    fixedBy:
      '4426e945df58 "mm/gup: allow VM_FAULT_RETRY for multiple times" and 4064b9827063 "mm: allow VM_FAULT_RETRY for multiple times" (v5.7)',
    implemented: true,
  },
  {
    id: 'iov-iter-no-direction-check',
    description:
      'iov_iter copy helpers do not check the iterator direction: a copy into a source iterator goes ahead, so a driver that mislabels its iterator writes into pages it took without FOLL_WRITE (shared pages such as the zero page).',
    fixedBy:
      'a41dad905e5a "iov_iter: saner checks for attempt to copy to/from iterator" (Al Viro, v6.2)',
    implemented: true,
  },
  {
    id: 'fork-shares-pinned',
    description:
      'fork() write-protects and shares anonymous pages even when they are pinned, so the parent COWs away from its own pinned page.',
    fixedBy: '70e806e4e645 "mm: Do early cow for pinned pages during fork() for ptes" (v5.9)',
    implemented: true,
  },
  {
    id: 'dio-get-not-pin',
    description:
      'Direct I/O takes page references with get_user_pages (FOLL_GET) instead of pins, so the pages do not look DMA-pinned to fork, writeback or migration.',
    fixedBy:
      '"block: Switch to pinning pages." and "block: Convert bio_iov_iter_get_pages to use iov_iter_extract_pages" (David Howells, block tree for-6.3/iov-extract, 2023; fs/direct-io.c followed in v6.5 with "block: Use iov_iter_extract_pages() and page pinning in direct-io.c")',
    implemented: true,
  },
  {
    id: 'ext4-writepage-bug',
    description:
      'ext4 writeback BUGs (ext4_writepage) on a dirty page without buffer heads, e.g. one dirtied through a pin after reclaim freed its buffers; the current kernel warns, clears the dirty bit and drops the data.',
    fixedBy:
      'cc5095747edf "ext4: don\'t BUG if someone dirty pages without asking ext4 first" (v5.18)',
    implemented: true,
  },
  {
    id: 'swap-forgets-exclusive',
    description:
      "try_to_unmap_one writes swap PTEs without an exclusive bit, so a page swapped out while someone holds a reference (O_DIRECT's FOLL_GET) comes back read-only on a read fault and the next write copies it away from the reference holder.",
    fixedBy:
      '1493a1913e34 "mm/swap: remember PG_anon_exclusive via a swp pte bit" (David Hildenbrand, v5.19)',
    implemented: true,
  },
];

/** The quirk with this id, if the registry knows it. */
export function quirkInfo(id: string): QuirkInfo | undefined {
  return QUIRKS.find((q) => q.id === id);
}

/** Ids of the quirks the model implements: the ones scenarios may switch on. */
export function implementedQuirks(): string[] {
  return QUIRKS.filter((q) => q.implemented).map((q) => q.id);
}

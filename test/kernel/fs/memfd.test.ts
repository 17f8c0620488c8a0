/**
 * memfd_create(2) (mm/memfd.c) and what the files of each file system tell GUP
 * (mm/mmap.c: vma_needs_dirty_tracking; mm/gup.c: writable_file_mapping_allowed): long-term
 * write pins of shared mappings are refused for ext4, xfs and btrfs, allowed for memfd/tmpfs and
 * hugetlbfs, whose mappings need no dirty tracking.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, ENODEV } from '../../../src/kernel/include/errno.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import {
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { MFD_ALLOW_SEALING, MFD_HUGE_1GB, MFD_HUGETLB } from '../../../src/kernel/include/memfd.js';
import { do_sys_ftruncate } from '../../../src/kernel/fs/open.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { memfd_alloc_folio, sys_memfd_create } from '../../../src/kernel/mm/memfd.js';
import {
  is_file_hugepages,
  vma_is_shmem,
  vma_needs_dirty_tracking,
} from '../../../src/kernel/mm/pagecache_vma.js';
import { F_SEAL_SEAL, shmem_file } from '../../../src/kernel/mm/shmem.js';
import { find_vma, folio_test_hugetlb } from '../../../src/mm/index.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import type { FsName } from '../../../src/kernel/fs/super.js';
import {
  PAGE,
  MiB,
  fileOf,
  mmapFile,
  open,
  pread,
  pwrite,
  runTask,
  type World,
} from './helpers.js';
import type { Sched } from '../../../src/sim/index.js';

function* sharedMapping(w: World, fs: FsName): Sched<number> {
  const fd = yield* open(w, `/${fs}`, O_CREAT | O_RDWR, fs);
  yield* pwrite(w, fd, 1, PAGE, 0);
  return yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
}

describe('memfd and dirty tracking', () => {
  it('memfd_create: a shmem file open O_RDWR; bad flags -EINVAL; sealing off by default', () => {
    runTask(function* (w) {
      const fd = sys_memfd_create(w.k, w.p.tgid, 'guest', 0);
      expect(fd).toBe(3);
      const f = fileOf(w, fd);
      expect(shmem_file(f) && !f.writeback && !f.page_mkwrite).toBe(true);
      expect(f.f_inode.seals).toBe(F_SEAL_SEAL);
      expect(fileOf(w, sys_memfd_create(w.k, w.p.tgid, 's', MFD_ALLOW_SEALING)).f_inode.seals).toBe(
        0,
      );
      expect(sys_memfd_create(w.k, w.p.tgid, 'x', 0x1000)).toBe(-EINVAL);
      expect(sys_memfd_create(w.k, w.p.tgid, 'x'.repeat(250), 0)).toBe(-EINVAL);
      // a huge page size the machine has no hstate for
      expect(sys_memfd_create(w.k, w.p.tgid, 'h', MFD_HUGETLB | (20 << 26))).toBe(-ENODEV);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 2 * PAGE)).toBe(0);
      expect(yield* pwrite(w, fd, 8, PAGE, PAGE)).toBe(PAGE);
      expect((yield* pread(w, fd, 2 * PAGE, 0))[1]).toEqual([0, 8]);
    });
  });

  it('vma_needs_dirty_tracking: shared writable ext4/xfs/btrfs yes; tmpfs no; private no', () => {
    runTask(function* (w) {
      for (const fs of ['ext4', 'xfs', 'btrfs', 'tmpfs'] as const) {
        const addr = yield* sharedMapping(w, fs);
        const vma = find_vma(w.mm, addr)!;
        expect(vma_needs_dirty_tracking(vma)).toBe(fs !== 'tmpfs');
        expect(vma_is_shmem(vma)).toBe(fs === 'tmpfs');
      }
      const fd = yield* open(w, '/ext4', O_RDWR);
      const priv = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
      expect(vma_needs_dirty_tracking(find_vma(w.mm, priv)!)).toBe(false);
    });
  });

  it('FOLL_LONGTERM|FOLL_WRITE pins of a shared ext4 mapping are refused (-EFAULT); of a memfd allowed', () => {
    runTask(function* (w) {
      const pages: number[] = [];
      const ext4 = yield* sharedMapping(w, 'ext4');
      expect(yield* pin_user_pages_fast(w.k, ext4, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(
        -EFAULT,
      );
      const fd = sys_memfd_create(w.k, w.p.tgid, 'buf', 0);
      yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE);
      const shm = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* pin_user_pages_fast(w.k, shm, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
      unpin_user_pages(w.k, pages, 1);
    });
  });

  it('MFD_HUGETLB: a hugetlbfs file; memfd_alloc_folio adds a pool folio to its page cache', () => {
    runTask(
      function* (w) {
        const fd = sys_memfd_create(w.k, w.p.tgid, 'huge', MFD_HUGETLB);
        const f = fileOf(w, fd);
        expect(is_file_hugepages(f) && !f.writeback).toBe(true);
        yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 2 * MiB);
        const folio = yield* memfd_alloc_folio(w.k, f, 0);
        expect(folio_test_hugetlb(w.k.mem, folio)).toBe(true);
        expect(f.f_mapping.i_pages.get(511)).toBe(folio);
        // a hugetlbfs file cannot be written with write(2)
        expect(yield* pwrite(w, fd, 1, PAGE, 0)).toBe(-EINVAL);
        // MFD_HUGE_1GB with no 1 GiB pool pages: the file exists, allocation fails later
        expect(sys_memfd_create(w.k, w.p.tgid, 'g', MFD_HUGETLB | MFD_HUGE_1GB)).toBeGreaterThan(0);
      },
      { hugetlb: { '2MiB': 1 } },
    );
  });

  it('MFD_HUGETLB mapped shared: the fault fills the page cache, pread sees the stores, truncate unmaps', () => {
    runTask(
      function* (w, t) {
        const fd = sys_memfd_create(w.k, w.p.tgid, 'h', MFD_HUGETLB);
        expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 4 * MiB)).toBe(0);
        const addr = yield* mmapFile(w, fd, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED);
        // a store into the second huge page faults in a pool folio at base-page indices 512..1023
        expect(yield* user_write(w.k, t, addr + 2 * MiB + PAGE, PAGE, 7)).toBe(0);
        const folio = fileOf(w, fd).f_mapping.i_pages.get(512)!;
        expect(fileOf(w, fd).f_mapping.i_pages.get(1023)).toBe(folio);
        expect((yield* pread(w, fd, PAGE, 2 * MiB + PAGE))[1]).toEqual([7]);
        // truncating the file unmaps the huge page and returns it to the pool
        expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 0)).toBe(0);
        expect(yield* user_read(w.k, t, addr + 2 * MiB, 1)).toBeLessThan(0);
        expect(w.k.mem.hstates[0]!.free_huge_pages).toBe(2);
      },
      { hugetlb: { '2MiB': 2 } },
    );
  });
});

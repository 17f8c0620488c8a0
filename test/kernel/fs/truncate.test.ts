/**
 * Truncate and hole punch (mm/truncate.c, mm/memory.c: unmap_mapping_range): the folios leave
 * the page cache and every mapping; a pinned folio leaves too but stays alive until the pin is
 * released, and writes through the pin no longer reach the file.
 */
import { describe, expect, it } from 'vitest';
import { folio_ref_count, PageBuddy } from '../../../src/mm/index.js';
import { EFAULT, EINVAL } from '../../../src/kernel/include/errno.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from '../../../src/kernel/include/falloc.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import {
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { do_sys_ftruncate, ksys_fallocate, sys_close } from '../../../src/kernel/fs/open.js';
import { vm_munmap } from '../../../src/kernel/mm/mmap.js';
import type { address_space } from '../../../src/kernel/mm/mm_types.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { sys_memfd_create } from '../../../src/kernel/mm/memfd.js';
import { MFD_HUGETLB } from '../../../src/kernel/include/memfd.js';
import {
  PAGE,
  MiB,
  cached,
  dmaWrite,
  fileOf,
  mmapFile,
  onDisk,
  open,
  pread,
  pwrite,
  runTask,
} from './helpers.js';

const PUNCH = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

describe('truncate and hole punch', () => {
  it('ftruncate drops the cache and the blocks past the new size', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 3, 4 * PAGE, 0);
      yield* do_fsync(w.k, w.p.tgid, fd);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE)).toBe(0);
      expect(fileOf(w, fd).f_mapping.nrpages).toBe(1);
      expect(fileOf(w, fd).f_inode.i_extents!.nr_blocks).toBe(1);
      // growing again reads zeros where the data was
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 4 * PAGE)).toBe(0);
      expect((yield* pread(w, fd, 4 * PAGE, 0))[1]).toEqual([3, 0, 0, 0]);
    });
  });

  it('a pinned folio leaves the page cache but stays alive until unpinned; writes through the pin miss the file', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/shm', O_CREAT | O_RDWR, 'tmpfs');
      yield* pwrite(w, fd, 0x11, 2 * PAGE, 0);
      const addr = yield* mmapFile(w, fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      // tmpfs needs no dirty tracking: a long-term write pin is allowed
      const pages: number[] = [];
      expect(yield* pin_user_pages_fast(w.k, addr, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
      const folio = pages[0]!;
      // punch the pinned page out of the file
      expect(yield* ksys_fallocate(w.k, w.p.tgid, fd, PUNCH, 0, PAGE)).toBe(0);
      expect(cached(w, fd, 0)).toBe(-1);
      expect(w.k.mem.mapping[folio]).toBe(0);
      expect(folio_ref_count(w.k.mem, folio)).toBeGreaterThan(0);
      // the device still writes the old page; the file and the mapping see a new, zeroed page
      yield* dmaWrite(w, folio, 0x99);
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([0]);
      expect(yield* user_read(w.k, t, addr, 1)).toEqual([0]);
      unpin_user_pages(w.k, pages, 1);
      expect(PageBuddy(w.k.mem, folio)).toBe(true);
    });
  });

  it('truncate unmaps the pages; an access past the new size is SIGBUS', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'xfs');
      yield* pwrite(w, fd, 5, 2 * PAGE, 0);
      const addr = yield* mmapFile(w, fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* user_read(w.k, t, addr + PAGE, 1)).toEqual([5]);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE)).toBe(0);
      expect(yield* user_read(w.k, t, addr + PAGE, 1)).toBe(-EFAULT);
      expect(yield* user_read(w.k, t, addr, 1)).toEqual([5]);
    });
  });

  it('a hole punch keeps private COW copies; truncate removes them (even_cows)', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 1, 2 * PAGE, 0);
      const priv = yield* mmapFile(w, fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
      // both pages COWed into the private mapping
      expect(yield* user_write(w.k, t, priv, 2 * PAGE, 2)).toBe(0);
      expect(yield* ksys_fallocate(w.k, w.p.tgid, fd, PUNCH, 0, PAGE)).toBe(0);
      expect(yield* user_read(w.k, t, priv, 1)).toEqual([2]);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 0)).toBe(0);
      expect(yield* user_read(w.k, t, priv, 1)).toBe(-EFAULT);
      expect(onDisk(w, fd, 1)).toBe(0);
    });
  });

  it('hugetlbfs sizes move in huge pages; a punched huge folio goes back to the pool', () => {
    runTask(
      function* (w) {
        const fd = sys_memfd_create(w.k, w.p.tgid, 'huge', MFD_HUGETLB);
        expect(fd).toBe(3);
        expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE)).toBe(-EINVAL);
        expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 4 * MiB)).toBe(0);
        const h = w.k.mem.hstates[0]!;
        expect(yield* ksys_fallocate(w.k, w.p.tgid, fd, 0, 0, 4 * MiB)).toBe(0);
        expect(h.free_huge_pages).toBe(0);
        expect(fileOf(w, fd).f_mapping.nrpages).toBe(1024);
        expect(yield* ksys_fallocate(w.k, w.p.tgid, fd, PUNCH, 0, 2 * MiB)).toBe(0);
        expect(h.free_huge_pages).toBe(1);
        expect(fileOf(w, fd).f_mapping.nrpages).toBe(512);
      },
      { hugetlb: { '2MiB': 2 } },
    );
  });

  it('closing and unmapping a memfd evicts it: its folios leave the cache, a pinned one stays alive', () => {
    runTask(function* (w, t) {
      const fd = sys_memfd_create(w.k, w.p.tgid, 'buf', 0);
      yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 2 * PAGE);
      const addr = yield* mmapFile(w, fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* user_write(w.k, t, addr, 2 * PAGE, 3)).toBe(0);
      const pages: number[] = [];
      expect(yield* pin_user_pages_fast(w.k, addr, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
      const mapping: address_space = fileOf(w, fd).f_mapping;
      // the last references go: the descriptor, then the mapping (the memfd is unlinked)
      expect(sys_close(w.k, w.p.tgid, fd)).toBe(0);
      expect(yield* vm_munmap(w.k, w.mm, addr, 2 * PAGE)).toBe(0);
      // the eviction runs in a kernel thread: wait for it
      yield w.m.block(
        'evicted',
        { canProceed: () => mapping.nrpages === 0, holders: () => [], describe: () => 'eviction' },
        -1,
      );
      expect(w.k.mem.mapping[pages[0]!]).toBe(0);
      expect(folio_ref_count(w.k.mem, pages[0]!)).toBeGreaterThan(0);
      unpin_user_pages(w.k, pages, 1);
      expect(PageBuddy(w.k.mem, pages[0]!)).toBe(true);
    });
  });
});

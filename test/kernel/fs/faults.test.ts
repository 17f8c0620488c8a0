/**
 * Faults on file mappings, with the file side of this layer (->fault, ->page_mkwrite) under the
 * mm layer's do_read_fault / do_shared_fault / do_cow_fault (mm/memory.c).
 */
import { describe, expect, it } from 'vitest';
import {
  addr_to_vpn,
  folio_test_dirty,
  folio_test_private,
  pte_lookup,
  pte_pfn,
  pte_write,
} from '../../../src/mm/index.js';
import { EFAULT } from '../../../src/kernel/include/errno.js';
import { O_CREAT, O_RDONLY, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { EACCES } from '../../../src/kernel/include/errno.js';
import {
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { PAGE, cached, mmapFile, open, pread, pwrite, runTask, type World } from './helpers.js';

function pteAt(w: World, addr: number): number {
  const ptep = pte_lookup(w.k.pool, w.mm, addr_to_vpn(addr));
  return ptep < 0 ? 0 : w.k.pool.get(ptep);
}

describe('faults on file mappings', () => {
  it('a read fault maps the page-cache folio read-only; a write fault calls page_mkwrite (ext4)', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 4, PAGE, 0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* user_read(w.k, t, addr, 1)).toEqual([4]);
      const folio = cached(w, fd, 0);
      // the shared writable mapping wants write notification: mapped read-only first
      expect(pte_pfn(pteAt(w, addr))).toBe(folio);
      expect(pte_write(pteAt(w, addr))).toBe(false);
      expect(yield* user_write(w.k, t, addr, PAGE, 6)).toBe(0);
      expect(pte_write(pteAt(w, addr))).toBe(true);
      expect(folio_test_dirty(w.k.mem, folio) && folio_test_private(w.k.mem, folio)).toBe(true);
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([6]);
    });
  });

  it('tmpfs needs no write notification: the first store maps the page writable at once', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/s', O_CREAT | O_RDWR, 'tmpfs');
      yield* pwrite(w, fd, 4, PAGE, 0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* user_read(w.k, t, addr, 1)).toEqual([4]);
      expect(pte_write(pteAt(w, addr))).toBe(true);
    });
  });

  it('a write to a private file mapping copies the page; the file keeps its data', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'btrfs');
      yield* pwrite(w, fd, 4, PAGE, 0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
      expect(yield* user_write(w.k, t, addr, PAGE, 9)).toBe(0);
      expect(pte_pfn(pteAt(w, addr))).not.toBe(cached(w, fd, 0));
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([4]);
    });
  });

  it('an access past the end of the file is SIGBUS; a shared writable mapping of an O_RDONLY file is -EACCES', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'xfs');
      yield* pwrite(w, fd, 4, PAGE, 0);
      const addr = yield* mmapFile(w, fd, 2 * PAGE, PROT_READ, MAP_SHARED);
      expect(yield* user_read(w.k, t, addr + PAGE, 1)).toBe(-EFAULT);
      const ro = yield* open(w, '/f', O_RDONLY);
      expect(yield* mmapFile(w, ro, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED)).toBe(-EACCES);
    });
  });
});

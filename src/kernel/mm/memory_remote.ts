/**
 * Access to another process's address space through page references: mm/memory.c
 * __access_remote_vm / access_remote_vm and include/linux/mm.h get_user_page_vma_remote, what
 * ptrace (PEEK/POKE) and /proc/PID/mem use. Under the target's mmap_lock (read, killable), one
 * page at a time: get_user_pages_remote(FOLL_GET, no `locked`, so the lock never drops), map it,
 * copy, dirty it for a write, drop the reference. Errors stop the loop; the bytes copied so far
 * are the result.
 *
 * Page contents are one byte per 4 KiB page in the model, so a kernel buffer is the byte a write
 * stores in every page piece it covers, or, for a read, the byte of every piece copied.
 */
import {
  PAGE_SIZE,
  page_content,
  page_folio,
  set_page_content,
  vma_lookup,
} from '../../mm/index.js';
import type { VmAreaStruct } from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EINVAL, EFAULT } from '../include/errno.js';
import { FOLL_NOWAIT, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { get_user_pages_remote } from './gup.js';
import { put_page } from './gup_unpin.js';
import { mmap_read_lock_killable, mmap_read_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';
import { set_page_dirty_lock } from './page-writeback.js';
import { folio_file_mapping } from './pagecache.js';
import { mm_solo } from './solo.js';

declare module '../../sim/trace.js' {
  interface TraceKinds {
    /** __access_remote_vm copied to or from one page it holds a reference on. */
    'mm.access-remote': { mm: number; addr: number; page: number; write: boolean; what: string };
  }
}

/** A kernel buffer of an access (see the file comment). */
export interface RemoteBuf {
  /** For a write: the byte stored. */
  readonly fill: number;
  /** For a read: the byte of each piece copied, in order. */
  readonly got: number[];
}

/** The result of get_user_page_vma_remote: a page (>= 0) and its VMA, or a negative errno. */
export interface RemotePage {
  page: number;
  vma: VmAreaStruct | null;
}

/**
 * include/linux/mm.h: get_user_page_vma_remote(mm, addr, gup_flags, &vma): one page reference
 * through get_user_pages_remote without `locked`, and the VMA that holds the address.
 * @fidelity exact
 */
export function* get_user_page_vma_remote(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  gup_flags: number,
  out: RemotePage,
): Sched<void> {
  out.vma = null;
  if ((gup_flags & FOLL_NOWAIT) !== 0) {
    out.page = -EINVAL; // WARN_ON_ONCE in the kernel; no caller in the model passes FOLL_NOWAIT
    return;
  }
  const pages = new Int32Array(1).fill(-1);
  const got = yield* get_user_pages_remote(k, mm, addr, 1, gup_flags, pages, null);
  if (got < 0) {
    out.page = got;
    return;
  }
  const vma = vma_lookup(mm, addr);
  if (vma === null) throw new Error('get_user_page_vma_remote: WARN: no VMA after GUP succeeded');
  out.vma = vma;
  out.page = pages[0]!;
}

/** What a page is, for the trace: anonymous memory or the page cache of a file. */
function whatPage(k: Kernel, folio: number): string {
  const mapping = folio_file_mapping(k, folio);
  if (mapping !== null) return `page-cache page of ${mapping.name}`;
  return folio === k.mem.zero_pfn ? 'the shared zero page' : 'anonymous page';
}

/**
 * The copy of one page piece, and for a write the dirtying: kmap_local_folio,
 * copy_to_user_page + folio_mark_dirty_lock (set_page_dirty_lock), or copy_from_user_page;
 * folio_release_kmap drops the reference.
 */
function* copyPage(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  page: number,
  buf: RemoteBuf,
  write: boolean,
): Sched<void> {
  const m = k.m;
  const folio = page_folio(k.mem, page);
  if (!mm_solo(m))
    yield m.at(
      write ? 'copy_to_user_page' : 'copy_from_user_page',
      folioObj(folio),
      write ? Access.Write : Access.Read,
    );
  if (m.trace.enabled) {
    const what = whatPage(k, folio);
    m.emit(
      'mm.access-remote',
      { mm: mm.mm_id, addr, page, write, what },
      'mm/memory.c: __access_remote_vm',
    );
  }
  if (write) {
    set_page_content(k.mem, page, buf.fill);
    yield* set_page_dirty_lock(k, folio);
  } else {
    buf.got.push(page_content(k.mem, page));
  }
  if (!mm_solo(m)) yield m.at('folio_release_kmap', folioObj(folio), Access.Write);
  put_page(k, page);
}

/**
 * mm/memory.c: __access_remote_vm(mm, addr, buf, len, gup_flags): the bytes copied (0 if
 * mmap_lock could not be taken).
 * @fidelity simplified: no stack expansion (an address outside every VMA ends the access) and no
 * vm_ops->access fallback for VM_IO|VM_PFNMAP mappings (generic_access_phys): GUP's refusal ends
 * it; no address tags
 */
export function* __access_remote_vm(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  buf: RemoteBuf,
  len: number,
  gup_flags: number,
): Sched<number> {
  const write = (gup_flags & FOLL_WRITE) !== 0;
  if ((yield* mmap_read_lock_killable(mm)) !== 0) return 0;
  if (vma_lookup(mm, addr) === null) {
    yield* mmap_read_unlock(mm); // expand_stack fails and drops mmap_lock
    return 0;
  }
  let done = 0;
  const r: RemotePage = { page: -EFAULT, vma: null };
  while (len > 0) {
    yield* get_user_page_vma_remote(k, mm, addr, gup_flags, r);
    if (r.page < 0) {
      if (vma_lookup(mm, addr) === null) {
        yield* mmap_read_unlock(mm); // expand_stack fails and drops mmap_lock
        return done;
      }
      break; // no vm_ops->access: bytes = 0
    }
    const offset = addr % PAGE_SIZE;
    const bytes = Math.min(len, PAGE_SIZE - offset);
    yield* copyPage(k, mm, addr, r.page, buf, write);
    len -= bytes;
    done += bytes;
    addr += bytes;
  }
  yield* mmap_read_unlock(mm);
  return done;
}

/**
 * mm/memory.c: access_remote_vm(mm, addr, buf, len, gup_flags): the caller holds a reference
 * on mm; the number of bytes copied.
 * @fidelity exact
 */
export function access_remote_vm(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  buf: RemoteBuf,
  len: number,
  gup_flags: number,
): Sched<number> {
  return __access_remote_vm(k, mm, addr, buf, len, gup_flags);
}

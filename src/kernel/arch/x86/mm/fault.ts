/**
 * User-space memory access on x86-64: the MMU's page walk (present / writable / user bits,
 * setting the accessed and dirty bits in the leaf entry as the hardware does) and, when it
 * faults, arch/x86/mm/fault.c (v6.18) do_user_addr_fault: lock_mm_and_find_vma, access_error,
 * handle_mm_fault with the retry protocol (VM_FAULT_RETRY: retry with FAULT_FLAG_TRIED;
 * VM_FAULT_COMPLETED: done, mmap_lock already dropped) and mm_fault_error.
 *
 * A page's content is one byte standing for its 4 KiB (docs/mm-data-model.md): a store of
 * `value` to any byte range of a page sets that page's byte. Signals are outcomes, not
 * exceptions: SIGSEGV and SIGBUS return -EFAULT with an `mm.segv` trace event; an OOM returns
 * -ENOMEM; a fatal signal during the fault returns -EINTR. A thread that runs alone takes an
 * anonymous fault on a missing PTE through plain calls (do_user_addr_fault_solo), with the same
 * effects as the generators.
 * @fidelity simplified: no TLB (every access walks the page tables), no protection keys, no
 * instruction fetches, no stack expansion
 */
import { page_folio } from '../../../../mm/folio.js';
import { PAGE_SIZE, addr_to_vpn, pmd_index, pte_index, pud_index } from '../../../../mm/layout.js';
import { table_ptr } from '../../../../mm/pgtable.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_USER,
  entry_table,
  pte_mkdirty,
  pte_mkyoung,
  pte_pfn,
} from '../../../../mm/pgtable_types.js';
import { pgd_offset } from '../../../../mm/pgtable_walk.js';
import { Access } from '../../../../sim/footprint.js';
import type { Sched } from '../../../../sim/thread.js';
import { EFAULT, EINTR, ENOMEM } from '../../../include/errno.js';
import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_INTERRUPTIBLE,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_USER,
  FAULT_FLAG_WRITE,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from '../../../include/fault_flags.js';
import { VM_SHADOW_STACK, VM_WRITE } from '../../../include/vm_flags.js';
import { maskAnd } from '../../../include/bits.js';
import type { Kernel } from '../../../kernel.js';
import { folioObj, pteObj } from '../../../objects.js';
import { vma_is_accessible } from '../../../mm/internal.js';
import {
  handle_mm_fault,
  handle_mm_fault_solo,
  handle_mm_fault_solo_ok,
} from '../../../mm/memory.js';
import { lock_mm_and_find_vma, mmap_read_unlock } from '../../../mm/mmap_lock.js';
import type { mm_struct } from '../../../mm/mm_struct.js';
import { mm_solo, solo_down_read, solo_up_read } from '../../../mm/solo.js';
import type { task_struct } from '../../../sched/task.js';
import { find_vma, type VmAreaStruct } from '../../../../mm/vma.js';

/** arch/x86/include/asm/trap_pf.h: X86_PF_PROT, X86_PF_WRITE, X86_PF_USER. @fidelity exact */
export const X86_PF_PROT = 1 << 0;
export const X86_PF_WRITE = 1 << 1;
export const X86_PF_USER = 1 << 2;

/** include/linux/mm_types.h: FAULT_FLAG_DEFAULT. @fidelity exact */
export const FAULT_FLAG_DEFAULT =
  FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE;

/** The MMU's view of one access: the leaf entry and the page, or the page-fault error code. */
interface Translation {
  /** Pointer to the leaf entry (PTE, or PMD/PUD for a huge leaf); -1 if the walk stopped above. */
  leaf: number;
  /** The 4 KiB page the address maps to, or -1 when the access faults. */
  pfn: number;
  /** The x86 page-fault error code when pfn is -1. */
  error: number;
}

const LEAF_OK = _PAGE_PRESENT | _PAGE_USER;

/** The hardware page walk (no side effects). @fidelity simplified */
function mmu_walk(k: Kernel, mm: mm_struct, addr: number, write: boolean, t: Translation): void {
  const pool = k.pool;
  const vpn = addr_to_vpn(addr);
  const errBase = (write ? X86_PF_WRITE : 0) | X86_PF_USER;
  t.leaf = -1;
  t.pfn = -1;
  t.error = errBase;
  let entry = pool.get(pgd_offset(mm, vpn));
  if ((entry & _PAGE_PRESENT) === 0) return;
  for (let level = 0; level < 3; level++) {
    const index = level === 0 ? pud_index(vpn) : level === 1 ? pmd_index(vpn) : pte_index(vpn);
    const ptr = table_ptr(entry_table(entry), index);
    entry = pool.get(ptr);
    t.leaf = ptr;
    if ((entry & _PAGE_PRESENT) === 0) return;
    if (level === 2 || (entry & _PAGE_PSE) !== 0) {
      if ((entry & LEAF_OK) !== LEAF_OK || (write && (entry & _PAGE_RW) === 0)) {
        t.error = errBase | X86_PF_PROT;
        return;
      }
      const span = level === 0 ? 512 * 512 : level === 1 ? 512 : 1;
      t.pfn = pte_pfn(entry) + (vpn % span);
      return;
    }
  }
}

/**
 * The access itself: set the accessed (and, for a store, dirty) bit of the leaf entry and touch
 * the page. Declared as one step (the leaf entry and the folio); the walk is re-done after the
 * scheduling point and the declaration repeated if the entry changed meanwhile.
 */
function* mmu_access(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  write: boolean,
  t: Translation,
): Sched<void> {
  const m = k.m;
  if (mm_solo(m)) {
    mmu_walk(k, mm, addr, write, t);
    return;
  }
  for (;;) {
    mmu_walk(k, mm, addr, write, t);
    const leaf = t.leaf;
    const pfn = t.pfn;
    const entry = leaf >= 0 ? leaf : pgd_offset(mm, addr_to_vpn(addr));
    const p = m.at(write ? 'user store' : 'user load', pteObj(entry), Access.Write);
    if (pfn >= 0) p.also(folioObj(page_folio(k.mem, pfn)), write ? Access.Write : Access.Read);
    yield p;
    mmu_walk(k, mm, addr, write, t);
    if (t.leaf === leaf && t.pfn === pfn) return;
  }
}

function setAccessedDirty(k: Kernel, leaf: number, write: boolean): void {
  const e = k.pool.get(leaf);
  const want = write ? _PAGE_ACCESSED | _PAGE_DIRTY : _PAGE_ACCESSED;
  if ((e & want) !== want) k.pool.set(leaf, write ? pte_mkdirty(pte_mkyoung(e)) : pte_mkyoung(e));
}

/** arch/x86/mm/fault.c: access_error(error_code, vma). @fidelity exact */
export function access_error(error_code: number, vma: VmAreaStruct): boolean {
  if ((error_code & X86_PF_WRITE) !== 0) {
    if (maskAnd(vma.vm_flags, VM_SHADOW_STACK) !== 0) return true;
    return (vma.vm_flags & VM_WRITE) === 0;
  }
  if ((error_code & X86_PF_PROT) !== 0) return true;
  return !vma_is_accessible(vma);
}

function segv(
  k: Kernel,
  mm: mm_struct,
  address: number,
  write: boolean,
  signal: string,
  reason: string,
): number {
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.segv',
      { mm: mm.mm_id, address, write, signal, reason },
      'arch/x86/mm/fault.c: do_user_addr_fault',
    );
  }
  return -EFAULT;
}

/**
 * arch/x86/mm/fault.c: do_user_addr_fault(regs, error_code, address): 0 when the access can be
 * retried, -EFAULT for SIGSEGV/SIGBUS, -ENOMEM for OOM, -EINTR when a fatal signal arrived.
 * @fidelity simplified (see the file comment)
 */
export function* do_user_addr_fault(
  k: Kernel,
  task: task_struct,
  address: number,
  error_code: number,
): Sched<number> {
  const mm = task.mm;
  const write = (error_code & X86_PF_WRITE) !== 0;
  if (mm === null) return segv(k, { mm_id: 0 } as mm_struct, address, write, 'SIGSEGV', 'no mm');
  const m = k.m;
  m.enter('arch/x86/mm/fault.c: do_user_addr_fault');
  let flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0);
  let ret = 0;
  for (;;) {
    const vma = yield* lock_mm_and_find_vma(mm, address);
    if (vma === null) {
      ret = segv(k, mm, address, write, 'SIGSEGV', 'SEGV_MAPERR: no VMA');
      break;
    }
    if (access_error(error_code, vma)) {
      yield* mmap_read_unlock(mm);
      ret = segv(k, mm, address, write, 'SIGSEGV', 'SEGV_ACCERR: access_error');
      break;
    }
    const fault = yield* handle_mm_fault(vma, address, flags, task);
    if ((fault & VM_FAULT_RETRY) !== 0 && m.self.fatalSignal) {
      ret = -EINTR;
      break;
    }
    if ((fault & VM_FAULT_COMPLETED) !== 0) break;
    if ((fault & VM_FAULT_RETRY) !== 0) {
      flags |= FAULT_FLAG_TRIED;
      // Before v5.7 (4064b9827063) the retry could not drop mmap_lock again.
      if (m.quirk('kvm-gup-single-retry')) flags &= ~FAULT_FLAG_ALLOW_RETRY;
      continue;
    }
    yield* mmap_read_unlock(mm);
    if ((fault & VM_FAULT_ERROR) !== 0) ret = mm_fault_error(k, mm, address, write, fault);
    break;
  }
  m.leave();
  return ret;
}

/** do_user_addr_fault_solo: the generator must take this fault. */
const NOT_SOLO = 1;

/**
 * do_user_addr_fault for a thread that runs alone (mm/solo.ts) and holds no lock, when the
 * fault is an anonymous fault on a missing PTE (memory.ts: handle_mm_fault_solo_ok): the same
 * steps (mmap_lock for reading, access_error, handle_mm_fault, mm_fault_error) as plain calls,
 * without a generator frame per level. NOT_SOLO, having done nothing, for any other fault.
 * @fidelity custom
 */
function do_user_addr_fault_solo(
  k: Kernel,
  task: task_struct,
  address: number,
  error_code: number,
): number {
  const mm = task.mm;
  const m = k.m;
  if (mm === null || !mm_solo(m)) return NOT_SOLO;
  const t = m.self;
  if (t.held.length !== 0 || t.atomic !== 0 || !mm.mmap_lock.grantable('read', -1)) return NOT_SOLO;
  const vma = find_vma(mm, address);
  if (vma === null || vma.vm_start > address || access_error(error_code, vma)) return NOT_SOLO;
  if (!handle_mm_fault_solo_ok(vma, address)) return NOT_SOLO;
  const write = (error_code & X86_PF_WRITE) !== 0;
  m.enter('arch/x86/mm/fault.c: do_user_addr_fault');
  const flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0);
  if (!solo_down_read(mm.mmap_lock)) throw new Error('do_user_addr_fault_solo: mmap_lock');
  const fault = handle_mm_fault_solo(vma, address, flags, task);
  if ((fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) !== 0)
    throw new Error('do_user_addr_fault_solo: do_anonymous_page asked for a retry');
  if (!solo_up_read(mm.mmap_lock)) throw new Error('do_user_addr_fault_solo: not alone');
  const ret = (fault & VM_FAULT_ERROR) !== 0 ? mm_fault_error(k, mm, address, write, fault) : 0;
  m.leave();
  return ret;
}

/** arch/x86/mm/fault.c: mm_fault_error(regs, address, fault). @fidelity simplified */
function mm_fault_error(
  k: Kernel,
  mm: mm_struct,
  address: number,
  write: boolean,
  fault: number,
): number {
  if ((fault & VM_FAULT_OOM) !== 0) return -ENOMEM;
  if ((fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) !== 0) {
    return segv(
      k,
      mm,
      address,
      write,
      'SIGBUS',
      (fault & VM_FAULT_SIGBUS) !== 0 ? 'VM_FAULT_SIGBUS' : 'VM_FAULT_HWPOISON',
    );
  }
  return segv(k, mm, address, write, 'SIGSEGV', 'VM_FAULT_SIGSEGV');
}

function* access(
  k: Kernel,
  task: task_struct,
  addr: number,
  len: number,
  write: boolean,
  value: number,
  out: number[] | null,
): Sched<number> {
  const mm = task.mm;
  if (mm === null) return -EFAULT;
  if (len === 0) return 0;
  const t: Translation = { leaf: -1, pfn: -1, error: 0 };
  const end = addr + len;
  for (let page = addr - (addr % PAGE_SIZE); page < end; page += PAGE_SIZE) {
    const at = Math.max(page, addr);
    for (;;) {
      if (mm_solo(k.m)) mmu_walk(k, mm, at, write, t);
      else yield* mmu_access(k, mm, at, write, t);
      if (t.pfn >= 0) break;
      let r = do_user_addr_fault_solo(k, task, at, t.error);
      if (r === NOT_SOLO) r = yield* do_user_addr_fault(k, task, at, t.error);
      if (r < 0) return r;
    }
    setAccessedDirty(k, t.leaf, write);
    if (write) k.mem.content[t.pfn] = value;
    else out!.push(k.mem.content[t.pfn]!);
  }
  return 0;
}

/**
 * A user-space store of `value` to [addr, addr+len) by `task` (memset): walks the page tables
 * like the MMU, faulting as needed. 0, or -EFAULT (SIGSEGV/SIGBUS), -ENOMEM, -EINTR.
 * @fidelity simplified (content is one byte per page)
 */
export function user_write(
  k: Kernel,
  task: task_struct,
  addr: number,
  len: number,
  value: number,
): Sched<number> {
  return access(k, task, addr, len, true, value & 0xff, null);
}

/**
 * A user-space load of [addr, addr+len): the content byte of every page touched, in order, or a
 * negative errno as for user_write.
 * @fidelity simplified
 */
export function* user_read(
  k: Kernel,
  task: task_struct,
  addr: number,
  len: number,
): Sched<number[] | number> {
  const out: number[] = [];
  const r = yield* access(k, task, addr, len, false, 0, out);
  return r < 0 ? r : out;
}

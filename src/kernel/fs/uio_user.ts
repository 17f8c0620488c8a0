/**
 * User buffers of a buffered read or write: copy_to_user (may fault: the read path holds no
 * lock), __copy_from_user_inatomic (must not fault: the write path holds the folio lock; a page
 * that is not mapped readable makes the copy short) and fault_in_readable, on top of the x86
 * page walk and fault handler of arch/x86/mm/fault.ts.
 * @fidelity simplified (one value per page; the accessed bit is set by the inatomic read)
 */
import { addr_to_vpn } from '../../mm/layout.js';
import { _PAGE_USER, pmd_leaf, pte_mkyoung, pte_pfn, pte_present } from '../../mm/pgtable_types.js';
import { pmd_lookup, pte_lookup } from '../../mm/pgtable_walk.js';
import type { Sched } from '../../sim/thread.js';
import { X86_PF_USER, do_user_addr_fault, user_write } from '../arch/x86/mm/fault.js';
import type { Kernel } from '../kernel.js';
import type { task_struct } from '../sched/task.js';

/** include/linux/uaccess.h: copy_to_user of one page's value to `addr`: true when done. @fidelity simplified */
export function* copy_to_user(
  k: Kernel,
  task: task_struct,
  addr: number,
  value: number,
): Sched<boolean> {
  return (yield* user_write(k, task, addr, 1, value)) === 0;
}

/** include/linux/uaccess.h: __copy_from_user_inatomic of the page at `addr`: its value, or -1 if it would fault. @fidelity simplified */
export function copy_from_user_inatomic(k: Kernel, task: task_struct, addr: number): number {
  const mm = task.mm;
  if (mm === null) return -1;
  const pool = k.pool;
  const vpn = addr_to_vpn(addr);
  const pmdp = pmd_lookup(pool, mm, vpn);
  if (pmdp < 0) return -1;
  const pmd = pool.get(pmdp);
  if (pmd_leaf(pmd)) {
    if (!pte_present(pmd) || (pmd & _PAGE_USER) === 0) return -1;
    return k.mem.content[pte_pfn(pmd) + (vpn % 512)]!;
  }
  const ptep = pte_lookup(pool, mm, vpn);
  if (ptep < 0) return -1;
  const pte = pool.get(ptep);
  if (!pte_present(pte) || (pte & _PAGE_USER) === 0) return -1;
  pool.set(ptep, pte_mkyoung(pte));
  return k.mem.content[pte_pfn(pte)]!;
}

/** mm/gup.c: fault_in_readable(uaddr, size) for one page: true when it can now be read. @fidelity simplified */
export function* fault_in_readable(k: Kernel, task: task_struct, addr: number): Sched<boolean> {
  if (copy_from_user_inatomic(k, task, addr) >= 0) return true;
  return (yield* do_user_addr_fault(k, task, addr, X86_PF_USER)) === 0;
}

/**
 * include/linux/mmdebug.h: VM_BUG_ON and friends. A broken invariant of the modelled kernel is a
 * model bug (STYLE.md, errors of the third kind): it is thrown, and the runner reports it with
 * the schedule that reproduces it.
 */

/** Thrown when a VM_BUG_ON-style invariant of the memory model fails. */
export class MmBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MmBug';
  }
}

/** include/linux/mmdebug.h: VM_BUG_ON(cond). @fidelity exact (throws instead of oopsing) */
export function VM_BUG_ON(cond: boolean, what: string): void {
  if (cond) throw new MmBug(`VM_BUG_ON: ${what}`);
}

/** mm/page_alloc.c: bad_page(page, reason), reported as a model bug. @fidelity simplified */
export function bad_page(pfn: number, reason: string): never {
  throw new MmBug(`BUG: Bad page state: pfn ${pfn}: ${reason}`);
}

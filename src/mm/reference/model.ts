/**
 * A slow, obviously-correct reference model of what user space can observe of anonymous memory:
 * which pages of each process are mapped with which protection, and what a load of each returns.
 * Plain objects and maps, no page tables, no folios, no COW machinery: private memory is simply
 * a per-process value per page, copied eagerly at fork; shared anonymous memory is one store per
 * mapping object, shared by every process that maps it. The property test
 * (test/property/mm_reference.test.ts) runs random operation sequences on both this model and
 * the kernel model and checks they agree after every step.
 *
 * Semantics (Linux x86-64): a load faults (SIGSEGV) only on an unmapped address or PROT_NONE; a
 * store only on an unmapped address or a mapping without PROT_WRITE. Untouched anonymous memory
 * reads 0. MADV_DONTNEED zeroes private pages and leaves shared ones. fork copies every mapping
 * except MADV_DONTFORK ones; MADV_WIPEONFORK mappings come out empty (zeros) in the child.
 */

export const PAGE = 4096;
export const EFAULT = -14;
export const EINVAL = -22;
export const ENOMEM = -12;

/** One mapped page of a process. */
export interface RefPage {
  prot: number;
  /** For shared mappings: the backing object and the page's offset in it; null for private. */
  shared: { readonly obj: number; readonly index: number } | null;
  /** The private value (ignored for shared pages). */
  value: number;
  dontfork: boolean;
  wipeonfork: boolean;
}

export interface RefProcess {
  readonly pid: number;
  /** Page number -> page. */
  readonly pages: Map<number, RefPage>;
}

const PROT_READ = 1;
const PROT_WRITE = 2;
const PROT_EXEC = 4;

export class ReferenceModel {
  readonly processes = new Map<number, RefProcess>();
  /** Shared object -> page index -> value. */
  readonly objects = new Map<number, Map<number, number>>();
  private nextObj = 1;

  addProcess(pid: number): RefProcess {
    const p: RefProcess = { pid, pages: new Map() };
    this.processes.set(pid, p);
    return p;
  }

  private proc(pid: number): RefProcess {
    const p = this.processes.get(pid);
    if (p === undefined) throw new Error(`no process ${pid}`);
    return p;
  }

  /** mmap at the address the kernel chose (the reference does not allocate addresses). */
  mmap(pid: number, addr: number, len: number, prot: number, shared: boolean): void {
    const p = this.proc(pid);
    const n = Math.ceil(len / PAGE);
    const obj = shared ? this.nextObj++ : 0;
    if (shared) this.objects.set(obj, new Map());
    for (let i = 0; i < n; i++) {
      p.pages.set(addr / PAGE + i, {
        prot,
        shared: shared ? { obj, index: i } : null,
        value: 0,
        dontfork: false,
        wipeonfork: false,
      });
    }
  }

  munmap(pid: number, addr: number, len: number): number {
    if (addr % PAGE !== 0 || len === 0) return EINVAL;
    const p = this.proc(pid);
    for (let vpn = addr / PAGE; vpn < (addr + len) / PAGE; vpn++) p.pages.delete(vpn);
    return 0;
  }

  /** mprotect: applied page by page from start until the first hole (-ENOMEM), like the kernel. */
  mprotect(pid: number, addr: number, len: number, prot: number): number {
    if (addr % PAGE !== 0) return EINVAL;
    if (len === 0) return 0;
    const p = this.proc(pid);
    const end = Math.ceil((addr + len) / PAGE);
    for (let vpn = addr / PAGE; vpn < end; vpn++) {
      const pg = p.pages.get(vpn);
      if (pg === undefined) return ENOMEM;
      pg.prot = prot;
    }
    return 0;
  }

  /** A store to one page: 0 or -EFAULT. */
  store(pid: number, addr: number, value: number): number {
    const pg = this.proc(pid).pages.get(Math.floor(addr / PAGE));
    if (pg === undefined || (pg.prot & PROT_WRITE) === 0) return EFAULT;
    if (pg.shared !== null) this.objects.get(pg.shared.obj)!.set(pg.shared.index, value);
    else pg.value = value;
    return 0;
  }

  /** A load of one page: its value, or -EFAULT. */
  load(pid: number, addr: number): number {
    const pg = this.proc(pid).pages.get(Math.floor(addr / PAGE));
    if (pg === undefined || (pg.prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) === 0) return EFAULT;
    return this.valueOf(pg);
  }

  /** What a load would return, ignoring protection (for comparing state). */
  valueOf(pg: RefPage): number {
    return pg.shared === null
      ? pg.value
      : (this.objects.get(pg.shared.obj)!.get(pg.shared.index) ?? 0);
  }

  /** MADV_DONTNEED: private pages read 0 afterwards; holes give -ENOMEM. */
  dontneed(pid: number, addr: number, len: number): number {
    const p = this.proc(pid);
    let ret = 0;
    for (let vpn = addr / PAGE; vpn < Math.ceil((addr + len) / PAGE); vpn++) {
      const pg = p.pages.get(vpn);
      if (pg === undefined) ret = ENOMEM;
      else if (pg.shared === null) pg.value = 0;
    }
    return ret;
  }

  /** MADV_DONTFORK / MADV_WIPEONFORK (wipe: private pages only, else -EINVAL). */
  advise(pid: number, addr: number, len: number, what: 'dontfork' | 'wipeonfork'): number {
    const p = this.proc(pid);
    const vpns: number[] = [];
    for (let vpn = addr / PAGE; vpn < Math.ceil((addr + len) / PAGE); vpn++)
      if (p.pages.has(vpn)) vpns.push(vpn);
    if (what === 'wipeonfork' && vpns.some((v) => p.pages.get(v)!.shared !== null)) return EINVAL;
    for (const v of vpns) p.pages.get(v)![what] = true;
    return vpns.length === Math.ceil(len / PAGE) ? 0 : ENOMEM;
  }

  fork(pid: number, childPid: number): void {
    const p = this.proc(pid);
    const c = this.addProcess(childPid);
    for (const [vpn, pg] of p.pages) {
      if (pg.dontfork) continue;
      c.pages.set(vpn, { ...pg, value: pg.wipeonfork ? 0 : pg.value });
    }
  }

  exit(pid: number): void {
    this.processes.delete(pid);
  }
}

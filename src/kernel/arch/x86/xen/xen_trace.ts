/**
 * Trace events of the Xen PV model (declaration merging on TraceKinds): the p2m changes the
 * m2p_override makes, the answers of mfn_to_pfn (which struct page a machine frame resolves to,
 * and why), the grant operations and privcmd's buffer locking, for `gupsim explain`.
 * @fidelity custom
 */
declare module '../../../../sim/trace.js' {
  interface TraceKinds {
    /** A p2m entry changed: the pfn, the new entry, and why. */
    'xen.p2m': { pfn: number; entry: string; why: string };
    /** mfn_to_pfn answered: the machine frame, the pfn (-1 for ~0), and the path taken. */
    'xen.mfn_to_pfn': { mfn: number; pfn: number; why: string };
    /** A grant operation: the call, the domain and reference, its status. */
    'xen.grant': { op: string; domid: number; ref: number; frame: number; status: number };
    /** The block path of the 2012 deadlock: a page locked, resolved or dirtied, and why. */
    'xen.blk': { what: string; page: number; why: string };
    /** privcmd: what lock_pages pinned, unlock_pages released, or the hypervisor did. */
    'xen.privcmd': { what: string; pages: number; ret: number; why: string };
  }
}

export {};

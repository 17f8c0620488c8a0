/**
 * GUP trace events (`gup.*`). Each names, in the event's `fn`, the kernel function that made the
 * decision, and in `rule` the kernel rule behind it, so `gupsim explain` can say in one paragraph
 * why a call returned what it did. Emitters test `m.trace.enabled` before building arguments.
 *
 *   gup.call            an entry point starts (api, range, flags, *locked)
 *   gup.return          it returns (value, *locked, and why, when it is an error or partial)
 *   gup.stop            what ended progress in the slow path (rule, errno, address)
 *   gup.fault           faultin_page: the FAULT_FLAG_* chosen and the handler's result
 *   gup.unshare         a R/O pin needs an exclusive anon page first (gup_must_unshare)
 *   gup.fast-bail       the lockless walk stopped at an entry (why)
 *   gup.fast-fallback   the rest of the range goes to the slow path
 *   gup.retry           the fault dropped mmap_lock: re-take it, retry with FOLL_TRIED
 *   gup.longterm-migrate  unpinnable folios are migrated and the range re-pinned
 *   gup.warn            caller misuse the kernel WARNs about
 */
import { follTable } from '../include/gup_flags.js';

declare module '../../sim/trace.js' {
  interface TraceKinds {
    'gup.call': {
      api: string;
      start: number;
      nr_pages: number;
      flags: string;
      locked: number | null;
    };
    'gup.return': { api: string; ret: number; locked: number | null; why: string };
    'gup.stop': { addr: number; errno: number; rule: string };
    'gup.fault': { addr: number; fault_flags: string; result: string; unshare: boolean };
    'gup.unshare': { addr: number; page: number; rule: string };
    'gup.fast-bail': { addr: number; reason: string };
    'gup.fast-fallback': { start: number; nr_pinned: number; remaining: number };
    'gup.retry': { addr: number; reason: string };
    'gup.longterm-migrate': { folios: number[]; result: number; rule: string };
    'gup.warn': { rule: string; message: string };
  }
}

/** `FOLL_WRITE|FOLL_PIN`-style names of a flag word, for events and messages. */
export function follNames(flags: number): string {
  const names = follTable.decode(flags);
  return names.length === 0 ? '0' : names.join('|');
}

/** `0x7f0000001000`-style address, for messages. */
export function hexAddr(addr: number): string {
  return `0x${addr.toString(16)}`;
}

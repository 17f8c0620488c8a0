/**
 * The frame of one GUP entry-point call: the simulated call stack, the `gup.call` and
 * `gup.return` events, the rule that stopped progress, and WARN-class misuse reports. Kernel code
 * records decisions here; `why` in `gup.return` is built from them.
 * @fidelity custom
 */
import { errnoName } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { follNames, hexAddr } from './gup_trace.js';
import { gupState, newTaker, type GupCall } from './gup_state.js';

/** Start an entry point: push it on the call stack, record `gup.call`. */
export function gup_enter(
  k: Kernel,
  api: string,
  start: number,
  nr_pages: number,
  flags: number,
  locked: number | null,
): GupCall {
  const m = k.m;
  const s = gupState(k);
  const fn = gup_fn_name(api);
  const call: GupCall = { api, fn, taker: newTaker(s, m, api, flags), stop: null, notes: null };
  const tid = m.self.id;
  if (s.active[tid] === undefined) s.active[tid] = call;
  m.enter(fn);
  if (m.trace.enabled) {
    m.emit('gup.call', { api, start, nr_pages, flags: follNames(flags), locked }, fn);
  }
  return call;
}

let lastApi = '';
let lastFn = '';

/** `mm/gup.c: <api>`, built once per run of calls to the same entry point. */
function gup_fn_name(api: string): string {
  if (api !== lastApi) {
    lastApi = api;
    lastFn = `mm/gup.c: ${api}`;
  }
  return lastFn;
}

/** Finish an entry point: record `gup.return` (with why, for errors and short counts). */
export function gup_leave<T extends number>(
  k: Kernel,
  call: GupCall,
  ret: T,
  nr_pages: number,
  locked: number | null,
): T {
  const m = k.m;
  const s = gupState(k);
  if (s.active[m.self.id] === call) s.active[m.self.id] = undefined;
  if (m.trace.enabled) {
    const why = explainReturn(call, ret, nr_pages);
    m.emit('gup.return', { api: call.api, ret, locked, why }, call.fn);
  }
  m.leave();
  return ret;
}

function explainReturn(call: GupCall, ret: number, nr_pages: number): string {
  const notes = call.notes !== null ? ` Along the way: ${call.notes.join('; ')}.` : '';
  if (ret >= nr_pages && ret > 0) return notes.trim();
  const stop = call.stop;
  const what =
    ret < 0
      ? `${call.api} returned ${errnoName(ret)}`
      : `${call.api} returned ${ret} of ${nr_pages} pages`;
  if (stop === null) return `${what}.${notes}`;
  const errno = stop.errno < 0 ? ` (${errnoName(stop.errno)})` : '';
  return `${what}: at ${hexAddr(stop.addr)}, ${stop.rule}${errno} [${stop.fn}].${notes}`;
}

/** The call the running thread is in, if any. */
export function gup_current(k: Kernel): GupCall | undefined {
  return gupState(k).active[k.m.self.id];
}

/** Record the rule that ended progress at `addr` (`gup.stop`). */
export function gup_stop(k: Kernel, addr: number, errno: number, rule: string, fn: string): void {
  const call = gup_current(k);
  if (call !== undefined) call.stop = { addr, errno, rule, fn };
  const m = k.m;
  if (m.trace.enabled) m.emit('gup.stop', { addr, errno, rule }, `mm/gup.c: ${fn}`);
}

/** Record a notable decision for the call's explanation. */
export function gup_note(k: Kernel, note: string): void {
  const call = gup_current(k);
  if (call === undefined) return;
  call.notes ??= [];
  if (call.notes.length < 8 && !call.notes.includes(note)) call.notes.push(note);
}

/**
 * WARN_ON_ONCE-class caller misuse: reported as `gup.warn.<rule>` (once per rule and thread) and
 * traced. Returns true, so it reads like the kernel's `if (WARN_ON_ONCE(cond))`.
 */
export function gup_warn(k: Kernel, rule: string, message: string, kernelRule: string): true {
  const m = k.m;
  const id = `gup.warn.${rule}`;
  m.report({ id, message, rule: kernelRule }, `${m.current?.name ?? '-'}\u0000${message}`);
  if (m.trace.enabled) m.emit('gup.warn', { rule: id, message }, kernelRule);
  return true;
}

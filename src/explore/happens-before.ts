/**
 * Happens-before for one execution, from the steps' declared footprints: vector clocks per
 * thread and per step, and for each object the last write and the reads since. Two steps of
 * different threads are dependent when they touch a common object and one writes it (a step
 * declaring EVERYTHING touches every object, as a write).
 *
 * `race(q)` answers the question dynamic partial-order reduction asks at every state (Flanagan
 * and Godefroid, POPL'05): which is the latest step that is dependent with thread q's next step
 * but does not happen before q? Reversing that pair may change the outcome.
 *
 * A step that changes whether another thread can run (a release that wakes a waiter, a signal
 * that interrupts a killable wait) counts as dependent with that thread's next step, whatever
 * the footprints say, so waking and blocking are never reordered behind the explorer's back.
 */
import { Access, EVERYTHING, type ObjId } from '../sim/footprint.js';
import type { Thread } from '../sim/thread.js';
import { MAX_THREADS } from './bits.js';

/** Clock width: one slot per possible thread. */
const W = MAX_THREADS;

interface ObjRecord {
  epoch: number;
  lastWrite: number;
  /** Per thread, its last read since the last write (or an older index, ignored). */
  readonly reads: Int32Array;
}

export class HappensBefore {
  /** Steps recorded so far in this execution. */
  events = 0;
  threads = 0;
  private evThread = new Int32Array(256);
  private evSeq = new Int32Array(256);
  /** The path node that chose each step's thread, or -1 when only one thread could run. */
  private evNode = new Int32Array(256);
  private evClock = new Int32Array(256 * W);
  private readonly clocks = new Int32Array(W * W);
  private readonly lastEvent = new Int32Array(W);
  private readonly enabler = new Int32Array(W);
  private readonly eventsOf: Int32Array[] = [];
  private readonly objects = new Map<ObjId, ObjRecord>();
  /** The object looked up last and its record: steps often touch the object the last one did. */
  private lastObj: ObjId = EVERYTHING;
  private lastRec: ObjRecord | undefined = undefined;
  private lastEverything = -1;
  private epoch = 0;
  /** The records of the step being recorded (reused). */
  private readonly recs: (ObjRecord | null)[] = [];

  /** Forget the previous execution (records are reused, not reallocated). */
  reset(): void {
    this.events = 0;
    this.threads = 0;
    this.lastEverything = -1;
    this.epoch++;
  }

  threadOf(i: number): number {
    return this.evThread[i]!;
  }

  nodeOf(i: number): number {
    return this.evNode[i]!;
  }

  /** Register threads up to `n`; a thread spawned by the last step inherits that step's clock. */
  ensureThreads(n: number): void {
    while (this.threads < n) this.addThread(this.threads++);
  }

  private addThread(r: number): void {
    const parent = this.events - 1;
    for (let i = 0; i < this.events; i++) this.evClock[i * W + r] = 0;
    for (let q = 0; q < r; q++) this.clocks[q * W + r] = 0;
    const row = r * W;
    if (parent >= 0) this.clocks.set(this.evClock.subarray(parent * W, parent * W + W), row);
    else this.clocks.fill(0, row, row + W);
    this.clocks[row + r] = 0;
    this.lastEvent[r] = -1;
    this.enabler[r] = -1;
    if (this.eventsOf.length <= r) this.eventsOf.push(new Int32Array(64));
  }

  /** Step `i` changed whether thread `q` can run. */
  setEnabler(q: number, i: number): void {
    this.enabler[q] = i;
  }

  /** Does step `i` happen before thread `q`'s next step? */
  before(i: number, q: number): boolean {
    const r = this.evThread[i]!;
    return r === q || this.evSeq[i]! <= this.clocks[q * W + r]!;
  }

  /** Record the step thread `t` is about to take; `node` is the path node that chose it. */
  record(t: Thread, node: number): void {
    const k = this.events;
    if (k === this.evThread.length) this.grow();
    const p = t.id;
    const row = p * W;
    this.clocks[row + p] += 1;
    if (this.enabler[p]! >= 0) this.join(row, this.enabler[p]!);
    this.enabler[p] = -1;
    const recs = this.recs;
    for (let f = 0; f < t.fpCount; f++) recs[f] = this.joinAccess(p, t.fpObj[f]!, t.fpAcc[f]!);
    this.evThread[k] = p;
    this.evSeq[k] = this.clocks[row + p]!;
    this.evNode[k] = node;
    this.copyClock(row, k * W);
    this.pushEventOf(p, k);
    this.lastEvent[p] = k;
    for (let f = 0; f < t.fpCount; f++) this.noteAccess(p, k, recs[f] ?? null, t.fpAcc[f]!);
    this.events = k + 1;
  }

  /**
   * The latest step dependent with thread `q`'s next step (its footprint is on `t`) that does
   * not happen before it, or -1.
   */
  race(q: number, t: Thread): number {
    let best = -1;
    const en = this.enabler[q]!;
    if (en >= 0 && !this.before(en, q)) best = en;
    for (let f = 0; f < t.fpCount; f++) {
      const obj = t.fpObj[f]!;
      const i =
        obj === EVERYTHING ? this.raceAll(q, best) : this.raceObj(q, obj, t.fpAcc[f]!, best);
      if (i > best) best = i;
    }
    return best;
  }

  /**
   * Threads in `mask` with a step after step `i` that happens before thread `q`'s next step:
   * with q, the threads that can start a reordering of the race at `i` (the FG05 set E).
   */
  laterBefore(q: number, i: number, mask: number): number {
    let out = 0;
    for (let m = mask; m !== 0; m &= m - 1) {
      const r = 31 - Math.clz32(m & -m);
      const c = this.clocks[q * W + r]!;
      if (r !== q && c >= 1 && this.eventsOf[r]![c - 1]! > i) out |= 1 << r;
    }
    return out;
  }

  private raceAll(q: number, best: number): number {
    for (let r = 0; r < this.threads; r++) {
      const i = this.lastEvent[r]!;
      if (r !== q && i > best && !this.before(i, q)) best = i;
    }
    return best;
  }

  private raceObj(q: number, obj: ObjId, acc: Access, best: number): number {
    const rec = this.find(obj);
    const live = rec !== undefined && rec.epoch === this.epoch;
    const w = Math.max(live ? rec.lastWrite : -1, this.lastEverything);
    if (w > best && !this.before(w, q)) best = w;
    if (acc === Access.Write && live) {
      for (let r = 0; r < this.threads; r++) {
        const i = rec.reads[r]!;
        if (r !== q && i > w && i > best && !this.before(i, q)) best = i;
      }
    }
    return best;
  }

  private copyClock(row: number, to: number): void {
    for (let r = 0; r < this.threads; r++) this.evClock[to + r] = this.clocks[row + r]!;
  }

  private join(row: number, i: number): void {
    const c = this.clocks;
    const e = this.evClock;
    const base = i * W;
    for (let r = 0; r < this.threads; r++) {
      const v = e[base + r]!;
      if (v > c[row + r]!) c[row + r] = v;
    }
  }

  /** Join the clocks of the steps this access depends on; returns the object's record. */
  private joinAccess(p: number, obj: ObjId, acc: Access): ObjRecord | null {
    const row = p * W;
    if (obj === EVERYTHING) {
      for (let r = 0; r < this.threads; r++) {
        const i = this.lastEvent[r]!;
        if (r !== p && i >= 0) this.join(row, i);
      }
      return null;
    }
    const rec = this.recordOf(obj);
    const w = Math.max(rec.lastWrite, this.lastEverything);
    if (w >= 0) this.join(row, w);
    if (acc !== Access.Write) return rec;
    for (let r = 0; r < this.threads; r++) {
      const i = rec.reads[r]!;
      if (r !== p && i > w) this.join(row, i);
    }
    return rec;
  }

  private noteAccess(p: number, k: number, rec: ObjRecord | null, acc: Access): void {
    if (rec === null) this.lastEverything = k;
    else if (acc === Access.Write) rec.lastWrite = k;
    else rec.reads[p] = k;
  }

  private find(obj: ObjId): ObjRecord | undefined {
    if (obj === this.lastObj) return this.lastRec;
    const rec = this.objects.get(obj);
    this.lastObj = obj;
    this.lastRec = rec;
    return rec;
  }

  private recordOf(obj: ObjId): ObjRecord {
    let rec = this.find(obj);
    if (rec === undefined) {
      rec = { epoch: this.epoch, lastWrite: -1, reads: new Int32Array(W).fill(-1) };
      this.objects.set(obj, rec);
      this.lastRec = rec;
    } else if (rec.epoch !== this.epoch) {
      rec.epoch = this.epoch;
      rec.lastWrite = -1;
      rec.reads.fill(-1);
    }
    return rec;
  }

  private pushEventOf(p: number, k: number): void {
    const seq = this.clocks[p * W + p]!;
    let list = this.eventsOf[p]!;
    if (seq > list.length) {
      const bigger = new Int32Array(list.length * 2);
      bigger.set(list);
      this.eventsOf[p] = list = bigger;
    }
    list[seq - 1] = k;
  }

  private grow(): void {
    const n = this.evThread.length * 2;
    this.evThread = extend(this.evThread, n);
    this.evSeq = extend(this.evSeq, n);
    this.evNode = extend(this.evNode, n);
    this.evClock = extend(this.evClock, n * W);
  }
}

function extend(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

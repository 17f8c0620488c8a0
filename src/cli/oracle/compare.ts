/**
 * Comparing what gupsim and the host kernel did: every expectation (matched by thread, step and
 * occurrence) and every bound value that means the same on both sides. Handles (addresses, pids,
 * fds) differ by nature, so only whether the call succeeded, or its errno, is compared for them;
 * page contents and counts are compared exactly.
 *
 *   kind of NAME      NAME                 NAME.ret
 *   value             contents / number    exact
 *   address, fd,      not compared         success or the errno
 *   process
 *   pages             not compared         exact (a partial pin is -EFAULT: io_pin_pages)
 *   pipe, buffers     not compared         exact
 */
import { errnoName } from '../../kernel/include/errno.js';
import { EFAULT } from '../../kernel/include/errno.js';
import type { Binding, ScenarioSpec } from '../../scenario/index.js';
import type { GupsimSide } from './gupsim.js';
import type { HostRun } from './host.js';
import { bindingStep } from '../repro/refusals.js';

export interface Difference {
  readonly what: string;
  readonly gupsim: string;
  readonly host: string;
}

export interface Comparison {
  readonly differences: readonly Difference[];
  /** Expectations one side could not observe, with why. */
  readonly unobservable: readonly string[];
  /** How many expectations and values were compared. */
  readonly compared: number;
}

type Value = number | string | readonly number[] | undefined;

function show(v: Value): string {
  if (v === undefined) return 'unbound';
  if (typeof v === 'number')
    return v < 0 && errnoName(v) !== String(v) ? `-${errnoName(-v)}` : String(v);
  if (typeof v === 'string') return v;
  return `[${v.join(', ')}]`;
}

/** Contents that are one value equal that value (the model binds one value then). */
function normal(v: unknown): Value {
  if (Array.isArray(v)) {
    const list = v as number[];
    return list.length > 0 && list.every((x) => x === list[0]) ? list[0] : list;
  }
  if (typeof v === 'number' || typeof v === 'string') return v;
  return undefined;
}

/** Success or the errno, for a handle's return value (`0x7f...`, `pid 3`, an fd). */
function outcome(v: Value): Value {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && v < 0) return v;
  return 'ok';
}

/** The op of a thread's step at `path` (repeat bodies included). */
function opAt(spec: ScenarioSpec, thread: string, path: readonly number[]): string | undefined {
  let steps = spec.threads.find((t) => t.name === thread)?.steps;
  let op: string | undefined;
  for (const i of path) {
    const step = steps?.[i - 1];
    op = step?.op;
    steps = step?.op === 'repeat' ? (step.args['steps'] as typeof steps) : undefined;
  }
  return op;
}

function expectationDiffs(spec: ScenarioSpec, g: GupsimSide, h: HostRun, c: Collector): void {
  const used = new Set<number>();
  for (const e of g.expectations) {
    const path = e.path ?? [e.step];
    const key = `${e.thread}:${path.join('.')}`;
    const i = h.expectations.findIndex((x, n) => x.key === key && !used.has(n));
    const label = `expect ${key}${e.iteration ? ` #${e.iteration.join('.')}` : ''}`;
    if (i < 0) {
      const op = opAt(spec, e.thread, path);
      if (op !== 'expect')
        c.unobservable.push(
          `${label}: a check inside ${op ?? 'a step'} (${e.message}) has no host counterpart`,
        );
      else c.diff(`${label}: ${e.message}`, e.ok ? 'held' : 'failed', 'not checked');
      continue;
    }
    used.add(i);
    const x = h.expectations[i]!;
    if (x.skip !== undefined) {
      c.unobservable.push(`${label} (${e.message}): ${x.skip}`);
      continue;
    }
    c.compared++;
    if (x.ok !== e.ok)
      c.diff(`${label}: ${e.message}`, e.ok ? 'held' : 'failed', x.ok ? 'held' : 'failed');
  }
  h.expectations.forEach((x, n) => {
    if (!used.has(n))
      c.diff(`expect ${x.key}: ${x.message}`, 'not checked', x.ok ? 'held' : 'failed');
  });
}

class Collector {
  readonly differences: Difference[] = [];
  readonly unobservable: string[] = [];
  compared = 0;

  diff(what: string, gupsim: string, host: string): void {
    this.differences.push({ what, gupsim, host });
  }

  value(what: string, g: Value, h: Value): void {
    if (g === undefined && h === undefined) return;
    this.compared++;
    if (show(g) !== show(h)) this.diff(what, show(g), show(h));
  }
}

/** gupsim's NAME.ret: shown only when it differs from NAME. */
function gupsimRet(results: GupsimSide['results'], name: string): Value {
  return normal(results[`${name}.ret`] ?? results[name]);
}

/** io_uring's pin gives all pages or an errno: a partial count is -EFAULT (io_pin_pages). */
function pinRet(spec: ScenarioSpec, b: Binding, ret: Value): Value {
  const wanted = bindingStep(spec, b)?.args['nr_pages'];
  if (typeof ret !== 'number' || ret < 0 || ret === wanted) return ret;
  return -EFAULT;
}

function valueDiffs(spec: ScenarioSpec, g: GupsimSide, h: HostRun, c: Collector): void {
  for (const b of spec.bindings.values()) {
    if (b.op === null) continue; // processes present at start
    const hostRet = normal(h.bound[`${b.name}.ret`]);
    const ret = gupsimRet(g.results, b.name);
    switch (b.kind) {
      case 'value':
        c.value(b.name, normal(g.results[b.name]), normal(h.bound[b.name]));
        c.value(`${b.name}.ret`, ret, hostRet);
        break;
      case 'address':
      case 'process':
      case 'fd':
        c.value(`${b.name}.ret (success or errno)`, outcome(ret), outcome(hostRet));
        break;
      case 'pages':
        c.value(`${b.name}.ret`, pinRet(spec, b, ret), hostRet);
        break;
      default:
        c.value(`${b.name}.ret`, ret, hostRet);
    }
  }
}

export function compareSides(spec: ScenarioSpec, g: GupsimSide, h: HostRun): Comparison {
  const c = new Collector();
  expectationDiffs(spec, g, h, c);
  valueDiffs(spec, g, h, c);
  return { differences: c.differences, unobservable: c.unobservable, compared: c.compared };
}

/**
 * Footprints of scenario steps, so the explorer's partial-order reduction can reorder steps of
 * different threads that do not interact. A scenario name is a shared object (space
 * `scenario-name`, one index per name of the file, in file order): a step reads the names
 * another thread binds, and the step that binds a name another thread reads writes it, in a
 * step of its own after the operation returns. The start of a step whose executor declares a
 * narrow start (ExecutorOptions.narrowStart) touches only those names and the acting
 * process's mm; any other start touches everything.
 */
import { mmObj } from '../../kernel/objects.js';
import { Process } from '../../kernel/sched/task.js';
import { Access, objectSpace, objId, type ObjId } from '../../sim/footprint.js';
import type { Point } from '../../sim/thread.js';
import type { BindingRef, ScenarioSpec, Step, ThreadSpec } from '../spec.js';
import type { ThreadRun } from './thread-run.js';

const NAME_SPACE = objectSpace('scenario-name');

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refIn(v: unknown): BindingRef | undefined {
  if (!isRecord(v)) return undefined;
  if ('binding' in v) return v as unknown as BindingRef;
  if (v['kind'] === 'ref' && isRecord(v['ref'])) return v['ref'] as unknown as BindingRef;
  return undefined;
}

/** The names a step uses (in its arguments and `process:`), nested step lists excluded. */
export function refsOf(step: Step): BindingRef[] {
  const refs: BindingRef[] = [];
  for (const v of Object.values(step.args)) {
    const r = refIn(v);
    if (r !== undefined) refs.push(r);
  }
  if (step.process !== null) refs.push(step.process);
  return refs;
}

function walk(steps: readonly Step[], visit: (s: Step) => void): void {
  for (const s of steps) {
    visit(s);
    for (const v of Object.values(s.args)) {
      if (Array.isArray(v) && v.every((x) => isRecord(x) && 'op' in x)) walk(v as Step[], visit);
    }
  }
}

/** The scenario's names as shared objects, and which of them another thread reads. */
export class NameObjects {
  private readonly index = new Map<string, number>();
  /** Names some thread other than the binding one uses. */
  readonly shared = new Set<string>();

  constructor(spec: ScenarioSpec) {
    for (const name of spec.bindings.keys()) this.index.set(name, this.index.size);
    for (const t of spec.threads) this.collect(t);
  }

  private collect(t: ThreadSpec): void {
    walk(t.steps, (s) => {
      for (const r of refsOf(s)) {
        if (r.binding.thread !== null && r.binding.thread !== t.name) this.shared.add(r.name);
      }
    });
  }

  obj(name: string): ObjId {
    return objId(NAME_SPACE, this.index.get(name) ?? -1);
  }
}

/** The scheduling point before a step. */
export function startPoint(tr: ThreadRun, step: Step, narrow: boolean): Point {
  const { m } = tr.run;
  const names = tr.names;
  if (!narrow || names === null) return m.point(step.op);
  const mm = startMm(tr, step);
  if (mm === null) return m.point(step.op);
  const p = m.at(step.op, mm, Access.Read);
  for (const r of refsOf(step))
    if (names.shared.has(r.name)) p.also(names.obj(r.name), Access.Read);
  return p;
}

/** The acting process's mm object, or null when it is not known yet (or gone). */
function startMm(tr: ThreadRun, step: Step): ObjId | null {
  let p: unknown = tr.process;
  if (step.process !== null) p = tr.run.lookup(step.process.name)?.outcome.primary;
  if (!(p instanceof Process) || p.mm === null) return null;
  return mmObj(p.mm.mm_id);
}

/** The point before binding `name`, when another thread reads it; null when none does. */
export function bindPoint(tr: ThreadRun, name: string): Point | null {
  if (tr.names === null || !tr.names.shared.has(name)) return null;
  return tr.run.m.at('bind', tr.names.obj(name), Access.Write);
}

/**
 * `gupsim repro`: a scenario as a standalone C program that does it on the real kernel.
 *
 *   refusals.ts  which steps have no exact user-space door, and why (doors.ts: the door map)
 *   order.ts     the order of the step instances (the default schedule, or a recorded run)
 *   plan.ts      which process and thread runs each instance; blocks between turn handoffs
 *   emit/        one module per step group: each operation's C
 *   program.ts   the whole program; prelude.ts its harness; needs.ts what the host must have
 */
import type { ScenarioSpec, SourcePos } from '../../scenario/index.js';
import { hostNeeds, type HostNeeds } from './needs.js';
import { defaultOrder, type StepOrder } from './order.js';
import { planOrder, type Plan } from './plan.js';
import { assemble } from './program/index.js';
import { refusalsOf, renderRefusal, type Refusal } from './refusals.js';

export interface Repro {
  readonly source: string;
  readonly order: StepOrder;
  readonly plan: Plan;
  readonly needs: HostNeeds;
}

export interface ReproOptions {
  /** The order of the steps (default: the default schedule's). */
  readonly order?: StepOrder;
  /** The command line shown in the program's header. */
  readonly command?: string;
}

/** The scenario has steps without an exact door (or an order the host cannot follow). */
export class ReproRefused extends Error {
  override readonly name = 'ReproRefused';
  constructor(readonly refusals: readonly Refusal[]) {
    super(refusals.map(renderRefusal).join('\n'));
  }
}

function refuse(pos: SourcePos, what: string, reason: string): never {
  throw new ReproRefused([{ step: null, pos, what, reason }]);
}

/** The C reproducer of a scenario, or ReproRefused naming every step it cannot do exactly. */
export function generateRepro(spec: ScenarioSpec, options: ReproOptions = {}): Repro {
  const refusals = refusalsOf(spec);
  if (refusals.length > 0) throw new ReproRefused(refusals);
  const order = options.order ?? defaultOrder(spec);
  if ('tooLong' in order)
    refuse(spec.pos, 'repeat', `more than ${order.tooLong} step instances: too long a program`);
  const plan = planOrder(spec, order.instances, order.starts);
  if ('problems' in plan) {
    throw new ReproRefused(
      plan.problems.map((p) => ({
        step: p.inst.step,
        pos: p.inst.step.pos,
        what: `${p.inst.thread}:${p.inst.step.path.join('.')} ${p.inst.step.op}`,
        reason: p.reason,
      })),
    );
  }
  const command = options.command ?? `gupsim repro ${spec.file}`;
  return { source: assemble(spec, plan, order, command), order, plan, needs: hostNeeds(spec) };
}

export { DOORS, type Door } from './doors.js';
export { expectationMessage } from './messages.js';
export { hostNeeds, FS_DIRS, type HostNeeds } from './needs.js';
export {
  defaultOrder,
  instanceLabel,
  orderFromThreads,
  stepLabel,
  type StepInstance,
  type StepOrder,
} from './order.js';
export { refusalsOf, renderRefusal, type Refusal } from './refusals.js';

/** What the parts of a program share while it is written. */
import type { Binding, ScenarioSpec } from '../../../scenario/index.js';
import { pagesOf } from '../emit/context.js';
import type { Defines } from '../flags.js';
import type { HostNeeds } from '../needs.js';
import type { StepOrder } from '../order.js';
import type { Plan } from '../plan.js';
import type { PreludePart } from '../prelude/index.js';
import { bindingStep } from '../refusals.js';

export interface Build {
  readonly spec: ScenarioSpec;
  readonly plan: Plan;
  readonly order: StepOrder;
  readonly defs: Defines;
  readonly parts: Set<PreludePart>;
  readonly needs: HostNeeds;
}

export function slotName(name: string): string {
  return `B_${name}`;
}

/** Pages reserved for a name that holds page contents, or undefined. */
export function contentsCapacity(spec: ScenarioSpec, b: Binding): number | undefined {
  const step = bindingStep(spec, b);
  if (step === undefined) return undefined;
  const a = step.args;
  switch (step.op) {
    case 'read':
    case 'proc_mem_read':
      return pagesOf(a['length'] as number);
    case 'pread':
      return a['addr'] === undefined ? pagesOf(a['length'] as number) : undefined;
    case 'kernel_read': {
      const pin = bindingStep(spec, (a['pages'] as { binding: Binding }).binding);
      return (pin?.args['nr_pages'] as number | undefined) ?? 1;
    }
    case 'pipe_read': {
      const splice = bindingStep(spec, (a['pipe'] as { binding: Binding }).binding);
      return pagesOf((splice?.args['length'] as number | undefined) ?? 4096);
    }
    default:
      return undefined;
  }
}
export function indent(lines: readonly string[], by = '\t'): string[] {
  return lines.map((l) => (l === '' ? l : `${by}${l}`));
}

/**
 * Steps as a person reads them: `pin_user_pages { start: buf, nr_pages: 1, gup_flags:
 * [FOLL_LONGTERM] }`, and step labels (`3`, `3.2 (iteration 4)`). Used in traces, `gupsim
 * explain` and messages.
 */
import type { ArgSpec } from '../args.js';
import type { OperationDescriptor } from '../operation.js';
import { catalogueRegistry } from '../ops/index.js';
import type { Step } from '../spec.js';
import { showSize } from '../values/numbers.js';

/** `3`, `3.2 (iteration 4)`, `3.2.1 (iterations 4, 2)`. */
export function stepLabel(path: readonly number[], iterations: readonly number[]): string {
  const at = path.join('.');
  if (iterations.length === 0) return at;
  const word = iterations.length === 1 ? 'iteration' : 'iterations';
  return `${at} (${word} ${iterations.join(', ')})`;
}

export function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectText(v: Record<string, unknown>): string {
  if (typeof v['text'] === 'string') return v['text']; // address and value expressions
  if (Array.isArray(v['names'])) return `[${(v['names'] as string[]).join(', ')}]`; // flags
  if (typeof v['name'] === 'string' && 'binding' in v) {
    const field = v['field'];
    return typeof field === 'string' ? `${v['name']}.${field}` : v['name']; // a name
  }
  if (typeof v['name'] === 'string') return v['name']; // a constant
  return '{...}';
}

/** One argument value, shown the way a scenario writes it. */
export function argText(value: unknown, spec: ArgSpec<unknown> | undefined): string {
  const label = spec?.type.label ?? '';
  if (spec?.type.nested === true && Array.isArray(value)) {
    return `[${value.length} step${value.length === 1 ? '' : 's'}]`;
  }
  if (typeof value === 'number') {
    if (label === 'size' || label.startsWith('size:')) return showSize(value);
    if (label === 'integer 0 to 255' || label === 'contents') return hex(value);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => argText(v, spec)).join(', ')}]`;
  if (isRecord(value)) return objectText(value);
  return String(value);
}

/** True when `v` is the argument's default, which the scenario need not have written. */
function isDefault(v: unknown, spec: ArgSpec<unknown> | undefined): boolean {
  const fallback = spec?.fallback;
  return fallback !== undefined && JSON.stringify(fallback.value) === JSON.stringify(v);
}

/** The arguments of a step: `{ start: buf, nr_pages: 1 }` (with `process:` when given). */
export function argsText(step: Step, op?: OperationDescriptor): string {
  const desc = op ?? catalogueRegistry.get(step.op);
  const parts = Object.entries(step.args)
    .filter(([k, v]) => v !== undefined && !isDefault(v, desc?.args[k]))
    .map(([k, v]) => `${k}: ${argText(v, desc?.args[k])}`);
  if (step.process !== null) parts.push(`process: ${step.process.name}`);
  if (step.as !== null) parts.push(`as: ${step.as.name}`);
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/** `pin_user_pages { start: buf, nr_pages: 1 }`. */
export function stepText(step: Step): string {
  return `${step.op} ${argsText(step)}`;
}

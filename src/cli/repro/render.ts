/** A step's arguments written back in the scenario's own notation, for comments in the C. */
import { catalogueRegistry, type Step } from '../../scenario/index.js';
import { showBytes, showContents } from './messages.js';

const SIZE_ARGS = new Set(['length', 'offset', 'old_len', 'new_len', 'hugetlb_size']);

function show(key: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    if (key === 'value') return `0x${v.toString(16)}`;
    return SIZE_ARGS.has(key) ? showBytes(v) : String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return key === 'steps' ? undefined : showContents(v as number[]);
  const o = v as Record<string, unknown>;
  if (typeof o['text'] === 'string') return (o['text'] as string).trim();
  if (Array.isArray(o['names'])) return `[${(o['names'] as string[]).join(', ')}]`;
  if (typeof o['name'] === 'string') return o['name'] as string;
  return undefined;
}

/** `{ as: buf, length: 4KiB, prot: [PROT_READ] }`. */
export function renderArgs(step: Step): string {
  const parts: string[] = [];
  if (step.as !== null) parts.push(`as: ${step.as.name}`);
  if (step.process !== null) parts.push(`process: ${step.process.name}`);
  const specs = catalogueRegistry.get(step.op)?.args ?? {};
  for (const [key, value] of Object.entries(step.args)) {
    if (isDefault(specs[key]?.fallback?.value, value)) continue;
    const text = key === 'contents' ? showContents(value as number) : show(key, value);
    if (text !== undefined) parts.push(`${key}: ${text}`);
  }
  return `{ ${parts.join(', ')} }`;
}

/** Arguments left at their default are not shown. */
function isDefault(fallback: unknown, value: unknown): boolean {
  if (fallback === undefined) return false;
  if (fallback === value) return true;
  return JSON.stringify(fallback) === JSON.stringify(value);
}

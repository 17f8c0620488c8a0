/**
 * The message of an expectation that holds, as gupsim's result writes it (src/scenario/exec/
 * expect.ts) and so the reproducer's TAP line:
 *
 *   { value: p.ret, equals: 1 }                          p.ret == 1
 *   { memory: buf+4KiB, length: 4KiB, contents: 0xff }   memory buf+4KiB (4KiB) holds 0xff
 *   { pages: p, contents: [1, 2] }                       pages p hold [0x1, 0x2]
 *
 * (gupsim adds `is false: ...` to one that fails; the reproducer says what it got in a comment.)
 */
import type { AddressExpr, BindingRef, Contents, Step, ValueExpr } from '../../scenario/index.js';
import { showSize } from '../../scenario/values/numbers.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export function showBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB}GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB}MiB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB}KiB`;
  return String(n);
}

function showValue(v: number): string {
  return `0x${v.toString(16)}`;
}

export function showContents(c: Contents): string {
  return typeof c === 'number' ? showValue(c) : `[${c.map(showValue).join(', ')}]`;
}

/** The message of an `expect` step. */
export function expectationMessage(step: Step): string {
  const a = step.args;
  if (a['value'] !== undefined) {
    const value = a['value'] as ValueExpr;
    const equals = a['equals'] as ValueExpr;
    return `${value.text} == ${equals.text}`;
  }
  const contents = showContents(a['contents'] as Contents);
  if (a['memory'] !== undefined) {
    const memory = a['memory'] as AddressExpr;
    return `memory ${memory.text} (${showSize(a['length'] as number)}) holds ${contents}`;
  }
  return `pages ${(a['pages'] as BindingRef).name} hold ${contents}`;
}

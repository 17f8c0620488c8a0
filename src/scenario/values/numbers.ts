/** Integers (decimal or 0x hex) and sizes (bytes, or a number with KiB, MiB, GiB). */
import type { Source } from '../source.js';

const INTEGER = /^[-+]?(0[xX][0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;
const SIZE = /^(0[xX][0-9a-fA-F]+|[0-9]+)\s*(KiB|MiB|GiB)?$/;
const UNITS: Readonly<Record<string, number>> = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };
const WRONG_UNIT = /^[0-9]+\s*([kmgt]i?b?|[KMGT]i?[bB]?|TiB|B)$/;

export const SIZE_FORMS =
  "a byte count (4096, 0x1000) or a number with KiB, MiB or GiB ('4KiB', '2MiB')";
export const INTEGER_FORMS = 'an integer, decimal or 0x hex';

function unsigned(digits: string): number {
  if (/^0[xX]/.test(digits)) return parseInt(digits.slice(2), 16);
  if (digits.startsWith('0o')) return parseInt(digits.slice(2), 8);
  return parseInt(digits, 10);
}

/** 2097152 -> '2MiB'; sizes that are not a whole unit print in bytes. */
export function showSize(bytes: number): string {
  for (const [unit, scale] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return String(bytes);
}

/** An integer from its text, or undefined when the text is not one (or not exact). */
export function integerFromText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed)) return undefined;
  const negative = trimmed.startsWith('-');
  const magnitude = unsigned(trimmed.replace(/^[-+]/, ''));
  if (!Number.isSafeInteger(magnitude)) return undefined;
  return negative ? -magnitude : magnitude;
}

/** A size in bytes from its text, or undefined. */
export function sizeFromText(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const [, digits = '', unit] = match;
  if (unit !== undefined && /^0[xX]/.test(digits)) return undefined;
  const bytes = unsigned(digits) * (unit === undefined ? 1 : (UNITS[unit] ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A hint for `4KB`, `4k`, `4 kib` ...: the unit spelling we accept. */
export function unitHint(text: string): string | undefined {
  const match = WRONG_UNIT.exec(text.trim());
  if (match === null) return undefined;
  const letter = (match[1] ?? '').charAt(0).toUpperCase();
  const unit = { K: 'KiB', M: 'MiB', G: 'GiB' }[letter];
  return unit === undefined ? 'sizes go up to GiB' : `write the unit as '${unit}'`;
}

/** The integer a scalar node holds (YAML number or string text), or undefined. */
export function integerOf(src: Source, node: unknown): number | undefined {
  const s = src.scalar(node);
  if (s === undefined) return undefined;
  if (typeof s.value === 'number') {
    const exact = s.source === null || INTEGER.test(s.source.trim());
    return exact && Number.isSafeInteger(s.value) ? s.value : undefined;
  }
  return typeof s.value === 'string' ? integerFromText(s.value) : undefined;
}

/** The size a scalar node holds, or undefined. */
export function sizeOf(src: Source, node: unknown): number | undefined {
  const s = src.scalar(node);
  if (s === undefined) return undefined;
  if (typeof s.value === 'number') {
    const n = integerOf(src, node);
    return n !== undefined && n >= 0 ? n : undefined;
  }
  return typeof s.value === 'string' ? sizeFromText(s.value) : undefined;
}

/** A size, or an error naming `what` (GS110). */
export function requireSize(src: Source, node: unknown, what: string): number {
  const size = sizeOf(src, node);
  if (size !== undefined) return size;
  const s = src.scalar(node);
  const hint = typeof s?.value === 'string' ? unitHint(s.value) : undefined;
  return src.fail(
    'GS110',
    node,
    `${what} must be a size, found ${src.describe(node)}`,
    SIZE_FORMS,
    hint,
  );
}

/** An integer in [min, max], or an error naming `what` (GS111). */
export function requireInteger(
  src: Source,
  node: unknown,
  what: string,
  min: number,
  max: number,
): number {
  const n = integerOf(src, node);
  const range = `${INTEGER_FORMS} from ${min} to ${max}`;
  if (n === undefined)
    src.fail('GS111', node, `${what} must be an integer, found ${src.describe(node)}`, range);
  if (n < min || n > max) src.fail('GS111', node, `${what} is ${n}, out of range`, range);
  return n;
}

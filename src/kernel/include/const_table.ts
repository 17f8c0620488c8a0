/**
 * Name <-> value tables over kernel constants, so that a scenario can say
 * `[FOLL_WRITE, FOLL_LONGTERM]` and a trace can print a number back as names.
 * Fidelity: custom (gupsim helper, no kernel counterpart).
 */
import { maskAndNot, maskHasAll, maskOr, maskWeight } from './bits.js';

/** `bits`: flags combined with OR. `values`: one value chosen from the list (MADV_*, SIG*). */
export type ConstKind = 'bits' | 'values';

export interface ConstTableSpec {
  /** Short family label used in messages, e.g. `FOLL_*`. */
  readonly family: string;
  /** Kernel header(s) the values come from. */
  readonly header: string;
  readonly kind: ConstKind;
  /** Canonical names in header order. */
  readonly values: Readonly<Record<string, number>>;
  /** Other spellings of the same value (`MAP_ANON` for `MAP_ANONYMOUS`). */
  readonly aliases?: Readonly<Record<string, number>>;
}

export interface ConstTable {
  readonly family: string;
  readonly header: string;
  readonly kind: ConstKind;
  /** Every accepted name: canonical names first, then aliases. */
  readonly names: readonly string[];
  /** Value of a name (canonical or alias), or undefined. */
  valueOf(name: string): number | undefined;
  /** Canonical name of exactly this value, or undefined. */
  nameOf(value: number): string | undefined;
  /** OR of the named values; undefined when a name is unknown. */
  encode(names: readonly string[]): number | undefined;
  /** Names whose bits make up `mask` (widest first); unknown bits as one hex remainder. */
  decode(mask: number): string[];
}

function hex(value: number): string {
  return '0x' + value.toString(16);
}

function decodeBits(canonical: readonly [string, number][], mask: number): string[] {
  if (mask === 0) {
    const zero = canonical.find(([, v]) => v === 0);
    return zero ? [zero[0]] : ['0'];
  }
  const widestFirst = canonical
    .filter(([, v]) => v !== 0)
    .sort((a, b) => maskWeight(b[1]) - maskWeight(a[1]));
  const names: string[] = [];
  let rest = mask;
  for (const [name, value] of widestFirst) {
    if (maskHasAll(rest, value)) {
      names.push(name);
      rest = maskAndNot(rest, value);
    }
  }
  if (rest !== 0) names.push(hex(rest));
  return names;
}

/** Build a table; canonical names win over aliases when printing a value. */
export function constTable(spec: ConstTableSpec): ConstTable {
  const canonical = Object.entries(spec.values);
  const byName = new Map<string, number>([...canonical, ...Object.entries(spec.aliases ?? {})]);
  const byValue = new Map<number, string>();
  for (const [name, value] of canonical) if (!byValue.has(value)) byValue.set(value, name);
  return {
    family: spec.family,
    header: spec.header,
    kind: spec.kind,
    names: [...byName.keys()],
    valueOf: (name) => byName.get(name),
    nameOf: (value) => byValue.get(value),
    encode(names) {
      let mask = 0;
      for (const name of names) {
        const value = byName.get(name);
        if (value === undefined) return undefined;
        mask = maskOr(mask, value);
      }
      return mask;
    },
    decode(mask) {
      if (spec.kind === 'values') return [byValue.get(mask) ?? String(mask)];
      return decodeBits(canonical, mask);
    },
  };
}

/**
 * Step arguments written in TypeScript: the same resolved values the loader produces from YAML
 * (`AddressExpr`, `FlagSet`, `BindingRef` ...), built from names and numbers. The type of a
 * step's arguments follows its operation's descriptor: required arguments are required,
 * arguments with a default or optional may be left out.
 */
import { maskOr } from '../../kernel/include/bits.js';
import type { ArgSpec, ArgSpecs } from '../args.js';
import type { AddressExpr, Binding, BindingKind, BindingRef, ValueExpr } from '../spec.js';
import type { Constant, FlagSet } from '../values/constants.js';
import { scenarioTables } from '../values/constants.js';
import { showSize } from '../values/numbers.js';

type ValueOf<A> = A extends ArgSpec<infer T> ? T : never;
type IsRequired<A> = A extends ArgSpec<unknown, 'required'> ? true : false;

/** The arguments of a step of an operation with argument specs `S`, as TypeScript passes them. */
export type StepArgs<S extends ArgSpecs> = {
  readonly [K in keyof S as IsRequired<S[K]> extends true ? K : never]: ValueOf<S[K]>;
} & {
  readonly [K in keyof S as IsRequired<S[K]> extends true ? never : K]?: ValueOf<S[K]>;
};

const TS_POS = (file: string) => ({ file, line: 0, column: 0 });

/** A binding for a name used from TypeScript (its kind is known only when it runs). */
export function tsBinding(file: string, name: string, kind: BindingKind = 'value'): Binding {
  return { name, kind, fields: ['ret'], op: null, thread: null, seq: -1, pos: TS_POS(file) };
}

function ref(name: string, field: string | null = null): BindingRef {
  return { name, field, binding: tsBinding('', name), pos: TS_POS('') };
}

function constantValue(name: string): number {
  for (const table of scenarioTables) {
    const v = table.valueOf(name);
    if (v !== undefined) return v;
  }
  throw new Error(`unknown kernel constant '${name}' (docs/scenario-format.md#kernel-constants)`);
}

/** Builders for step arguments. */
export const arg = {
  /** An address: a number, or a name bound to an address plus an offset in bytes. */
  address(at: number | string, offset = 0): AddressExpr {
    if (typeof at === 'number')
      return { kind: 'literal', value: at + offset, text: `0x${(at + offset).toString(16)}` };
    const text = offset === 0 ? at : `${at}${offset < 0 ? '-' : '+'}${showSize(Math.abs(offset))}`;
    return { kind: 'ref', ref: ref(at), offset, text };
  },
  /** A value to compare: a number, a list of numbers, a name or `NAME.field`. */
  value(v: number | readonly number[] | string): ValueExpr {
    if (typeof v === 'number') return { kind: 'literal', value: v, text: String(v) };
    if (typeof v !== 'string') return { kind: 'list', values: v, text: `[${v.join(', ')}]` };
    const [name = v, field = null] = v.split('.');
    return { kind: 'ref', ref: ref(name, field), offset: 0, text: v };
  },
  /** A name bound by an earlier step: `arg.name('p')` for `pages: p`. */
  name(name: string): BindingRef {
    return ref(name);
  },
  /** Flags by kernel name: `arg.flags('FOLL_WRITE', 'FOLL_LONGTERM')`. */
  flags(...names: string[]): FlagSet {
    let value = 0;
    for (const n of names) value = maskOr(value, constantValue(n));
    return { value, names };
  },
  /** One kernel constant: `arg.constant('MADV_DONTNEED')`. */
  constant(name: string): Constant {
    return { value: constantValue(name), name };
  },
};

/** The arguments with the descriptor's defaults filled in. */
export function withDefaults(
  specs: ArgSpecs,
  args: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const v = args[key];
    if (v !== undefined) out[key] = v;
    else if (spec.fallback !== undefined) out[key] = spec.fallback.value;
    else if (spec.presence === 'required') throw new Error(`missing required argument '${key}'`);
  }
  return out;
}

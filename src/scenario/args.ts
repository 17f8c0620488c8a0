/**
 * A small typed DSL for operation arguments. Each argument type knows how to check and
 * resolve one YAML node, what it accepts (for messages and docs), and its TypeScript result,
 * so `ResolvedArgs<typeof op.args>` is the type of a loaded step's arguments.
 */
import type { ConstTable } from '../kernel/include/const_table.js';
import type { Source } from './source.js';
import type { AddressExpr, BindingKind, BindingRef, Contents, Step, ValueExpr } from './spec.js';
import { requireConstant, requireFlags, type Constant, type FlagSet } from './values/constants.js';
import {
  ADDRESS_FORMS,
  CONTENTS_FORMS,
  requireAddress,
  requireContents,
  requireValue,
  VALUE_FORMS,
  type NameResolver,
} from './values/expressions.js';
import {
  INTEGER_FORMS,
  requireInteger,
  requireSize,
  showSize,
  SIZE_FORMS,
} from './values/numbers.js';
import { listAccepted } from './suggest.js';

/** What an argument parser may use besides the node itself. */
export interface ArgContext extends NameResolver {
  readonly src: Source;
  /** Parse a nested step list (the body of `repeat`). */
  steps(node: unknown, what: string): readonly Step[];
  /** Check that a thread of this name exists. */
  thread(node: unknown, name: string, what: string): string;
}

export interface ArgType<T> {
  /** A short type name for the docs: `size`, `address`, `FOLL_* list`. */
  readonly label: string;
  /** Accepted forms, for error messages and the docs. */
  readonly accepts: string;
  /** True for `steps`: the loader looks inside it for names bound by nested steps. */
  readonly nested?: true;
  parse(node: unknown, cx: ArgContext, what: string): T;
}

export type Presence = 'required' | 'optional' | 'default';

export interface ArgSpec<T, P extends Presence = Presence> {
  readonly type: ArgType<T>;
  readonly presence: P;
  readonly doc: string;
  /** For `default`: the value used when the argument is absent, and how the docs show it. */
  readonly fallback?: { readonly value: T; readonly text: string };
}

export type ArgSpecs = Readonly<Record<string, ArgSpec<unknown>>>;

type Resolved<A> =
  A extends ArgSpec<infer T, infer P> ? (P extends 'optional' ? T | undefined : T) : never;

/** The resolved arguments of an operation with argument specs `S`. */
export type ResolvedArgs<S extends ArgSpecs> = { readonly [K in keyof S]: Resolved<S[K]> };

export function required<T>(type: ArgType<T>, doc: string): ArgSpec<T, 'required'> {
  return { type, presence: 'required', doc };
}

export function optional<T>(type: ArgType<T>, doc: string): ArgSpec<T, 'optional'> {
  return { type, presence: 'optional', doc };
}

export function withDefault<T>(
  type: ArgType<T>,
  doc: string,
  value: T,
  text: string,
): ArgSpec<T, 'default'> {
  return { type, presence: 'default', doc, fallback: { value, text } };
}

function simple<T>(
  label: string,
  accepts: string,
  parse: (node: unknown, cx: ArgContext, what: string) => T,
): ArgType<T> {
  return { label, accepts, parse };
}

function parseBool(n: unknown, cx: ArgContext, what: string): boolean {
  const value = cx.src.scalar(n)?.value;
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  const problem = `${what} must be true or false, found ${cx.src.describe(n)}`;
  return cx.src.fail('GS115', n, problem, 'true, false, 1, 0');
}

function parseWord<W extends string>(
  words: readonly W[],
  n: unknown,
  cx: ArgContext,
  what: string,
): W {
  const value = cx.src.scalar(n)?.value;
  const found = words.find((w) => w === value);
  if (found !== undefined) return found;
  const problem = `${what} must be one of the accepted words, found ${cx.src.describe(n)}`;
  return cx.src.fail('GS115', n, problem, listAccepted(words));
}

function parseSizeIn(sizes: readonly number[], n: unknown, cx: ArgContext, what: string): number {
  const size = requireSize(cx.src, n, what);
  if (sizes.includes(size)) return size;
  const problem = `${what} is ${showSize(size)}, not a supported size`;
  return cx.src.fail('GS110', n, problem, sizes.map(showSize).join(' or '));
}

function parseEvent(n: unknown, cx: ArgContext, what: string): string {
  const value = cx.src.scalar(n)?.value;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const problem = `${what} must be an event name, found ${cx.src.describe(n)}`;
  return cx.src.fail('GS105', n, problem, 'a word naming the event');
}

function range(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
}

/** Argument types. */
export const t = {
  size: (): ArgType<number> =>
    simple('size', SIZE_FORMS, (n, cx, what) => requireSize(cx.src, n, what)),

  /** A size that must be one of `sizes` (hugetlb page sizes). */
  sizeIn: (sizes: readonly number[]): ArgType<number> => {
    const shown = sizes.map(showSize).join(' or ');
    return simple(`size: ${shown}`, shown, (n, cx, what) => parseSizeIn(sizes, n, cx, what));
  },

  int: (min = 0, max = Number.MAX_SAFE_INTEGER): ArgType<number> =>
    simple(
      `integer ${range(min, max)}`,
      `${INTEGER_FORMS} from ${range(min, max)}`,
      (n, cx, what) => requireInteger(cx.src, n, what, min, max),
    ),

  bool: (): ArgType<boolean> => simple('boolean', 'true or false (or 1 or 0)', parseBool),

  word: <W extends string>(words: readonly W[]): ArgType<W> =>
    simple(words.join(' or '), listAccepted(words), (n, cx, what) => parseWord(words, n, cx, what)),

  text: (): ArgType<string> =>
    simple('string', 'a string', (n, cx, what) => cx.src.string(n, what)),

  flags: (table: ConstTable): ArgType<FlagSet> =>
    simple(`${table.family} list`, `a list of ${table.family} names`, (n, cx, what) =>
      requireFlags(cx.src, n, table, what),
    ),

  constant: (table: ConstTable): ArgType<Constant> =>
    simple(`one ${table.family}`, `one ${table.family} name`, (n, cx, what) =>
      requireConstant(cx.src, n, table, what),
    ),

  address: (): ArgType<AddressExpr> =>
    simple('address', ADDRESS_FORMS, (n, cx, what) => requireAddress(cx.src, cx, n, what)),

  value: (): ArgType<ValueExpr> =>
    simple('value', VALUE_FORMS, (n, cx, what) => requireValue(cx.src, cx, n, what)),

  contents: (): ArgType<Contents> =>
    simple('contents', CONTENTS_FORMS, (n, cx, what) => requireContents(cx.src, n, what)),

  /** A name bound to a value of one of `kinds` (`pages: p` needs a GUP step's `as:`). */
  ref: (...kinds: BindingKind[]): ArgType<BindingRef> =>
    simple(`${kinds.join(' or ')} name`, `a name bound to ${kinds.join(' or ')}`, (n, cx, what) =>
      cx.ref(n, cx.src.string(n, what), null, kinds, what),
    ),

  thread: (): ArgType<string> =>
    simple('thread name', 'the name of a thread', (n, cx, what) =>
      cx.thread(n, cx.src.string(n, what), what),
    ),

  event: (): ArgType<string> => simple('event name', 'an event name (a word)', parseEvent),

  steps: (): ArgType<readonly Step[]> => ({
    label: 'list of steps',
    accepts: 'a list of steps',
    nested: true,
    parse: (n, cx, what) => cx.steps(n, what),
  }),
};

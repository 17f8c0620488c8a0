/**
 * Address and value expressions: `buf`, `buf+4KiB`, `p.ret`, `-EFAULT`, `0x7f0000000000`,
 * `[1, 2]`; page contents (`0xff` or a per-page list).
 */
import { errnoTable, errnoValue } from '../../kernel/include/errno.js';
import type { Source } from '../source.js';
import type { AddressExpr, BindingKind, BindingRef, Contents, ValueExpr } from '../spec.js';
import { closest } from '../suggest.js';
import { integerOf, sizeFromText, sizeOf } from './numbers.js';

/** How expressions turn names into bindings (with the scope and order checks). */
export interface NameResolver {
  ref(
    node: unknown,
    name: string,
    field: string | null,
    kinds: readonly BindingKind[] | null,
    what: string,
  ): BindingRef;
}

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\s*([+-])\s*(\S.*))?$/;
const ERRNO = /^-E[A-Z0-9_]+$/;

export const ADDRESS_FORMS =
  "an address: NAME, NAME+OFFSET or NAME-OFFSET ('buf+4KiB'), or a number";
export const VALUE_FORMS =
  "a number (decimal, 0x hex, or a size), an errno ('-EFAULT'), NAME, NAME.field ('p.ret'), " +
  'NAME+OFFSET, or a list of numbers';
export const CONTENTS_FORMS = 'a page value from 0 to 255, or a list of them (one per page)';

interface RefSyntax {
  readonly name: string;
  readonly field: string | null;
  readonly offset: number;
}

function refSyntax(src: Source, node: unknown, text: string): RefSyntax | undefined {
  const m = REF.exec(text.trim());
  if (m === null) return undefined;
  const [, name = '', field, sign, offsetText] = m;
  if (offsetText === undefined) return { name, field: field ?? null, offset: 0 };
  const offset = sizeFromText(offsetText);
  if (offset === undefined) {
    src.fail(
      'GS114',
      node,
      `'${offsetText}' in '${text}' is not an offset`,
      'a size such as 4KiB or 0x1000',
    );
  }
  return { name, field: null, offset: sign === '-' ? -offset : offset };
}

function errnoLiteral(src: Source, node: unknown, text: string): number {
  const value = errnoValue(text);
  if (value !== undefined) return value;
  const match = closest(text.slice(1), errnoTable.names);
  return src.fail(
    'GS113',
    node,
    `unknown errno '${text}'`,
    "a kernel errno name with its sign, such as '-EFAULT'",
    match === undefined ? undefined : `did you mean '-${match}'?`,
  );
}

/** An address argument (`addr`, `start`, `memory`). */
export function requireAddress(
  src: Source,
  names: NameResolver,
  node: unknown,
  what: string,
): AddressExpr {
  const s = src.scalar(node);
  const literal = sizeOf(src, node);
  if (s !== undefined && literal !== undefined)
    return { kind: 'literal', value: literal, text: s.source ?? String(s.value) };
  const text = typeof s?.value === 'string' ? s.value : undefined;
  const syntax = text === undefined ? undefined : refSyntax(src, node, text);
  if (text === undefined || syntax === undefined || syntax.field !== null) {
    return src.fail(
      'GS114',
      node,
      `${what} must be an address, found ${src.describe(node)}`,
      ADDRESS_FORMS,
    );
  }
  const ref = names.ref(node, syntax.name, null, ['address'], what);
  return { kind: 'ref', ref, offset: syntax.offset, text };
}

function listValue(src: Source, node: unknown, what: string): ValueExpr {
  const values = src.items(node, what).map((item) => {
    const n = integerOf(src, item);
    if (n === undefined) src.fail('GS111', item, `${what} lists ${src.describe(item)}`, 'integers');
    return n;
  });
  return { kind: 'list', values, text: `[${values.join(', ')}]` };
}

function textValue(
  src: Source,
  names: NameResolver,
  node: unknown,
  text: string,
  what: string,
): ValueExpr {
  if (ERRNO.test(text.trim()))
    return { kind: 'literal', value: errnoLiteral(src, node, text.trim()), text };
  const number = integerOf(src, node) ?? sizeFromText(text);
  if (number !== undefined) return { kind: 'literal', value: number, text };
  const syntax = refSyntax(src, node, text);
  if (syntax === undefined) return src.fail('GS114', node, `'${text}' is not a value`, VALUE_FORMS);
  const kinds: readonly BindingKind[] | null = syntax.offset === 0 ? null : ['address'];
  const ref = names.ref(node, syntax.name, syntax.field, kinds, what);
  return { kind: 'ref', ref, offset: syntax.offset, text };
}

/** A value to compare (`expect: { value, equals }`). */
export function requireValue(
  src: Source,
  names: NameResolver,
  node: unknown,
  what: string,
): ValueExpr {
  if (src.isList(node)) return listValue(src, node, what);
  const s = src.scalar(node);
  if (typeof s?.value === 'string') return textValue(src, names, node, s.value, what);
  const n = integerOf(src, node);
  if (n === undefined)
    src.fail('GS114', node, `${what} must be a value, found ${src.describe(node)}`, VALUE_FORMS);
  return { kind: 'literal', value: n, text: String(s?.source ?? n) };
}

function pageValue(src: Source, node: unknown, what: string): number {
  const n = integerOf(src, node);
  if (n === undefined || n < 0 || n > 255) {
    src.fail(
      'GS111',
      node,
      `${what} must be a page value, found ${src.describe(node)}`,
      CONTENTS_FORMS,
    );
  }
  return n;
}

/** Page contents: one value for every page, or a non-empty list with one value per page. */
export function requireContents(src: Source, node: unknown, what: string): Contents {
  if (!src.isList(node)) return pageValue(src, node, what);
  const items = src.items(node, what);
  if (items.length === 0) src.fail('GS111', node, `${what} is an empty list`, CONTENTS_FORMS);
  return items.map((item) => pageValue(src, item, what));
}

/** Kernel constant names in scenarios: flag lists (`[MAP_PRIVATE, MAP_ANONYMOUS]`) and single values. */
import type { ConstTable } from '../../kernel/include/const_table.js';
import { maskOr } from '../../kernel/include/bits.js';
import { fallocTable } from '../../kernel/include/falloc.js';
import { openTable } from '../../kernel/include/fcntl.js';
import { follTable } from '../../kernel/include/gup_flags.js';
import { kvmMemTable } from '../../kernel/include/kvm.js';
import { mfdTable } from '../../kernel/include/memfd.js';
import { madvTable, mapTable, mremapTable, protTable } from '../../kernel/include/mman.js';
import { signalTable } from '../../kernel/include/signal.js';
import { iterDirectionTable } from '../../kernel/include/uio.js';
import {
  uffdContinueModeTable,
  uffdCopyModeTable,
  uffdFeatureTable,
  uffdFlagTable,
  uffdRegisterModeTable,
  uffdWriteprotectModeTable,
  uffdZeropageModeTable,
} from '../../kernel/include/userfaultfd.js';
import type { Source } from '../source.js';
import { closest, listAccepted } from '../suggest.js';
import { integerOf } from './numbers.js';

/** A flag argument resolved: the OR of the values, and the names as written. */
export interface FlagSet {
  readonly value: number;
  readonly names: readonly string[];
}

/** A single-valued constant argument (`advice: MADV_DONTNEED`). */
export interface Constant {
  readonly value: number;
  readonly name: string;
}

/** The tables a scenario may name constants from. */
export const scenarioTables: readonly ConstTable[] = [
  follTable,
  protTable,
  mapTable,
  madvTable,
  mremapTable,
  openTable,
  mfdTable,
  fallocTable,
  signalTable,
  uffdFlagTable,
  uffdFeatureTable,
  uffdRegisterModeTable,
  uffdCopyModeTable,
  uffdZeropageModeTable,
  uffdWriteprotectModeTable,
  uffdContinueModeTable,
  kvmMemTable,
  iterDirectionTable,
];

const DOCS = 'docs/scenario-format.md#kernel-constants';

function otherFamily(name: string, table: ConstTable): ConstTable | undefined {
  return scenarioTables.find((t) => t !== table && t.valueOf(name) !== undefined);
}

function unknownName(
  src: Source,
  node: unknown,
  name: string,
  table: ConstTable,
  what: string,
): never {
  const other = otherFamily(name, table);
  const accepted =
    table.names.length > 12
      ? `one of the ${table.names.length} ${table.family} names listed in ${DOCS}`
      : `${table.family} names: ${listAccepted(table.names)}`;
  if (other !== undefined) {
    src.fail(
      'GS112',
      node,
      `'${name}' is a ${other.family} constant, but ${what} takes ${table.family}`,
      accepted,
    );
  }
  const match = closest(name, table.names);
  const hint = match === undefined ? undefined : `did you mean '${match}'?`;
  return src.fail('GS112', node, `unknown constant '${name}' in ${what}`, accepted, hint);
}

/** One name of `table`, e.g. an madvise advice. */
export function requireConstant(
  src: Source,
  node: unknown,
  table: ConstTable,
  what: string,
): Constant {
  const s = src.scalar(node);
  if (s === undefined || typeof s.value !== 'string') {
    src.fail(
      'GS105',
      node,
      `${what} must be one ${table.family} name, found ${src.describe(node)}`,
      `a ${table.family} name (docs/scenario-format.md#kernel-constants)`,
    );
  }
  const value = table.valueOf(s.value);
  if (value === undefined) return unknownName(src, node, s.value, table, what);
  return { value, name: s.value };
}

function flagItem(src: Source, node: unknown, table: ConstTable, what: string): Constant {
  const raw = integerOf(src, node);
  if (raw !== undefined && raw >= 0) return { value: raw, name: '0x' + raw.toString(16) };
  return requireConstant(src, node, table, what);
}

/**
 * A list of names of `table` (a single name is taken as a one-name list). A non-negative
 * integer item is taken as raw bits, so a scenario can pass bits no name covers.
 */
export function requireFlags(src: Source, node: unknown, table: ConstTable, what: string): FlagSet {
  const items = src.isList(node) ? src.items(node, what) : [node];
  let value = 0;
  const names: string[] = [];
  for (const item of items) {
    const flag = flagItem(src, item, table, what);
    value = maskOr(value, flag.value);
    names.push(flag.name);
  }
  return { value, names };
}

/**
 * What a step emitter gets: the step, where it runs, and helpers that write its arguments as C.
 * An emitter returns the C statements of one step; the program wraps them in a block, so they
 * may declare locals. A step that binds a name ends with `bind(...)` or `bind_pages(...)`.
 */
import type {
  AddressExpr,
  BindingRef,
  Contents,
  FsType,
  ScenarioSpec,
  Step,
  ValueExpr,
} from '../../../scenario/index.js';
import type { Defines } from '../flags.js';
import type { PlannedStep } from '../plan.js';
import type { PreludePart } from '../prelude/index.js';
import { KVM_FIELDS } from './kvm_fields.js';
import { UFFD_FIELDS } from './uffd_fields.js';

export interface StepCx {
  readonly spec: ScenarioSpec;
  readonly step: Step;
  readonly planned: PlannedStep;
  readonly defs: Defines;
  /** `main:5 (line 12)`: how TAP lines and bail-outs name the step. */
  readonly where: string;
  /** The slot of a name: `B_buf`. */
  slot(name: string): string;
  /** The slot of the step's `as:` name, or undefined. */
  readonly bound: string | undefined;
  /** Asks for a part of the prelude. */
  need(part: PreludePart): void;
  /** The file-system directory object of `fs`: `&fs_ext4`. */
  fsDir(fs: FsType): string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A size in bytes as C: `(2 * MiB)`, `(16 * KiB)`, `4096UL`. */
export function cSize(n: number): string {
  if (n >= GiB && n % GiB === 0) return `(${n / GiB} * GiB)`;
  if (n >= MiB && n % MiB === 0) return `(${n / MiB} * MiB)`;
  if (n >= KiB && n % KiB === 0) return `(${n / KiB} * KiB)`;
  return `${n}UL`;
}

/** A byte value as C: `0x11`. */
export function cByte(v: number): string {
  return `0x${v.toString(16)}`;
}

/** A C string literal. */
export function cString(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** Text safe inside a C block comment. */
export function cComment(s: string): string {
  return s.replace(/\*\//g, '* /');
}

/** An address argument: `ADDR(B_buf, 4096)`; a literal can only be 0 (NULL) after refusals. */
export function cAddr(cx: StepCx, e: AddressExpr): string {
  if (e.kind === 'literal') return e.value === 0 ? 'NULL' : `((char *)(uintptr_t)${e.value}UL)`;
  return `ADDR(${cx.slot(e.ref.name)}, ${e.offset})`;
}

/** A number held by a name (an fd, a pid): `(int)S->b[B_f].value`. */
export function cHandle(cx: StepCx, ref: BindingRef, type = 'int'): string {
  const field = ref.field === null ? undefined : UFFD_FIELDS[ref.field]; // `uffd: ev.ufd`
  if (field !== undefined) return `(${type})S->b[${cx.slot(ref.name)}].field[${field}]`;
  return `(${type})S->b[${cx.slot(ref.name)}].value`;
}

const ERRNO_TEXT = /^\s*-(E[A-Z0-9_]+)\s*$/;

/** A value of an expectation as a C `struct val`. */
export function cValue(cx: StepCx, e: ValueExpr): string {
  if (e.kind === 'list')
    return `contents((const int16_t[]){ ${e.values.join(', ')} }, ${e.values.length})`;
  if (e.kind === 'literal') {
    const errno = ERRNO_TEXT.exec(e.text);
    if (errno?.[1] !== undefined) return `scalar(-${cx.defs.use(errno[1], -e.value)})`;
    return `scalar(${e.value}LL)`;
  }
  const slot = cx.slot(e.ref.name);
  if (e.ref.field === 'ret') return `ret_of(${slot})`;
  const field =
    e.ref.field === null ? undefined : (UFFD_FIELDS[e.ref.field] ?? KVM_FIELDS[e.ref.field]);
  if (field !== undefined) return `scalar(S->b[${slot}].field[${field}] + ${e.offset})`;
  if (e.offset !== 0) return `scalar(value_of(${slot}).v + ${e.offset})`;
  return `value_of(${slot})`;
}

/** Expected page contents as a C `struct val`. */
export function cContents(c: Contents): string {
  if (typeof c === 'number') return `scalar(${cByte(c)})`;
  return `contents((const int16_t[]){ ${c.map(cByte).join(', ')} }, ${c.length})`;
}

/** `bind(B_x, value, ret);` when the step binds a name. */
export function bindLines(cx: StepCx, value: string, ret: string): string[] {
  if (cx.bound !== undefined) return [`bind(${cx.bound}, ${value}, ${ret});`];
  return /\br\b/.test(ret) ? ['(void)r; /* not bound */'] : [];
}

/** The number of 4 KiB pages of `bytes` (the last one partial). */
export function pagesOf(bytes: number): number {
  return Math.ceil(bytes / 4096);
}

/** The C function a scenario process runs: `process_child`. */
export function processFn(name: string): string {
  return `process_${name}`;
}

/** The C function a scenario thread runs: `thread_main`. */
export function threadFn(name: string): string {
  return `thread_${name}`;
}

export type Emitter = (cx: StepCx) => string[];

/**
 * Operation descriptors: what a step may be called, its arguments, and what its `as:` name
 * binds. The loader validates steps against a registry of descriptors it is given; the
 * interpreter passes only the operations the model implements.
 */
import type { ArgSpecs, ResolvedArgs } from './args.js';
import type { ErrorCode } from './errors.js';
import type { BindingKind, Step } from './spec.js';

/** The groups of the Steps table of the format. */
export type OperationGroup =
  | 'address space'
  | 'processes'
  | 'user memory'
  | 'files'
  | 'GUP'
  | 'through a pin'
  | 'consumers'
  | 'mm events'
  | 'userfaultfd'
  | 'locks'
  | 'sync';

/** A field `NAME.field` of a binding, beyond `ret` which every binding has. */
export interface FieldSpec {
  readonly name: string;
  readonly doc: string;
  /** The field exists only when the binding step passes this argument. */
  readonly whenArg?: string;
}

export interface BindSpec {
  /** What `NAME` alone stands for. */
  readonly kind: BindingKind;
  readonly doc: string;
  readonly fields?: readonly FieldSpec[];
}

/** Lets `refine` reject combinations of arguments, pointing at one of them. */
export interface RefineContext {
  /** True when the step wrote this argument. */
  has(arg: string): boolean;
  /** The paths declared under `files`. */
  readonly files: ReadonlySet<string>;
  /** Fail at the argument (or at the step when `arg` is null). */
  fail(code: ErrorCode, arg: string | null, problem: string, accepted: string): never;
}

export interface OperationDescriptor<S extends ArgSpecs = ArgSpecs> {
  readonly name: string;
  readonly group: OperationGroup;
  /** One sentence for the docs. */
  readonly doc: string;
  /** The kernel function or system call it drives, `file: function`. */
  readonly kernel: string;
  /** Arguments besides `process` and `as`, which every operation takes. */
  readonly args: S;
  /** What `as:` binds; default: the return value. */
  readonly binds?: BindSpec;
  /** A step may be written `op: VALUE`, filling this argument (`signal: ready`). */
  readonly shorthand?: string;
  /** A one-line YAML example for the docs. */
  readonly example: string;
  /** Checks across arguments, after each one has been parsed on its own. */
  refine?(args: ResolvedArgs<S>, cx: RefineContext): void;
}

/** The binding of an operation with no `binds`: its return value. */
export const RETURN_VALUE: BindSpec = { kind: 'value', doc: 'the return value' };

/** Identity with inference, so `ResolvedArgs<typeof op.args>` keeps the argument types. */
export function defineOperation<const S extends ArgSpecs>(
  op: OperationDescriptor<S> & { readonly shorthand?: string & keyof S },
): OperationDescriptor<S> {
  return op;
}

export type OperationRegistry = ReadonlyMap<string, OperationDescriptor>;

/** A registry from descriptors; a name defined twice is a programming error. */
export function operationRegistry(ops: Iterable<OperationDescriptor>): OperationRegistry {
  const registry = new Map<string, OperationDescriptor>();
  for (const op of ops) {
    if (registry.has(op.name)) throw new Error(`operation '${op.name}' defined twice`);
    registry.set(op.name, op);
  }
  return registry;
}

/** A loaded step's arguments typed by its descriptor; throws when the step is another op. */
export function argsOf<S extends ArgSpecs>(
  step: Step,
  op: OperationDescriptor<S>,
): ResolvedArgs<S> {
  if (step.op !== op.name) throw new Error(`step is '${step.op}', not '${op.name}'`);
  return step.args as ResolvedArgs<S>;
}

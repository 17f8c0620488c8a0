/**
 * Pass 1 over the threads: the shape of every step (one known operation, known arguments,
 * required ones present) and every name it binds, so that pass 2 can resolve names used
 * before (in file order) the step that binds them in another thread.
 */
import type { ArgSpec } from './args.js';
import { fixedKeys } from './keys.js';
import type { NameTable } from './names.js';
import { RETURN_VALUE, type OperationDescriptor, type OperationRegistry } from './operation.js';
import { catalogueRegistry } from './ops/index.js';
import type { Entry, Source } from './source.js';
import type { Binding } from './spec.js';
import { didYouMean, listAccepted } from './suggest.js';
import { NAME_PATTERN } from './values/expressions.js';

/** `repeat` inside `repeat` inside ... at most this deep. */
export const MAX_NESTING = 8;
const THREAD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const STEP_KEYS = ['process', 'as'];
const OPERATIONS_DOC = 'docs/scenario-format.md#operations';

export interface StepOutline {
  readonly op: OperationDescriptor;
  /** The operation key: where the step is reported. */
  readonly opKey: unknown;
  /** The arguments written, `process` and `as` excluded. */
  readonly args: ReadonlyMap<string, Entry>;
  readonly process: Entry | null;
  readonly as: Binding | null;
  readonly thread: string;
  readonly seq: number;
  readonly path: readonly number[];
  /** Outlines of nested step lists (repeat bodies), by the node of the list. */
  readonly nested: ReadonlyMap<unknown, readonly StepOutline[]>;
}

export interface ThreadOutline {
  readonly name: string;
  readonly keyNode: unknown;
  readonly process: Entry | null;
  readonly steps: readonly StepOutline[];
}

interface Walk {
  readonly src: Source;
  readonly names: NameTable;
  readonly registry: OperationRegistry;
  readonly thread: string;
  seq: number;
}

function operation(w: Walk, key: string, keyNode: unknown): OperationDescriptor {
  const op = w.registry.get(key);
  if (op !== undefined) return op;
  if (catalogueRegistry.has(key)) {
    w.src.fail(
      'GS132',
      keyNode,
      `operation '${key}' is outside the operation set this scenario is loaded with (the caller chose a smaller registry)`,
      `an operation the model implements (${OPERATIONS_DOC})`,
    );
  }
  return w.src.fail(
    'GS131',
    keyNode,
    `unknown operation '${key}'`,
    `an operation of scenario format v1 (${OPERATIONS_DOC})`,
    didYouMean(key, w.registry.keys()),
  );
}

/** The step map split into the operation key and the step-level `process` / `as`. */
function stepKeys(w: Walk, node: unknown): { opEntry: Entry; extra: Entry[] } {
  if (!w.src.isMap(node)) {
    w.src.fail(
      'GS130',
      node,
      `a step must be a map, found ${w.src.describe(node)}`,
      '{ OPERATION: { ARGUMENTS } }',
    );
  }
  const entries = w.src.entries(node, 'a step');
  const ops = entries.filter((e) => !STEP_KEYS.includes(e.key));
  if (ops.length !== 1) {
    const found =
      ops.length === 0
        ? 'no operation'
        : `${ops.length} operations (${ops.map((e) => e.key).join(', ')})`;
    w.src.fail(
      'GS130',
      ops[1]?.keyNode ?? node,
      `a step has ${found}`,
      'one operation key, plus optional process and as',
    );
  }
  return { opEntry: ops[0]!, extra: entries.filter((e) => STEP_KEYS.includes(e.key)) };
}

/** The argument entries of a step: a map, nothing, or the shorthand scalar (`signal: go`). */
function argEntries(w: Walk, op: OperationDescriptor, opEntry: Entry): Entry[] {
  const value = w.src.deref(opEntry.value);
  if (value === null || w.src.scalar(value)?.value === null) return [];
  if (w.src.isMap(value)) return w.src.entries(value, `the arguments of ${op.name}`);
  if (op.shorthand !== undefined && !w.src.isList(value))
    return [{ key: op.shorthand, keyNode: opEntry.keyNode, value }];
  return w.src.fail(
    'GS105',
    opEntry.value,
    `the arguments of ${op.name} must be a map, found ${w.src.describe(value)}`,
    `{ ${Object.keys(op.args).join(', ')} }`,
  );
}

function checkArgs(
  w: Walk,
  op: OperationDescriptor,
  opKey: unknown,
  args: Map<string, Entry>,
): void {
  const accepted = [...Object.keys(op.args), ...STEP_KEYS];
  for (const [key, entry] of args) {
    if (!Object.hasOwn(op.args, key)) {
      w.src.fail(
        'GS133',
        entry.keyNode,
        `${op.name} has no argument '${key}'`,
        listAccepted(accepted),
        didYouMean(key, accepted),
      );
    }
  }
  for (const [key, spec] of Object.entries(op.args) as [string, ArgSpec<unknown>][]) {
    if (spec.presence === 'required' && !args.has(key)) {
      w.src.fail(
        'GS134',
        opKey,
        `${op.name} needs argument '${key}' (${spec.doc})`,
        spec.type.accepts,
      );
    }
  }
}

function bindName(
  w: Walk,
  op: OperationDescriptor,
  asEntry: Entry,
  args: ReadonlyMap<string, Entry>,
  seq: number,
): Binding {
  const name = w.src.string(asEntry.value, 'as');
  if (!NAME_PATTERN.test(name)) {
    w.src.fail(
      'GS124',
      asEntry.value,
      `'${name}' is not a name`,
      'letters, digits and _, not starting with a digit',
    );
  }
  const binds = op.binds ?? RETURN_VALUE;
  const fields = (binds.fields ?? [])
    .filter((f) => f.whenArg === undefined || args.has(f.whenArg))
    .map((f) => f.name);
  const binding: Binding = {
    name,
    kind: binds.kind,
    fields: ['ret', ...fields],
    op: op.name,
    thread: w.thread,
    seq,
    pos: w.src.pos(asEntry.value),
  };
  w.names.define(binding, asEntry.value);
  return binding;
}

/** `process` and `as` may sit in the argument map or beside the operation key, not both. */
function special(w: Walk, key: string, inArgs: Entry | undefined, beside: Entry[]): Entry | null {
  const outside = beside.find((e) => e.key === key);
  if (inArgs !== undefined && outside !== undefined) {
    w.src.fail(
      'GS135',
      outside.keyNode,
      `'${key}' is given twice for one step`,
      `'${key}' once, inside or beside the arguments`,
    );
  }
  return inArgs ?? outside ?? null;
}

function outlineStep(w: Walk, node: unknown, path: readonly number[], depth: number): StepOutline {
  const seq = w.seq++;
  const asText = w.src.scalar(node);
  const { opEntry, extra } =
    typeof asText?.value === 'string'
      ? { opEntry: { key: asText.value, keyNode: node, value: null }, extra: [] }
      : stepKeys(w, node);
  const op = operation(w, opEntry.key, opEntry.keyNode);
  const args = new Map(argEntries(w, op, opEntry).map((e) => [e.key, e]));
  const process = special(w, 'process', args.get('process'), extra);
  const asEntry = special(w, 'as', args.get('as'), extra);
  args.delete('process');
  args.delete('as');
  checkArgs(w, op, opEntry.keyNode, args);
  const as = asEntry === null ? null : bindName(w, op, asEntry, args, seq);
  const nested = new Map<unknown, readonly StepOutline[]>();
  for (const [key, entry] of args) {
    if (Object.hasOwn(op.args, key) && op.args[key]?.type.nested)
      nested.set(entry.value, outlineList(w, entry.value, path, depth + 1));
  }
  return { op, opKey: opEntry.keyNode, args, process, as, thread: w.thread, seq, path, nested };
}

/** Outline a list of steps (a thread's, or a repeat body at `depth` > 0). */
function outlineList(
  w: Walk,
  node: unknown,
  prefix: readonly number[],
  depth: number,
): StepOutline[] {
  if (depth > MAX_NESTING)
    w.src.fail(
      'GS136',
      node,
      `repeat is nested more than ${MAX_NESTING} deep`,
      `at most ${MAX_NESTING} levels`,
    );
  return w.src
    .items(node, 'steps')
    .map((item, i) => outlineStep(w, item, [...prefix, i + 1], depth));
}

function outlineThread(
  src: Source,
  names: NameTable,
  registry: OperationRegistry,
  entry: Entry,
): ThreadOutline {
  if (!THREAD_NAME.test(entry.key)) {
    src.fail(
      'GS124',
      entry.keyNode,
      `'${entry.key}' is not a thread name`,
      'letters, digits, _, . and -',
    );
  }
  const keys = fixedKeys(
    src,
    entry.value,
    `thread '${entry.key}'`,
    ['process', 'steps'],
    ['steps'],
  );
  const walk: Walk = { src, names, registry, thread: entry.key, seq: 0 };
  const steps = outlineList(walk, keys.get('steps')?.value, [], 0);
  return { name: entry.key, keyNode: entry.keyNode, process: keys.get('process') ?? null, steps };
}

/** Pass 1 over `threads:`; binds every `as:` name into `names`. */
export function outlineThreads(
  src: Source,
  node: unknown,
  names: NameTable,
  registry: OperationRegistry,
): ThreadOutline[] {
  const entries = src.entries(node, 'threads');
  if (entries.length === 0)
    src.fail(
      'GS105',
      node,
      'threads is an empty map',
      'at least one thread: name -> { steps: [...] }',
    );
  return entries.map((entry) => outlineThread(src, names, registry, entry));
}

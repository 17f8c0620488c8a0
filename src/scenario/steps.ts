/** Pass 2: every step's arguments parsed and resolved, names checked against pass 1. */
import type { ArgContext, ArgSpec } from './args.js';
import type { NameTable, NameUser } from './names.js';
import type { OperationDescriptor, RefineContext } from './operation.js';
import type { StepOutline, ThreadOutline } from './outline.js';
import type { Source } from './source.js';
import type { Binding, BindingKind, BindingRef, Step, ThreadSpec } from './spec.js';
import { didYouMean, listAccepted } from './suggest.js';

interface Scope {
  readonly src: Source;
  readonly names: NameTable;
  readonly threads: readonly string[];
  readonly files: ReadonlySet<string>;
}

function argContext(scope: Scope, outline: StepOutline): ArgContext {
  const user: NameUser = { thread: outline.thread, seq: outline.seq };
  return {
    src: scope.src,
    ref: (node, name, field, kinds, what) =>
      scope.names.resolve(node, name, field, kinds, user, what),
    steps: (node) => (outline.nested.get(node) ?? []).map((o) => parseStep(scope, o)),
    thread(node, name, what) {
      if (scope.threads.includes(name)) return name;
      return scope.src.fail(
        'GS145',
        node,
        `no thread '${name}' (in ${what})`,
        listAccepted(scope.threads),
        didYouMean(name, scope.threads),
      );
    },
  };
}

function refineContext(scope: Scope, outline: StepOutline): RefineContext {
  const nodeOf = (arg: string | null): unknown => {
    const entry = arg === null ? undefined : outline.args.get(arg);
    return entry === undefined ? outline.opKey : entry.value;
  };
  return {
    files: scope.files,
    has: (arg) => outline.args.has(arg),
    fail: (code, arg, problem, accepted) =>
      scope.src.fail(code, nodeOf(arg), `${outline.op.name}: ${problem}`, accepted),
  };
}

function parseArgs(
  op: OperationDescriptor,
  outline: StepOutline,
  cx: ArgContext,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(op.args) as [string, ArgSpec<unknown>][]) {
    const entry = outline.args.get(key);
    if (entry !== undefined)
      args[key] = spec.type.parse(entry.value, cx, `argument '${key}' of ${op.name}`);
    else if (spec.fallback !== undefined) args[key] = spec.fallback.value;
  }
  return args;
}

const PROCESS: readonly BindingKind[] = ['process'];

function parseStep(scope: Scope, outline: StepOutline): Step {
  const cx = argContext(scope, outline);
  const args = parseArgs(outline.op, outline, cx);
  let process: BindingRef | null = null;
  if (outline.process !== null) {
    const node = outline.process.value;
    process = cx.ref(
      node,
      scope.src.string(node, 'process'),
      null,
      PROCESS,
      `process of ${outline.op.name}`,
    );
  }
  outline.op.refine?.(args, refineContext(scope, outline));
  return {
    op: outline.op.name,
    args,
    process,
    as: outline.as,
    thread: outline.thread,
    path: outline.path,
    pos: scope.src.pos(outline.opKey),
  };
}

/** A thread runs in a process present at start: one listed under `processes:`. */
function threadProcess(scope: Scope, thread: ThreadOutline, initial: readonly Binding[]): Binding {
  if (thread.process === null) return initial[0]!;
  const node = thread.process.value;
  const name = scope.src.string(node, `process of thread '${thread.name}'`);
  const found = initial.find((b) => b.name === name);
  if (found !== undefined) return found;
  const later = scope.names.bindings.get(name);
  const hint =
    later?.kind === 'process'
      ? `'${name}' is bound by ${later.op ?? 'a step'} at line ${later.pos.line}; a thread starts in a process listed under processes; act in it with process: on a step`
      : didYouMean(
          name,
          initial.map((b) => b.name),
        );
  return scope.src.fail(
    'GS146',
    node,
    `thread '${thread.name}' runs in process '${name}', which is not listed under processes`,
    listAccepted(initial.map((b) => b.name)),
    hint,
  );
}

/** Pass 2 over the outlined threads. */
export function parseThreads(
  src: Source,
  names: NameTable,
  outlines: readonly ThreadOutline[],
  initial: readonly Binding[],
  files: ReadonlySet<string>,
): ThreadSpec[] {
  const scope: Scope = { src, names, threads: outlines.map((t) => t.name), files };
  return outlines.map((thread) => ({
    name: thread.name,
    process: threadProcess(scope, thread, initial),
    steps: thread.steps.map((o) => parseStep(scope, o)),
    pos: src.pos(thread.keyNode),
  }));
}

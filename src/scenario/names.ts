/**
 * Names bound by `as:` and `processes:`: bound once, global to the scenario, usable from any
 * thread, but not in the binding thread before the binding step.
 */
import { errnoTable } from '../kernel/include/errno.js';
import type { ErrorCode } from './errors.js';
import type { Source } from './source.js';
import type { Binding, BindingKind, BindingRef } from './spec.js';
import { didYouMean, listAccepted } from './suggest.js';

/** Who uses a name: a step of a thread, at a pre-order position. */
export interface NameUser {
  readonly thread: string;
  readonly seq: number;
}

export const KIND_TEXT: Readonly<Record<BindingKind, string>> = {
  address: 'an address (bound by mmap or mremap)',
  process: 'a process (listed under processes or bound by fork)',
  pages: 'pages (bound by a GUP step)',
  fd: 'a file descriptor (bound by open or memfd_create)',
  pipe: 'a pipe (bound by vmsplice)',
  buffers: 'registered buffers (bound by io_uring_register_buffers)',
  value: 'a value',
};

const KIND_NOUN: Readonly<Record<BindingKind, string>> = {
  address: 'an address',
  process: 'a process',
  pages: 'pages',
  fd: 'a file descriptor',
  pipe: 'a pipe',
  buffers: 'registered buffers',
  value: 'a value',
};

function where(b: Binding): string {
  const by = b.op === null ? 'listed under processes' : `bound by ${b.op}`;
  return `${by} at line ${b.pos.line}`;
}

export class NameTable {
  readonly bindings = new Map<string, Binding>();

  constructor(private readonly src: Source) {}

  define(binding: Binding, node: unknown): void {
    const earlier = this.bindings.get(binding.name);
    if (earlier !== undefined) {
      this.src.fail(
        'GS140',
        node,
        `name '${binding.name}' is already ${where(earlier)}`,
        'each name bound once in the scenario',
      );
    }
    this.bindings.set(binding.name, binding);
  }

  /** The processes known so far, for messages. */
  processNames(): string[] {
    return [...this.bindings.values()].filter((b) => b.kind === 'process').map((b) => b.name);
  }

  /** Resolve a use of `name` (and `.field`), checking order, kind and field. */
  resolve(
    node: unknown,
    name: string,
    field: string | null,
    kinds: readonly BindingKind[] | null,
    user: NameUser,
    what: string,
  ): BindingRef {
    const binding = this.bindings.get(name) ?? this.unbound(node, name, kinds, what);
    if (binding.thread === user.thread && binding.seq >= user.seq) {
      this.src.fail(
        'GS142',
        node,
        `'${name}' is used in ${what} before thread '${user.thread}' binds it (line ${binding.pos.line})`,
        'a name bound by an earlier step of this thread, or by another thread',
      );
    }
    if (field !== null && !binding.fields.includes(field)) {
      this.src.fail(
        'GS144',
        node,
        `'${name}' has no field '${field}'`,
        binding.fields.map((f) => `${name}.${f}`).join(', '),
      );
    }
    const kind = field === null ? binding.kind : 'value';
    if (kinds !== null && !kinds.includes(kind)) {
      this.src.fail(
        'GS143',
        node,
        `${what} needs ${kinds.map((k) => KIND_NOUN[k]).join(' or ')}, but '${name}' is ${KIND_NOUN[kind]}, ${where(binding)}`,
        kinds.map((k) => `a name of ${KIND_TEXT[k]}`).join(', or '),
      );
    }
    return { name, field, binding, pos: this.src.pos(node) };
  }

  private unbound(
    node: unknown,
    name: string,
    kinds: readonly BindingKind[] | null,
    what: string,
  ): never {
    const isProcess = kinds !== null && kinds.length === 1 && kinds[0] === 'process';
    const code: ErrorCode = isProcess ? 'GS146' : 'GS141';
    const candidates = isProcess ? this.processNames() : [...this.bindings.keys()];
    const errnoHint =
      errnoTable.valueOf(name) === undefined
        ? undefined
        : `an errno is written with its sign: '-${name}'`;
    const problem = isProcess
      ? `no process '${name}' (in ${what})`
      : `'${name}' (in ${what}) is never bound`;
    const accepted = isProcess
      ? listAccepted(candidates)
      : 'a name bound by as: somewhere in the scenario';
    return this.src.fail(code, node, problem, accepted, errnoHint ?? didYouMean(name, candidates));
  }
}

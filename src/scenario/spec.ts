/**
 * The validated scenario the loader returns. Sizes are bytes, flags are numbers (with the
 * names kept), names are references to their binding, and every step keeps its place in the
 * file for runtime errors.
 */
import type { SourcePos } from './errors.js';

/** What a name stands for; an operation's `binds` says which kind its `as:` name gets. */
export type BindingKind = 'address' | 'process' | 'pages' | 'fd' | 'pipe' | 'buffers' | 'value';

/** A name bound by `as:` (or listed under `processes:`). */
export interface Binding {
  readonly name: string;
  readonly kind: BindingKind;
  /** Fields that `NAME.field` may read: always `ret`, plus the operation's own. */
  readonly fields: readonly string[];
  /** The binding operation, or null for a process listed under `processes:`. */
  readonly op: string | null;
  /** The thread whose step binds the name, or null for `processes:`. */
  readonly thread: string | null;
  /** Pre-order position of the binding step in its thread (repeat bodies included). */
  readonly seq: number;
  readonly pos: SourcePos;
}

/** A use of a name: `buf`, `p.ret`. */
export interface BindingRef {
  readonly name: string;
  /** null for the primary value (`NAME` alone). */
  readonly field: string | null;
  readonly binding: Binding;
  readonly pos: SourcePos;
}

/** An address argument: a number, or a name bound to an address plus a byte offset. */
export type AddressExpr =
  | { readonly kind: 'literal'; readonly value: number; readonly text: string }
  | {
      readonly kind: 'ref';
      readonly ref: BindingRef;
      readonly offset: number;
      readonly text: string;
    };

/** A value in `expect` (`p.ret`, `-EFAULT`, `0xff`, `[1, 2]`) or in `equals`. */
export type ValueExpr =
  | AddressExpr
  | { readonly kind: 'list'; readonly values: readonly number[]; readonly text: string };

/** Page contents: one value for every page, or one value per page. */
export type Contents = number | readonly number[];

/** One step of a thread, its arguments resolved as its operation's descriptor says. */
export interface Step {
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** `process:` on the step: the process acted in, or null for the thread's own. */
  readonly process: BindingRef | null;
  /** The name `as:` binds, or null. */
  readonly as: Binding | null;
  readonly thread: string;
  /** 1-based index in the thread's steps; longer inside `repeat` bodies ([3, 2]). */
  readonly path: readonly number[];
  readonly pos: SourcePos;
}

export interface ThreadSpec {
  readonly name: string;
  readonly process: Binding;
  readonly steps: readonly Step[];
  readonly pos: SourcePos;
}

export type ThpPolicy = 'never' | 'madvise' | 'always';

export interface ThpSetting {
  readonly size: number;
  readonly policy: ThpPolicy;
}

export interface HugetlbPool {
  readonly size: number;
  readonly pages: number;
}

export interface MachineSpec {
  readonly memory: number;
  readonly movable: number;
  readonly cma: number;
  /** One entry per mTHP size, 16KiB to 2MiB, ascending. */
  readonly thp: readonly ThpSetting[];
  /** Free hugetlb pages per size (2MiB, 1GiB); sizes not configured are absent. */
  readonly hugetlb: readonly HugetlbPool[];
  readonly swap: number;
}

export type FsType = 'tmpfs' | 'ext4' | 'xfs' | 'btrfs' | 'hugetlbfs';

export interface FileSpec {
  readonly path: string;
  readonly fs: FsType;
  readonly size: number;
  readonly fill: number;
  readonly mode: 'ro' | 'rw';
  readonly pos: SourcePos;
}

export type ViolationsExpectation =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'list'; readonly ids: readonly string[] };

export interface ScenarioSpec {
  readonly file: string;
  readonly id: string;
  readonly description: string | null;
  readonly kernel: { readonly quirks: readonly string[] };
  readonly machine: MachineSpec;
  readonly files: readonly FileSpec[];
  readonly processes: readonly Binding[];
  readonly threads: readonly ThreadSpec[];
  /** Every name of the scenario, in the order it appears in the file. */
  readonly bindings: ReadonlyMap<string, Binding>;
  /** Every event name given to `signal`. */
  readonly events: readonly string[];
  /** Catalogue tags (`tags: [gup, cow]`), in file order; an extension of format v1. */
  readonly tags: readonly string[];
  readonly expect: {
    readonly violations: ViolationsExpectation;
    /**
     * The expected verdict of exploring the scenario (`expect.explore`, an extension of format
     * v1): `pass` (every execution passes, the default) or `fail` (a bug demonstration).
     */
    readonly explore: 'pass' | 'fail';
    readonly pos: SourcePos;
  };
  readonly pos: SourcePos;
}

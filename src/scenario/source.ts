/**
 * A parsed scenario text and typed access to its YAML nodes, every access able to say where
 * it is (file, line, column) when it fails.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import { ScenarioError, type ErrorCode, type SourcePos } from './errors.js';
import { describeValue } from './suggest.js';

/** Dereferencing more aliases than this is treated as an attack, not a scenario. */
const ALIAS_BUDGET = 10_000;

/** One `key: value` of a YAML map, the key as a string. */
export interface Entry {
  readonly key: string;
  readonly keyNode: unknown;
  readonly value: unknown;
}

export interface Fail {
  (code: ErrorCode, node: unknown, problem: string, accepted: string, hint?: string): never;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: unknown }).range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

export class Source {
  private aliasBudget = ALIAS_BUDGET;

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  /** Where a node starts; the document start when the node has no range. */
  pos(node: unknown): SourcePos {
    return this.posAt(rangeStart(node) ?? 0);
  }

  posAt(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  readonly fail: Fail = (code, node, problem, accepted, hint) => {
    throw new ScenarioError({
      code,
      pos: this.pos(node),
      problem,
      accepted,
      ...(hint === undefined ? {} : { hint }),
    });
  };

  /** Follow `*alias` references to the node they name. */
  deref(node: unknown): unknown {
    let current = node;
    while (isAlias(current)) {
      if (--this.aliasBudget < 0)
        this.fail('GS100', node, 'too many alias references', `at most ${ALIAS_BUDGET}`);
      const target: unknown = current.resolve(this.doc);
      if (target === undefined)
        this.fail(
          'GS100',
          node,
          `unresolved alias '*${current.source}'`,
          'an alias to an earlier anchor',
        );
      current = target;
    }
    return current;
  }

  /** The plain value of a scalar node, or undefined for maps and lists. */
  scalar(node: unknown): { value: unknown; source: string | null } | undefined {
    const target = this.deref(node);
    if (!isScalar(target)) return undefined;
    const source = (target as { source?: unknown }).source;
    return { value: target.value, source: typeof source === 'string' ? source : null };
  }

  /** "a map", "a list", "the string 'x'" ... */
  describe(node: unknown): string {
    const target = this.deref(node);
    if (isMap(target)) return 'a map';
    if (isSeq(target)) return 'a list';
    if (isScalar(target)) return describeValue(target.value);
    return 'nothing (null)';
  }

  isMap(node: unknown): boolean {
    return isMap(this.deref(node));
  }

  isList(node: unknown): boolean {
    return isSeq(this.deref(node));
  }

  /** The entries of a map node, keys as strings; fails when the node is not a map. */
  entries(node: unknown, what: string): Entry[] {
    const target = this.deref(node);
    if (!isMap(target))
      this.fail(
        'GS105',
        node,
        `${what} must be a map, found ${this.describe(node)}`,
        'a map of key: value',
      );
    return target.items.map((pair) => ({
      key: this.keyText(pair.key, node, what),
      keyNode: pair.key,
      value: pair.value,
    }));
  }

  /** The items of a list node; fails when the node is not a list. */
  items(node: unknown, what: string): unknown[] {
    const target = this.deref(node);
    if (!isSeq(target))
      this.fail(
        'GS105',
        node,
        `${what} must be a list, found ${this.describe(node)}`,
        'a list: [a, b] or one - item per line',
      );
    return target.items;
  }

  /** A string scalar; fails with `what` otherwise. */
  string(node: unknown, what: string): string {
    const s = this.scalar(node);
    if (s === undefined || typeof s.value !== 'string') {
      this.fail(
        'GS105',
        node,
        `${what} must be a string, found ${this.describe(node)}`,
        'a string',
      );
    }
    return s.value;
  }

  private keyText(key: unknown, map: unknown, what: string): string {
    const s = this.scalar(key);
    if (s !== undefined && (typeof s.value === 'string' || typeof s.value === 'number')) {
      return String(s.value);
    }
    return this.fail(
      'GS105',
      key ?? map,
      `a key of ${what} must be a word, found ${this.describe(key)}`,
      'a string or number key',
    );
  }
}

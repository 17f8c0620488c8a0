/**
 * The small top-level sections: scenario id, description, tags, kernel quirks, processes, expect.
 */
import { fixedKeys } from './keys.js';
import type { NameTable } from './names.js';
import type { Source } from './source.js';
import type { Binding, ViolationsExpectation } from './spec.js';
import { didYouMean, listAccepted } from './suggest.js';
import { NAME_PATTERN } from './values/expressions.js';

const SCENARIO_ID = /^[a-z0-9][a-z0-9-]*$/;
const CHECKER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TAG = /^[a-z0-9][a-z0-9-]*$/;
const EXPLORE_VERDICTS = ['pass', 'fail'] as const;

function word(src: Source, node: unknown, what: string): string {
  const s = src.scalar(node);
  if (typeof s?.value === 'string') return s.value;
  if (typeof s?.value === 'number') return s.source ?? String(s.value);
  return src.fail(
    'GS105',
    node,
    `${what} must be a string, found ${src.describe(node)}`,
    'a string',
  );
}

export function parseId(src: Source, node: unknown): string {
  const id = word(src, node, 'scenario');
  if (!SCENARIO_ID.test(id)) {
    src.fail(
      'GS106',
      node,
      `scenario id '${id}' is not valid`,
      'lower-case letters, digits and hyphens, not starting with a hyphen',
    );
  }
  return id;
}

export function parseDescription(src: Source, node: unknown): string | null {
  return node === undefined ? null : word(src, node, 'description');
}

/** `tags: [gup, cow]`: catalogue tags, each once (an extension of format v1). */
export function parseTags(src: Source, node: unknown): string[] {
  if (node === undefined) return [];
  const tags: string[] = [];
  for (const item of src.items(node, 'tags')) {
    const tag = word(src, item, 'a tag');
    if (!TAG.test(tag)) {
      src.fail(
        'GS107',
        item,
        `tag '${tag}' is not valid`,
        'lower-case letters, digits and hyphens, not starting with a hyphen',
      );
    }
    if (tags.includes(tag))
      src.fail('GS107', item, `tag '${tag}' is listed twice`, 'each tag once');
    tags.push(tag);
  }
  return tags;
}

/** `kernel: { quirks: [...] }`, each id known to the caller's quirk registry. */
export function parseQuirks(src: Source, node: unknown, known: readonly string[]): string[] {
  if (node === undefined) return [];
  const quirks = fixedKeys(src, node, 'kernel', ['quirks']).get('quirks');
  if (quirks === undefined) return [];
  const ids: string[] = [];
  for (const item of src.items(quirks.value, 'kernel.quirks')) {
    const id = word(src, item, 'a quirk id');
    if (!known.includes(id))
      src.fail('GS122', item, `unknown quirk '${id}'`, listAccepted(known), didYouMean(id, known));
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function processBinding(src: Source, node: unknown, name: string): Binding {
  return {
    name,
    kind: 'process',
    fields: ['ret'],
    op: null,
    thread: null,
    seq: -1,
    pos: src.pos(node),
  };
}

/** `processes: [...]` (default [init]), each bound as a process name. */
export function parseProcesses(
  src: Source,
  node: unknown,
  names: NameTable,
  docStart: unknown,
): Binding[] {
  const items = node === undefined ? [] : src.items(node, 'processes');
  if (node !== undefined && items.length === 0)
    src.fail('GS123', node, 'processes is an empty list', 'at least one process name');
  const list = items.map((item) => ({ item, name: word(src, item, 'a process name') }));
  if (node === undefined) list.push({ item: docStart, name: 'init' });
  return list.map(({ item, name }) => {
    if (!NAME_PATTERN.test(name)) {
      src.fail(
        'GS124',
        item,
        `process name '${name}' is not a name`,
        'letters, digits and _, not starting with a digit',
      );
    }
    if (names.bindings.has(name))
      src.fail('GS123', item, `process '${name}' is listed twice`, 'each process name once');
    const binding = processBinding(src, item, name);
    names.define(binding, item);
    return binding;
  });
}

function violationIds(src: Source, node: unknown, checkers: readonly string[] | null): string[] {
  return src.items(node, 'expect.violations').map((item) => {
    const id = word(src, item, 'a checker id');
    if (!CHECKER_ID.test(id))
      src.fail('GS150', item, `'${id}' is not a checker id`, 'letters, digits, -, _ and .');
    if (checkers !== null && !checkers.includes(id)) {
      src.fail(
        'GS151',
        item,
        `unknown checker '${id}'`,
        listAccepted(checkers),
        didYouMean(id, checkers),
      );
    }
    return id;
  });
}

/** What the top-level `expect` says. */
export interface EndExpectation {
  readonly violations: ViolationsExpectation;
  readonly explore: 'pass' | 'fail';
}

function parseViolations(
  src: Source,
  node: unknown,
  checkers: readonly string[] | null,
): ViolationsExpectation {
  if (src.isList(node)) return { kind: 'list', ids: violationIds(src, node, checkers) };
  const value = src.scalar(node)?.value;
  if (value === 'none' || value === 'any') return { kind: value };
  return src.fail(
    'GS150',
    node,
    `expect.violations is ${src.describe(node)}`,
    "'none', 'any', or a list of checker ids",
  );
}

function parseExplore(src: Source, node: unknown): 'pass' | 'fail' {
  const value = src.scalar(node)?.value;
  const found = EXPLORE_VERDICTS.find((v) => v === value);
  if (found !== undefined) return found;
  return src.fail(
    'GS115',
    node,
    `expect.explore must be one of the accepted words, found ${src.describe(node)}`,
    listAccepted(EXPLORE_VERDICTS),
  );
}

/**
 * The top-level `expect: { violations: none | any | [ids], explore: pass | fail }` (default
 * none and pass; `explore` is an extension of format v1).
 */
export function parseExpect(
  src: Source,
  node: unknown,
  checkers: readonly string[] | null,
): EndExpectation {
  if (node === undefined) return { violations: { kind: 'none' }, explore: 'pass' };
  const keys = fixedKeys(src, node, 'expect', ['violations', 'explore']);
  const violations = keys.get('violations');
  const explore = keys.get('explore');
  return {
    violations:
      violations === undefined
        ? { kind: 'none' }
        : parseViolations(src, violations.value, checkers),
    explore: explore === undefined ? 'pass' : parseExplore(src, explore.value),
  };
}

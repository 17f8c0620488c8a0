/** loadScenario: scenario text -> validated ScenarioSpec, or a ScenarioError. */
import { parseScenarioText } from './document.js';
import { checkEvents } from './events.js';
import { parseFiles } from './files.js';
import { fixedKeys } from './keys.js';
import { parseMachine } from './machine.js';
import { NameTable } from './names.js';
import type { OperationRegistry } from './operation.js';
import { catalogueRegistry } from './ops/index.js';
import { outlineThreads } from './outline.js';
import {
  parseDescription,
  parseExpect,
  parseId,
  parseProcesses,
  parseQuirks,
  parseTags,
} from './setup.js';
import type { ScenarioSpec } from './spec.js';
import { parseThreads } from './steps.js';

export const TOP_LEVEL_KEYS = [
  'scenario',
  'description',
  'tags',
  'kernel',
  'machine',
  'files',
  'processes',
  'threads',
  'expect',
] as const;

export interface LoadOptions {
  /** The operations steps may use; default: the whole catalogue of format v1. */
  readonly operations?: OperationRegistry;
  /** Ids accepted in `kernel.quirks`; default: none. */
  readonly quirks?: Iterable<string>;
  /** Checker ids accepted in `expect.violations`; default: any well-formed id. */
  readonly checkers?: Iterable<string>;
}

/**
 * Load a scenario from its text. `file` is only used in positions. Throws ScenarioError
 * for any input that is not a valid scenario, and nothing else.
 */
export function loadScenario(file: string, text: string, options: LoadOptions = {}): ScenarioSpec {
  const { src, root } = parseScenarioText(file, text);
  const top = fixedKeys(src, root, 'the scenario', TOP_LEVEL_KEYS, ['scenario', 'threads']);
  const value = (key: string): unknown => top.get(key)?.value;
  const id = parseId(src, value('scenario'));
  const description = parseDescription(src, value('description'));
  const tags = parseTags(src, value('tags'));
  const quirks = parseQuirks(src, value('kernel'), [...(options.quirks ?? [])]);
  const machine = parseMachine(src, value('machine'));
  const files = parseFiles(src, value('files'));
  const names = new NameTable(src);
  const processes = parseProcesses(src, value('processes'), names, root);
  const outlines = outlineThreads(
    src,
    value('threads'),
    names,
    options.operations ?? catalogueRegistry,
  );
  const threads = parseThreads(src, names, outlines, processes, new Set(files.map((f) => f.path)));
  const events = checkEvents(threads);
  const checkers = options.checkers === undefined ? null : [...options.checkers];
  const { violations, explore } = parseExpect(src, value('expect'), checkers);
  return {
    file,
    id,
    description,
    tags,
    kernel: { quirks },
    machine,
    files,
    processes,
    threads,
    bindings: names.bindings,
    events,
    expect: { violations, explore, pos: src.pos(top.get('expect')?.keyNode ?? root) },
    pos: src.pos(root),
  };
}

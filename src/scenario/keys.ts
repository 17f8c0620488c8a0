/** Fixed-key maps (the top level, `machine`, a file, a thread, ...). */
import type { Entry, Source } from './source.js';
import { didYouMean, listAccepted } from './suggest.js';

/**
 * The entries of `node` by key, after checking that every key is allowed and every
 * required key is present. `what` names the map in messages ("machine", "thread 'main'").
 */
export function fixedKeys(
  src: Source,
  node: unknown,
  what: string,
  allowed: readonly string[],
  required: readonly string[] = [],
): Map<string, Entry> {
  const byKey = new Map<string, Entry>();
  for (const entry of src.entries(node, what)) {
    if (!allowed.includes(entry.key)) {
      src.fail(
        'GS103',
        entry.keyNode,
        `unknown key '${entry.key}' in ${what}`,
        listAccepted(allowed),
        didYouMean(entry.key, allowed),
      );
    }
    byKey.set(entry.key, entry);
  }
  for (const key of required) {
    if (!byKey.has(key)) {
      src.fail(
        'GS104',
        node,
        `${what} has no '${key}' key`,
        `a map with the keys ${listAccepted(required)}`,
      );
    }
  }
  return byKey;
}

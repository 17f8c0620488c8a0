/** The `files:` section: files present at start, keyed by path. */
import { fixedKeys } from './keys.js';
import { FS_TYPES } from './ops/files.js';
import type { Source } from './source.js';
import type { FileSpec, FsType } from './spec.js';
import { listAccepted } from './suggest.js';
import { requireInteger, requireSize } from './values/numbers.js';

export const FILE_KEYS = ['fs', 'size', 'fill', 'mode'] as const;
const MODES = ['ro', 'rw'] as const;
const HPAGE_PMD_SIZE = 2 ** 21;

function word<W extends string>(src: Source, node: unknown, words: readonly W[], what: string): W {
  const value = src.scalar(node)?.value;
  const found = words.find((w) => w === value);
  if (found !== undefined) return found;
  return src.fail(
    'GS115',
    node,
    `${what} must be one of the accepted words, found ${src.describe(node)}`,
    listAccepted(words),
  );
}

function file(src: Source, path: string, keyNode: unknown, node: unknown): FileSpec {
  const what = `file '${path}'`;
  const keys = fixedKeys(src, node, what, FILE_KEYS, ['fs']);
  const value = (key: string): unknown => keys.get(key)?.value;
  const fs: FsType = word(src, value('fs'), FS_TYPES, `${what} fs`);
  const size = keys.has('size') ? requireSize(src, value('size'), `${what} size`) : 0;
  if (fs === 'hugetlbfs' && size % HPAGE_PMD_SIZE !== 0) {
    src.fail(
      'GS121',
      value('size'),
      `${what} is on hugetlbfs but its size is not a multiple of 2MiB`,
      'a multiple of the huge page size (2MiB)',
    );
  }
  return {
    path,
    fs,
    size,
    fill: keys.has('fill') ? requireInteger(src, value('fill'), `${what} fill`, 0, 255) : 0,
    mode: keys.has('mode') ? word(src, value('mode'), MODES, `${what} mode`) : 'rw',
    pos: src.pos(keyNode),
  };
}

/** The declared files in file order (none when the section is absent). */
export function parseFiles(src: Source, node: unknown): FileSpec[] {
  if (node === undefined) return [];
  return src.entries(node, 'files').map((entry) => {
    if (entry.key === '' || entry.key.includes('\0'))
      src.fail('GS121', entry.keyNode, 'a file path must not be empty', 'a non-empty path');
    return file(src, entry.key, entry.keyNode, entry.value);
  });
}

// The transcripts of test/cli/transcripts/*.md, run against the built binary: what a person
// types and sees. A `...` line in an expected output stands for any number of lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gupsim, ROOT } from './helpers.js';

interface Transcript {
  readonly command: string;
  readonly expected: readonly string[];
  readonly exit: number;
}

function transcripts(text: string): Transcript[] {
  const blocks = [...text.matchAll(/```console\n([\s\S]*?)```/g)].map((m) =>
    m[1]!.trimEnd().split('\n'),
  );
  return blocks.map((lines) => {
    const exit = /^\[exit (\d+)\]$/.exec(lines.at(-1) ?? '');
    if (!lines[0]?.startsWith('$ gupsim ') || exit === null)
      throw new Error(`bad block: ${lines[0]}`);
    return { command: lines[0].slice(2), expected: lines.slice(1, -1), exit: Number(exit[1]) };
  });
}

/** Does `actual` match `expected`, where a `...` line matches any run of lines? */
export function matches(actual: readonly string[], expected: readonly string[]): boolean {
  if (expected.length === 0) return actual.length === 0;
  const [head, ...rest] = expected;
  if (head === '...') {
    for (let i = 0; i <= actual.length; i++) if (matches(actual.slice(i), rest)) return true;
    return false;
  }
  return actual.length > 0 && actual[0] === head && matches(actual.slice(1), rest);
}

const DIR = join(ROOT, 'test/cli/transcripts');

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.md'))) {
  describe(`transcripts: ${file}`, () => {
    for (const t of transcripts(readFileSync(join(DIR, file), 'utf8'))) {
      it(t.command, () => {
        const r = gupsim(...t.command.split(' ').slice(1));
        const actual = `${r.stdout}${r.stderr}`.trimEnd().split('\n');
        if (!matches(actual, t.expected)) expect(actual.join('\n')).toBe(t.expected.join('\n'));
        expect(r.code).toBe(t.exit);
      });
    }
  });
}

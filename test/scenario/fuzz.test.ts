// Whatever the text, loading either succeeds or throws a ScenarioError with a code and a
// position: never another exception, never a hang. Texts are valid scenarios with random
// edits: characters, deleted/duplicated/swapped lines, swapped keys, wrong-typed values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCodes, ScenarioError } from '../../src/scenario/index.js';
import { SHAPE_JSON, SHAPE_YAML, SYNC_YAML } from './fixtures.js';
import { load } from './helpers.js';

const BASES = [SHAPE_YAML, SHAPE_JSON, SYNC_YAML];

const ODD_VALUES = [
  '[1, 2]',
  '{a: 1}',
  '-1',
  '0x',
  'null',
  '~',
  '""',
  '4KB',
  '*nope',
  '&a x',
  '!!binary aGk=',
  '.inf',
  '1e400',
  '99999999999999999999',
  '-EFAULT',
  'buf+',
  'p.nope',
  'x'.repeat(300),
  '[[[[[]]]]]',
  '{',
  '[',
  '?',
  '- a',
  '0b101',
  '0o777',
  'true',
  '1.5',
  'MAP_SHARED',
  'FOLL_PIN',
  '__proto__',
  'constructor',
  'toString',
  '"\\u0000"',
];
const ODD_CHARS = [...'{}[]:,-#&*!|>\'"\n \t0aZ_.+%@`\\', '\u00e9', '\u{1f600}', '\r', '\0'];

type Edit = (text: string) => string;

const lines = (text: string) => text.split('\n');
const clamp = (i: number, n: number) => (n === 0 ? 0 : i % n);

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_CHARS)).map(([i, c]): Edit => (s) => {
    const at = clamp(i, s.length);
    return s.slice(0, at) + c + s.slice(at + 1);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })).map(([i, n]): Edit => (s) => {
    const at = clamp(i, s.length);
    return s.slice(0, at) + s.slice(at + n);
  }),
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 })).map(([i, ins]): Edit => (s) => {
    const at = clamp(i, s.length + 1);
    return s.slice(0, at) + ins + s.slice(at);
  }),
  fc.nat().map(
    (i): Edit =>
      (s) =>
        lines(s)
          .filter((_, k, all) => k !== clamp(i, all.length))
          .join('\n'),
  ),
  fc.nat().map(
    (i): Edit =>
      (s) =>
        lines(s)
          .flatMap((l, k, all) => (k === clamp(i, all.length) ? [l, l] : [l]))
          .join('\n'),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Edit => (s) => {
    const all = lines(s);
    const a = clamp(i, all.length);
    const b = clamp(j, all.length);
    [all[a], all[b]] = [all[b] ?? '', all[a] ?? ''];
    return all.join('\n');
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Edit => (s) => {
    const keys = [...s.matchAll(/[A-Za-z_]+(?=":|:)/g)].map((m) => m[0]);
    const a = keys[clamp(i, keys.length)];
    const b = keys[clamp(j, keys.length)];
    if (a === undefined || b === undefined) return s;
    return s
      .replace(new RegExp(`\\b${a}\\b`), '\u0001')
      .replace(new RegExp(`\\b${b}\\b`), a)
      .replace('\u0001', b);
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_VALUES)).map(([i, v]): Edit => (s) => {
    const values = [...s.matchAll(/(?<=: )[^,}\n]+/g)];
    const m = values[clamp(i, values.length)];
    if (m?.index === undefined) return s;
    return s.slice(0, m.index) + v + s.slice(m.index + m[0].length);
  }),
);

function outcome(text: string): 'loaded' | 'rejected' {
  try {
    load(text);
    return 'loaded';
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    expect(Object.keys(errorCodes)).toContain(error.code);
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message).not.toMatch(/\n\s+at /); // no stack trace in the message
    return 'rejected';
  }
}

describe('loading mutated scenarios', () => {
  it.each(BASES.map((text, i) => [i, text]))('base %i loads unmodified', (_, text) => {
    expect(outcome(text)).toBe('loaded');
  });

  it('never throws anything but a ScenarioError (property)', () => {
    const arb = fc.tuple(
      fc.constantFrom(...BASES),
      fc.array(editArb, { minLength: 1, maxLength: 4 }),
    );
    fc.assert(
      fc.property(arb, ([base, edits]) => {
        outcome(edits.reduce((text, edit) => edit(text), base));
      }),
      { numRuns: 2000 },
    );
  });

  it('survives pathological texts', () => {
    const bomb = [
      'a: &a [x, x, x, x]',
      ...Array.from(
        { length: 30 },
        (_, i) =>
          `${'b'.repeat(i + 1)}: &${'a'.repeat(i + 2)} [*${'a'.repeat(i + 1)}, *${'a'.repeat(i + 1)}]`,
      ),
    ];
    const texts = [
      '',
      '\0',
      '---\n---\n',
      '['.repeat(50_000),
      `scenario: t\nthreads: ${'['.repeat(20_000)}`,
      `scenario: t\n${bomb.join('\n')}\nthreads: { main: { steps: *${'a'.repeat(31)} } }`,
      'scenario: t\nthreads: { main: { steps: &s [ { repeat: { times: 1, steps: *s } } ] } }',
      'scenario: t\nthreads: { main: { steps: [ { repeat: &r { times: 2, steps: [ { repeat: *r } ] } } ] } }',
      `scenario: t\nthreads: { main: { steps: [ { fork: { as: ${'x'.repeat(100_000)} } } ] } }`,
    ];
    for (const text of texts) expect(['loaded', 'rejected']).toContain(outcome(text));
  });
});

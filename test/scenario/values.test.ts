// Value forms: sizes, integers, expressions and page contents, as the format describes them.
import { describe, expect, it } from 'vitest';
import {
  integerFromText,
  showSize,
  sizeFromText,
  unitHint,
} from '../../src/scenario/values/numbers.js';
import { errorOf, load, MMAP_BUF, withSteps } from './helpers.js';

describe('sizes and integers from text', () => {
  it('reads byte counts, hex and binary units', () => {
    expect(sizeFromText('4096')).toBe(4096);
    expect(sizeFromText('0x1000')).toBe(4096);
    expect(sizeFromText('4KiB')).toBe(4096);
    expect(sizeFromText('2 MiB')).toBe(2 ** 21);
    expect(sizeFromText('1GiB')).toBe(2 ** 30);
  });

  it('rejects other spellings, hex with a unit, and sizes beyond 2^53', () => {
    for (const text of [
      '4KB',
      '4k',
      '4kib',
      '0x10KiB',
      '-4KiB',
      '1.5MiB',
      '',
      'KiB',
      '9007199254740993',
    ]) {
      expect(sizeFromText(text), text).toBeUndefined();
    }
    expect(unitHint('4KB')).toBe("write the unit as 'KiB'");
    expect(unitHint('2m')).toBe("write the unit as 'MiB'");
  });

  it('reads signed decimal and hex integers exactly', () => {
    expect(integerFromText('-0x10')).toBe(-16);
    expect(integerFromText('+7')).toBe(7);
    expect(integerFromText('0x7f0000000000')).toBe(0x7f0000000000);
    expect(integerFromText('1e3')).toBeUndefined();
    expect(integerFromText('0x')).toBeUndefined();
  });

  it('prints sizes in the largest whole unit', () => {
    expect([showSize(2 ** 21), showSize(3 * 2 ** 10), showSize(4097)]).toEqual([
      '2MiB',
      '3KiB',
      '4097',
    ]);
  });
});

describe('expressions in steps', () => {
  const stepArgs = (...steps: string[]) =>
    load(withSteps(MMAP_BUF, ...steps)).threads[0]!.steps.map((s) => s.args);

  it('address: name, name plus or minus an offset, number', () => {
    const [, a, b, c] = stepArgs(
      'memset: { addr: buf+4KiB, length: 1, value: 1 }',
      'memset: { addr: buf - 0x1000, length: 1, value: 1 }',
      'memset: { addr: 0x7f0000000000, length: 1, value: 1 }',
    );
    expect(a?.['addr']).toMatchObject({
      kind: 'ref',
      offset: 4096,
      ref: { name: 'buf', field: null },
    });
    expect(b?.['addr']).toMatchObject({ kind: 'ref', offset: -4096 });
    expect(c?.['addr']).toEqual({
      kind: 'literal',
      value: 0x7f0000000000,
      text: '0x7f0000000000',
    });
  });

  it('values: errno, size, negative hex, list, field', () => {
    const [, a, b, c] = stepArgs(
      'expect: { value: buf.ret, equals: -ENOMEM }',
      'expect: { value: 2MiB, equals: "-0x10" }',
      'expect: { value: [1, 0x2], equals: buf }',
    );
    expect(a?.['value']).toMatchObject({ kind: 'ref', ref: { field: 'ret' } });
    expect(a?.['equals']).toEqual({ kind: 'literal', value: -12, text: '-ENOMEM' });
    expect(b?.['value']).toEqual({ kind: 'literal', value: 2 ** 21, text: '2MiB' });
    expect(b?.['equals']).toEqual({ kind: 'literal', value: -16, text: '-0x10' });
    expect(c?.['value']).toEqual({ kind: 'list', values: [1, 2], text: '[1, 2]' });
  });

  it('contents: one value or one per page, each 0..255', () => {
    const [, a] = stepArgs('expect: { memory: buf, length: 8KiB, contents: [0, 0xff] }');
    expect(a?.['contents']).toEqual([0, 255]);
    expect(
      errorOf(withSteps(MMAP_BUF, 'expect: { memory: buf, length: 4KiB, contents: [] }')).code,
    ).toBe('GS111');
    expect(
      errorOf(withSteps(MMAP_BUF, 'expect: { memory: buf, length: 4KiB, contents: 256 }')).code,
    ).toBe('GS111');
  });

  it('flags: a single name, raw bits, and the empty list', () => {
    const [, a, b] = stepArgs(
      'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: FOLL_WRITE }',
      'pin_user_pages: { as: q, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE, 0x8000] }',
    );
    expect(a?.['gup_flags']).toEqual({ value: 1, names: ['FOLL_WRITE'] });
    expect(b?.['gup_flags']).toEqual({ value: 0x8001, names: ['FOLL_WRITE', '0x8000'] });
  });
});

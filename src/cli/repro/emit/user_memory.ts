/** memset and read (user stores and loads), and the three forms of expect. */
import { argsOf, type Contents } from '../../../scenario/index.js';
import { expect, memset, read } from '../../../scenario/ops/index.js';
import { expectationMessage } from '../messages.js';
import {
  bindLines,
  cAddr,
  cByte,
  cContents,
  cSize,
  cString,
  cValue,
  pagesOf,
  type Emitter,
  type StepCx,
} from './context.js';

function expectLines(cx: StepCx): string[] {
  const a = argsOf(cx.step, expect);
  const where = cString(cx.where);
  const msg = cString(expectationMessage(cx.step));
  if (a.value !== undefined && a.equals !== undefined)
    return [`expect_eq(${where}, ${msg}, ${cValue(cx, a.value)}, ${cValue(cx, a.equals)});`];
  const want = cContents(a.contents as Contents);
  if (a.memory !== undefined) {
    cx.need('observe');
    const len = cSize(a.length ?? 0);
    return [`expect_memory(${where}, ${msg}, ${cAddr(cx, a.memory)}, ${len}, ${want});`];
  }
  cx.need('io_uring');
  const pin = cx.slot((a.pages as { name: string }).name);
  return [
    `int16_t *got = scratch(rings[${pin}].len / PAGE * sizeof(*got));`,
    `int n = observe_pin(&rings[${pin}], got);`,
    `expect_eq(${where}, ${msg}, contents(got, n), ${want});`,
    'free(got);',
  ];
}

export const userMemoryEmitters: Readonly<Record<string, Emitter>> = {
  memset(cx) {
    const a = argsOf(cx.step, memset);
    return [
      `int64_t r = user_store(${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${cByte(a.value)});`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  read(cx) {
    const a = argsOf(cx.step, read);
    const n = pagesOf(a.length);
    const bind = cx.bound === undefined ? [] : [`bind_pages(${cx.bound}, v, ${n}, r);`];
    return [
      `int16_t *v = scratch(${n} * sizeof(*v));`,
      `int64_t r = user_load(${cAddr(cx, a.addr)}, ${cSize(a.length)}, v);`,
      ...bind,
      'free(v);',
    ];
  },
  expect: expectLines,
};

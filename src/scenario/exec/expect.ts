/**
 * The in-thread `expect` step, in its three forms: a value (`{ value, equals }`), memory read
 * through the acting process's page tables without faulting (`{ memory, length, contents }`),
 * and memory read through the pages a GUP step obtained (`{ pages, contents }`). A failed
 * expectation fails the execution; the thread goes on.
 */
import { errnoName } from '../../kernel/include/errno.js';
import { expect as expectOp } from '../ops/user_memory.js';
import type { ResolvedArgs } from '../args.js';
import type { Contents, ValueExpr } from '../spec.js';
import { showSize } from '../values/numbers.js';
import { folioObj } from '../../kernel/objects.js';
import { page_content, page_folio } from '../../mm/folio.js';
import { Access, EVERYTHING, type ObjId } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { peekObjects, peekUserContents } from './peek.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
} from './types.js';

type ExpectArgs = ResolvedArgs<typeof expectOp.args>;

export function showNumber(n: number): string {
  if (n < 0 && errnoName(n) !== String(n)) return `${errnoName(n)} (${n})`;
  return Math.abs(n) < 0x10000 ? String(n) : `0x${n.toString(16)}`;
}

function showValue(v: number | readonly number[]): string {
  return typeof v === 'number' ? showNumber(v) : `[${v.map(showNumber).join(', ')}]`;
}

function showContents(v: Contents | null | readonly (number | null)[]): string {
  const one = (x: number | null) => (x === null ? 'not mapped' : `0x${x.toString(16)}`);
  return typeof v === 'number' || v === null ? one(v) : `[${v.map(one).join(', ')}]`;
}

/** A number equals a list when every element is that number (a read binds one value then). */
function equal(a: number | readonly number[], b: number | readonly number[]): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'number') return (b as readonly number[]).every((x) => x === a);
  if (typeof b === 'number') return a.every((x) => x === b);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Every page holds `want` (one value), or each page its own (a list); no page: false. */
export function holds(pages: readonly (number | null)[], want: Contents): boolean {
  if (pages.length === 0) return false;
  if (typeof want === 'number') return pages.every((x) => x === want);
  return pages.length === want.length && pages.every((x, i) => x === want[i]);
}

function checkValue(ctx: ExecContext, value: ValueExpr, equals: ValueExpr): void {
  const a = ctx.value(value);
  const b = ctx.value(equals);
  const claim = `${value.text} == ${equals.text}`;
  const ok = equal(a, b);
  ctx.expect(ok, ok ? claim : `${claim} is false: ${value.text} is ${showValue(a)}`);
}

function checkContents(
  ctx: ExecContext,
  what: string,
  pages: readonly (number | null)[],
  want: Contents,
): void {
  const verb = what.startsWith('pages') ? 'hold' : 'holds';
  const claim = `${what} ${verb} ${showContents(want)}`;
  const ok = holds(pages, want);
  const same = pages.every((x) => x === pages[0]);
  const got = pages.length === 0 ? 'no pages' : showContents(same ? (pages[0] ?? null) : pages);
  ctx.expect(
    ok,
    ok ? claim : `${claim} is false: ${verb === 'hold' ? 'they hold' : 'it holds'} ${got}`,
  );
}

function pagesContents(ctx: ExecContext, p: PagesBinding): number[] {
  return p.pfns.map((pfn) => page_content(ctx.k.mem, pfn));
}

function check(ctx: ExecContext, args: ExpectArgs): void {
  if (args.value !== undefined && args.equals !== undefined) {
    checkValue(ctx, args.value, args.equals);
  } else if (
    args.memory !== undefined &&
    args.length !== undefined &&
    args.contents !== undefined
  ) {
    const addr = ctx.addr(args.memory);
    const pages = peekUserContents(ctx, addr, args.length);
    checkContents(
      ctx,
      `memory ${args.memory.text} (${showSize(args.length)})`,
      pages,
      args.contents,
    );
  } else if (args.pages !== undefined && args.contents !== undefined) {
    const p = ctx.lookup(args.pages) as PagesBinding;
    checkContents(ctx, `pages ${args.pages.name}`, pagesContents(ctx, p), args.contents);
  }
}

function objectsRead(ctx: ExecContext, args: ExpectArgs): ObjId[] {
  if (args.memory !== undefined && args.length !== undefined)
    return peekObjects(ctx, ctx.addr(args.memory), args.length);
  if (args.pages === undefined) return [EVERYTHING];
  const p = ctx.lookup(args.pages) as PagesBinding | undefined;
  if (p === undefined || !Array.isArray(p.pfns)) return [EVERYTHING];
  return p.pfns.map((pfn) => folioObj(page_folio(ctx.k.mem, pfn)));
}

function same(a: readonly ObjId[], b: readonly ObjId[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The scheduling point before a memory read: it declares the objects the read will look at; if
 * another thread changed which objects those are meanwhile (a new page table, a remapped
 * entry), it declares them again and waits for another turn, as the MMU model does.
 */
function* readPoint(ctx: ExecContext, args: ExpectArgs): Sched<void> {
  for (;;) {
    const objs = objectsRead(ctx, args);
    const p = ctx.m.at('expect', objs[0] ?? EVERYTHING, Access.Read);
    for (let i = 1; i < objs.length; i++) p.also(objs[i]!, Access.Read);
    yield p;
    if (same(objs, objectsRead(ctx, args))) return;
  }
}

export const expectExecutors: readonly ExecutorEntry[] = [
  defineExecutor(
    expectOp,
    function* (ctx, args) {
      // A value compares names resolved at the step's start; memory is read in a step of its own,
      // declared as reads of what it will look at.
      if (args.value === undefined) yield* readPoint(ctx, args);
      check(ctx, args);
      return { primary: 0, ret: 0 };
    },
    { narrowStart: true },
  ),
];

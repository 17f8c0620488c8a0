/**
 * The newcomer's path of the README: run a two-lock program, explore it, get a deadlock with a
 * replayable schedule, replay it and read its trace.
 */
import { describe, expect, it } from 'vitest';
import { gupsim } from './helpers.js';

describe('gupsim run / explore on a TypeScript program', () => {
  it('runs the default schedule: no deadlock, lockdep reports the inversion', () => {
    const r = gupsim('run', 'examples/abba.ts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('abba: PASS');
    expect(r.stdout).toContain('[lockdep.circular] possible circular locking dependency');
    expect(r.stdout).toContain('schedule: gs1:');
  });

  it('explore finds the deadlock and prints the command that replays it', () => {
    const r = gupsim('explore', 'examples/abba.ts');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[sched\.deadlock\] deadlock: t\d waits for [AB] held by t\d/);
    const replay = /replay: +gupsim (run examples\/abba\.ts --schedule (\S+))/.exec(r.stdout);
    expect(replay).not.toBeNull();

    const again = gupsim(...replay![1]!.split(' '), '--trace');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('FAIL (deadlock)');
    expect(again.stdout).toMatch(/lock\.acquire +lock=A/);
    expect(again.stdout).toContain(`schedule: ${replay![2]}`);
  });

  it('--json prints the result object of the scenario spec', () => {
    const r = gupsim('explore', 'examples/abba.ts', '--json');
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(o).toMatchObject({
      format: 'gupsim-result',
      version: 1,
      scenario: 'abba',
      verdict: 'fail',
      strategy: 'dpor',
      complete: false,
    });
    expect(typeof o['executions']).toBe('number');
    expect(typeof o['schedule']).toBe('string');
  });

  it('an exhaustive exploration of a correct program passes and says it was complete', () => {
    const r = gupsim('explore', 'examples/ordered-locks.ts', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'pass', complete: true });
  });

  it('random exploration with a seed is reproducible', () => {
    const a = gupsim(
      'explore',
      'examples/abba.ts',
      '--strategy',
      'random',
      '--seed',
      '3',
      '--json',
    );
    const b = gupsim(
      'explore',
      'examples/abba.ts',
      '--strategy',
      'random',
      '--seed',
      '3',
      '--json',
    );
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('usage errors exit 2 with a message and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'examples/abba.ts', '--schedule', 'nonsense'], /does not start with 'gs1:'/],
    [
      ['run', 'examples/abba.ts', '--schedule', 'gs1:7'],
      /picks thread 7, but only threads \[0, 1\]/,
    ],
    [['run', 'no/such/file.ts'], /no such file/],
    [['run', 'README.md'], /cannot load '.md' files/],
    [['run', 'examples/abba.ts', '--seed', '-1'], /(is not a non-negative integer|unknown option)/],
    [
      ['explore', 'examples/abba.ts', '--strategy', 'magic'],
      /is not one of: dpor, dfs, pct, random, replay/,
    ],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, msg] of cases) {
    it(args.join(' '), () => {
      const r = gupsim(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('the catalogue', () => {
  it('list shows every entry with its description', () => {
    const r = gupsim('list', '--json');
    const entries = JSON.parse(r.stdout) as { name: string; description: string }[];
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['abba', 'ordered-locks']));
    for (const e of entries) expect(e.description.length).toBeGreaterThan(0);
  });

  // `start` is `explore --all` with a million-execution budget; the biggest catalogue entries
  // (dirty-cow: about 43,000 executions) take a minute or more, so the test bounds the budget. Every
  // demonstration still fails within it and no `pass` entry fails.
  it('explore --all explores everything and exits 0 when every entry behaves as expected', () => {
    const r = gupsim('explore', '--all', '--max-executions', '3000');
    expect(r.stdout).toMatch(/all \d+ behaved as expected/);
    expect(r.code).toBe(0);
  });
});

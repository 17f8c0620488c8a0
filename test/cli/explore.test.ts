/**
 * `gupsim explore` as a user runs it: every strategy, the counterexample with its trace and
 * replay command, the same answer whatever the worker or shard count, `gupsim merge`, `--all`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gupsim } from './helpers.js';

const RACY = 'test/explore/fixtures/racy-counter.ts';

function json(...args: string[]): Record<string, unknown> {
  const r = gupsim('explore', ...args, '--json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('gupsim explore', () => {
  it('prints the shrunk counterexample with its trace, preemptions and replay command', () => {
    const r = gupsim('explore', RACY);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/found a failing execution after \d+ executions \(strategy dpor\)/);
    expect(r.stdout).toMatch(/shrunk from \d+ preemptions?, \d+ steps to 1 preemption, \d+ steps/);
    expect(r.stdout).toMatch(/sched\.switch +from=cpu\d to=cpu\d preempted=true/);
    const replay = /replay: +gupsim (run \S+ --schedule (\S+))/.exec(r.stdout)!;
    const again = gupsim(...replay[1]!.split(' '));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('[fixture.lost-update] counter is');
  });

  it('gives the same result object with one worker, two workers and three shards merged', () => {
    const one = json(RACY, '--workers', '1');
    expect(json(RACY, '--workers', '2')).toEqual(one);
    const dir = mkdtempSync(join(tmpdir(), 'gupsim-shards-'));
    const files = [1, 2, 3].map((i) => {
      const r = gupsim('explore', RACY, '--shard', `${i}/3`);
      const f = join(dir, `s${i}.json`);
      writeFileSync(f, r.stdout);
      return f;
    });
    const merged = gupsim('merge', ...files, '--json');
    expect(merged.code).toBe(1);
    expect(JSON.parse(merged.stdout)).toEqual(one);
    expect(one).toMatchObject({ verdict: 'fail', strategy: 'dpor', complete: false });
  });

  it('covers the whole space of a correct program and says so', () => {
    const o = json('examples/ordered-locks.ts', '--strategy', 'dfs');
    expect(o).toMatchObject({ verdict: 'pass', strategy: 'dfs', complete: true });
  });

  it('bounds preemptions: ABBA needs one to deadlock', () => {
    const none = json('examples/abba.ts', '--preemption-bound', '0');
    expect(none).toMatchObject({ verdict: 'pass', complete: true, preemptionBound: 0 });
    const one = json('examples/abba.ts', '--preemption-bound', '1');
    expect(one).toMatchObject({ verdict: 'fail', status: 'deadlock', preemptionBound: 1 });
  });

  it('pct states its guarantee; random and pct repeat with the same seed', () => {
    const r = gupsim(
      'explore',
      'examples/ordered-locks.ts',
      '--strategy',
      'pct',
      '--max-executions',
      '200',
    );
    expect(r.stdout).toMatch(
      /PCT depth 3, n=2 threads, k=\d+ decisions: each run finds a given bug of depth <= 3 with probability >= /,
    );
    for (const strategy of ['pct', 'random']) {
      const args = [RACY, '--strategy', strategy, '--seed', '9', '--max-executions', '300'];
      expect(json(...args)).toEqual(json(...args));
    }
  });

  it('replays a given schedule as the replay strategy', () => {
    const o = json('examples/abba.ts', '--strategy', 'replay', '--schedule', 'gs1:0x2.1');
    expect(o).toMatchObject({
      verdict: 'fail',
      status: 'deadlock',
      schedule: 'gs1:0x2.1',
      executions: 1,
    });
  });

  it('--all explores the catalogue and reports whether each entry behaved', () => {
    // a bounded budget: the whole space of the largest entries takes minutes (npm start does it)
    const r = gupsim('explore', '--all', '--json', '--max-executions', '3000');
    const rows = JSON.parse(r.stdout) as { file: string; ok: boolean }[];
    expect(rows.map((x) => x.file)).toContain('examples/abba.ts');
    expect(r.code).toBe(rows.every((x) => x.ok) ? 0 : 1);
  });
});

describe('explore usage errors exit 2 with a message', () => {
  const cases: [string[], RegExp][] = [
    [['explore', RACY, '--shard', '3/2'], /--shard '3\/2' is not I\/N/],
    [['explore', RACY, '--preemption-bound', 'x'], /--preemption-bound 'x'/],
    [['explore', RACY, '--workers', '0'], /--workers '0' is not a positive integer/],
    [['explore', RACY, '--timeout', '-1'], /(--timeout '-1'|unknown option)/],
    [['explore', RACY, '--all'], /give a FILE or --all, not both/],
    [['explore', RACY, '--strategy', 'replay'], /--strategy replay needs --schedule/],
    [
      ['explore', 'examples/abba.ts', '--strategy', 'replay', '--schedule', 'gs1:7'],
      /picks thread 7/,
    ],
    [['merge', 'no-such.json'], /no-such\.json: not a readable JSON file/],
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

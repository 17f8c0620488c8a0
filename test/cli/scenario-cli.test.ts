// The CLI on scenarios, beyond the transcripts: the result object of --json, the trace formats,
// the catalogue listing, help with examples for every command, and exit codes.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gupsim, ROOT } from './helpers.js';

const PASSING = 'scenarios/mmap-lock-readers-share.yaml';
const DEMO = 'scenarios/mmap-lock-read-recursion.yaml';

describe('gupsim run FILE --json', () => {
  it('prints the result object of the format', () => {
    const r = gupsim('run', DEMO, '--json');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual([
      'format',
      'version',
      'scenario',
      'verdict',
      'status',
      'results',
      'expectations',
      'violations',
      'schedule',
    ]);
    expect(o).toMatchObject({
      format: 'gupsim-result',
      version: 1,
      scenario: 'mmap-lock-read-recursion',
      verdict: 'pass',
      results: { app: 'pid 1' },
      expectations: [],
      schedule: 'gs1:',
    });
    expect(o['violations']).toEqual([
      expect.objectContaining({
        id: 'lockdep.recursive',
        thread: 'reader',
        rule: 'kernel/locking/lockdep.c: check_deadlock',
        at: `reader step 3 (${DEMO}:10:9)`,
      }),
    ]);
  });

  it('records expectations with thread, step, outcome and message', () => {
    const r = gupsim('run', 'examples/mmap-lock-downgrade.ts', '--json');
    const o = JSON.parse(r.stdout) as { expectations: unknown[]; results: unknown };
    expect(o.expectations).toEqual([
      {
        thread: 'reader',
        step: 1,
        ok: true,
        message: 'mmap_read_lock returns 0',
        where: 'mmap-lock-downgrade (TypeScript): thread reader, step 1',
      },
    ]);
    expect(o.results).toEqual({ app: 'pid 1', r: 0 });
  });

  it('exits 1 for a failing execution, with the schedule that replays it', () => {
    const r = gupsim('run', DEMO, '--schedule', 'gs1:0x6.1', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'fail',
      status: 'deadlock',
      schedule: 'gs1:0x6.1',
    });
  });

  it('exits 2 with the position and nothing on stdout for bad input', () => {
    const r = gupsim('run', 'test/cli/transcripts/bad-argument.yaml', '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^test\/cli\/transcripts\/bad-argument\.yaml:6:\d+: GS133 /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('gupsim trace on a scenario', () => {
  it('prints the scenario steps among the kernel events', () => {
    const r = gupsim('trace', PASSING);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reader1 +scenario\.step +step=1 op=mmap_read_lock/);
    expect(r.stdout).toMatch(/lock\.acquire +lock="mm1->mmap_lock" mode=read/);
  });

  it('writes JSON and Perfetto files with -o', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gupsim-'));
    const json = gupsim('trace', PASSING, '--format', 'json', '-o', join(dir, 't.json'));
    expect(json.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'))).toMatchObject({
      format: 'gupsim-trace',
      program: 'mmap-lock-readers-share',
      threads: ['reader1', 'reader2'],
    });
    const pf = gupsim('trace', PASSING, '--format', 'perfetto', '-o', join(dir, 'p.json'));
    expect(pf.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'))).toHaveProperty('traceEvents');
  });

  it('writes nothing for a scenario that does not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gupsim-'));
    const out = join(dir, 'never.json');
    const r = gupsim('trace', 'test/cli/transcripts/misspelt.yaml', '-o', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('gupsim list', () => {
  it('lists the bundled scenarios and examples with descriptions and tags', () => {
    const r = gupsim('list', '--json');
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as {
      name: string;
      file: string;
      kind: string;
      tags: string[];
      expectation: string;
    }[];
    const names = entries.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'mmap-lock-readers-share',
        'mmap-lock-read-recursion',
        'abba',
        'mmap-lock-downgrade',
      ]),
    );
    expect(entries.find((e) => e.name === 'mmap-lock-read-recursion')).toMatchObject({
      file: DEMO,
      kind: 'scenario',
      expectation: 'fail',
      tags: expect.arrayContaining(['mmap-lock']),
    });
    for (const e of entries) expect(e.file).toMatch(/^(scenarios|examples)\//);
  });
});

describe('help', () => {
  it('shows examples for every command, naming files that exist', () => {
    for (const cmd of ['run', 'explain', 'trace', 'list', 'explore', 'start']) {
      const r = gupsim(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Examples:\n {2}\$ gupsim /);
      for (const m of r.stdout.matchAll(/\$ gupsim \w+ ((?:scenarios|examples)\/\S+)/g)) {
        expect(existsSync(join(ROOT, m[1]!)), m[1]).toBe(true);
      }
    }
  });

  it('a usage error exits 2', () => {
    expect(gupsim('run').code).toBe(2);
    expect(gupsim('explain', PASSING, '--no-such-flag').code).toBe(2);
    expect(gupsim('run', 'no-such-file.yaml').code).toBe(2);
  });
});

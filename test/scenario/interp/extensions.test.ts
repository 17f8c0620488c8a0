// The catalogue's optional keys (tags, expect.explore), the registries the model gives the
// loader (implemented operations and quirks, known checkers), and the machine's boot check.
import { describe, expect, it } from 'vitest';
import { QUIRKS, implementedQuirks } from '../../../src/kernel/quirks.js';
import { ScenarioError } from '../../../src/scenario/errors.js';
import { executorRegistry, implementedOperations } from '../../../src/scenario/exec/index.js';
import { knownCheckerIds } from '../../../src/scenario/interp/checkers.js';
import { loadModelScenario } from '../../../src/scenario/interp/load.js';
import { catalogue } from '../../../src/scenario/ops/index.js';
import { ENGINE_CHECKERS } from '../../../src/sim/violation.js';
import { at } from '../helpers.js';

function errorOf(text: string): ScenarioError {
  try {
    loadModelScenario('t.yaml', text);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('loaded without error');
}

function expectAt(text: string, code: string, needle: string): ScenarioError {
  const e = errorOf(text);
  expect({ code: e.code, line: e.line, column: e.column }).toEqual({ code, ...at(text, needle) });
  return e;
}

const BODY = 'threads: { main: { steps: [] } }\n';

describe('tags', () => {
  it('are optional lower-case words, kept in order', () => {
    expect(loadModelScenario('t.yaml', `scenario: t\n${BODY}`).tags).toEqual([]);
    const s = loadModelScenario('t.yaml', `scenario: t\ntags: [gup, cow-fork]\n${BODY}`);
    expect(s.tags).toEqual(['gup', 'cow-fork']);
  });

  it('GS107 for a tag that is not a lower-case word, or a tag twice', () => {
    expectAt(`scenario: t\ntags: [gup, GUP]\n${BODY}`, 'GS107', 'GUP');
    expectAt(`scenario: t\ntags: [gup, gup]\n${BODY}`, 'GS107', 'gup]');
  });
});

describe('expect.explore', () => {
  it('is pass by default, or fail for a bug demonstration', () => {
    expect(loadModelScenario('t.yaml', `scenario: t\n${BODY}`).expect.explore).toBe('pass');
    const s = loadModelScenario('t.yaml', `scenario: t\n${BODY}expect: { explore: fail }\n`);
    expect(s.expect).toMatchObject({ violations: { kind: 'none' }, explore: 'fail' });
  });

  it('GS115 for another word, GS103 for another key', () => {
    expectAt(`scenario: t\n${BODY}expect: { explore: maybe }\n`, 'GS115', 'maybe');
    expect(expectAt(`scenario: t\n${BODY}expect: { explor: fail }\n`, 'GS103', 'explor').hint).toBe(
      "did you mean 'explore'?",
    );
  });
});

describe('the model registries', () => {
  it('accept only operations with an executor; the others are GS132', () => {
    expect([...implementedOperations.keys()].sort()).toEqual([...executorRegistry.keys()].sort());
    const missing = catalogue.find((op) => !executorRegistry.has(op.name));
    if (missing !== undefined) {
      const text = `scenario: t\nthreads: { main: { steps: [ { ${missing.name}: {} } ] } }\n`;
      expect(errorOf(text).code).toBe('GS132');
    }
  });

  it('accept only implemented quirks; every quirk names the commit that removed it', () => {
    for (const q of QUIRKS) expect(q.fixedBy, q.id).not.toBe('');
    const ids = QUIRKS.map((q) => q.id);
    expect(ids).toEqual(
      expect.arrayContaining(['dirty-cow', 'fork-shares-pinned', 'dio-get-not-pin']),
    );
    const off = QUIRKS.find((q) => !q.implemented);
    if (off !== undefined) {
      expect(errorOf(`scenario: t\nkernel: { quirks: [${off.id}] }\n${BODY}`).code).toBe('GS122');
    }
    expect(implementedQuirks()).toEqual(QUIRKS.filter((q) => q.implemented).map((q) => q.id));
  });

  it('know the engine checkers', () => {
    expect(knownCheckerIds()).toEqual(expect.arrayContaining(ENGINE_CHECKERS.map((c) => c.id)));
    expect(errorOf(`scenario: t\n${BODY}expect: { violations: [lockdep.circulr] }\n`).hint).toBe(
      "did you mean 'lockdep.circular'?",
    );
  });

  it('refuse a machine the memory model cannot boot (GS120)', () => {
    const e = errorOf(`scenario: t\nmachine: { memory: 4MiB }\n${BODY}`);
    expect(e.code).toBe('GS120');
    expect(e.problem).toMatch(/the machine cannot boot: memory must be at least/);
  });
});

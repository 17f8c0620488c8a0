// Each kind of bad input gives its error code at the place of the mistake (line and column).
import { describe, expect, it } from 'vitest';
import { ScenarioError, errorCodes } from '../../src/scenario/index.js';
import { operationRegistry } from '../../src/scenario/operation.js';
import { catalogue } from '../../src/scenario/ops/index.js';
import { errorOf, expectError, MMAP_BUF, withSteps } from './helpers.js';

const top = (...lines: string[]) =>
  ['scenario: t', ...lines, 'threads: { main: { steps: [] } }', ''].join('\n');

describe('document shape', () => {
  it('GS100 syntax error', () => {
    const e = errorOf('scenario: t\nthreads: { main: [\n');
    expect(e.code).toBe('GS100');
    expect(e.line).toBeGreaterThanOrEqual(2);
  });
  it('GS101 duplicate key', () => {
    const text = 'scenario: a\nscenario: b\nthreads: {}\n';
    expectError(text, 'GS101', 'scenario', 1);
  });
  it('GS102 not a map', () => {
    expectError('- mmap: {}\n', 'GS102', '- mmap');
    expect(errorOf('').code).toBe('GS102');
  });
  it('GS103 unknown key, with a suggestion and the accepted keys', () => {
    const text = 'scenario: t\nthreds: {}\n';
    const e = expectError(text, 'GS103', 'threds');
    expect(e.hint).toBe("did you mean 'threads'?");
    expect(e.accepted).toContain("'machine'");
  });
  it('GS104 missing required key', () => {
    expectError('scenario: t\n', 'GS104', 'scenario');
  });
  it('GS105 wrong type', () => {
    expectError('scenario: t\nthreads: [main]\n', 'GS105', '[main]');
    expectError(withSteps('mmap: 4KiB'), 'GS105', '4KiB');
  });
  it('GS106 invalid scenario id', () => {
    expectError('scenario: Bad_Id\nthreads: { main: { steps: [] } }\n', 'GS106', 'Bad_Id');
  });
});

describe('values', () => {
  it('GS110 invalid size, with the unit spelling', () => {
    const text = withSteps(
      'mmap: { length: 4KB, prot: [PROT_READ], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
    );
    expect(expectError(text, 'GS110', '4KB').hint).toBe("write the unit as 'KiB'");
  });
  it('GS111 integer out of range or not an integer', () => {
    expectError(
      withSteps(MMAP_BUF, 'memset: { addr: buf, length: 4KiB, value: 256 }'),
      'GS111',
      '256',
    );
    expectError(
      withSteps(MMAP_BUF, 'pin_user_pages: { start: buf, nr_pages: 1.5 }'),
      'GS111',
      '1.5',
    );
  });
  it('GS112 unknown flag, with the closest name', () => {
    const text = withSteps(
      MMAP_BUF,
      'pin_user_pages: { start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE, FOLL_LONGTERN] }',
    );
    const e = expectError(text, 'GS112', 'FOLL_LONGTERN');
    expect(e.hint).toBe("did you mean 'FOLL_LONGTERM'?");
    expect(e.accepted).toContain('docs/scenario-format.md');
  });
  it('GS112 a flag of another family', () => {
    const text = withSteps(
      MMAP_BUF,
      'pin_user_pages: { start: buf, nr_pages: 1, gup_flags: [MAP_SHARED] }',
    );
    expect(expectError(text, 'GS112', 'MAP_SHARED').problem).toContain('MAP_* constant');
  });
  it('GS112 an unknown madvise advice', () => {
    expectError(
      withSteps(MMAP_BUF, 'madvise: { addr: buf, length: 4KiB, advice: MADV_DONTNEEDED }'),
      'GS112',
      'MADV_DONTNEEDED',
    );
  });
  it('GS113 unknown errno', () => {
    const text = withSteps(MMAP_BUF, 'expect: { value: buf.ret, equals: -EFAUL }');
    expect(expectError(text, 'GS113', '-EFAUL').hint).toBe("did you mean '-EFAULT'?");
  });
  it('GS114 invalid address or value expression', () => {
    expectError(
      withSteps(MMAP_BUF, 'memset: { addr: buf.ret, length: 4KiB, value: 1 }'),
      'GS114',
      'buf.ret',
    );
    expectError(
      withSteps(MMAP_BUF, 'memset: { addr: buf+4KB, length: 4KiB, value: 1 }'),
      'GS114',
      'buf+4KB',
    );
    expectError(
      withSteps(MMAP_BUF, 'expect: { value: "buf * 2", equals: 1 }'),
      'GS114',
      '"buf * 2"',
    );
  });
  it('GS115 word not accepted', () => {
    expectError(top('files: { f: { fs: ntfs } }'), 'GS115', 'ntfs');
    expectError(top('machine: { thp: sometimes }'), 'GS115', 'sometimes');
  });
});

describe('machine, files, quirks, processes', () => {
  it('GS120 inconsistent machine', () => {
    expectError(top('machine: { memory: 64MiB, movable: 128MiB }'), 'GS120', '{ memory');
    expectError(top('machine: { hugetlb: { 1GiB: 1 } }'), 'GS120', '{ hugetlb');
    expectError(top('machine: { thp: { 8KiB: always } }'), 'GS120', '8KiB');
    expectError(top('machine: { hugetlb: { 4MiB: 1 } }'), 'GS120', '4MiB');
    expectError(top('machine: { memory: 4097 }'), 'GS120', '4097');
  });
  it('GS121 invalid file', () => {
    expectError(top('files: { huge: { fs: hugetlbfs, size: 4KiB } }'), 'GS121', '4KiB');
  });
  it('GS122 unknown quirk', () => {
    expect(expectError(top('kernel: { quirks: [dirty-cwo] }'), 'GS122', 'dirty-cwo').hint).toBe(
      "did you mean 'dirty-cow'?",
    );
  });
  it('GS123 invalid process list', () => {
    expectError(top('processes: [a, a]'), 'GS123', 'a]');
    expectError(top('processes: []'), 'GS123', '[]');
  });
  it('GS124 invalid name', () => {
    expectError(
      withSteps(
        'mmap: { as: 1buf, length: 4KiB, prot: [PROT_READ], flags: [MAP_SHARED, MAP_ANONYMOUS] }',
      ),
      'GS124',
      '1buf',
    );
    expectError('scenario: t\nthreads: { "my thread": { steps: [] } }\n', 'GS124', '"my thread"');
  });
});

describe('steps and operations', () => {
  it('GS130 a step with two operations, or not a map', () => {
    expectError(withSteps('{ fork: {}, exit: {} }'), 'GS130', 'exit');
    expectError(withSteps('[fork]'), 'GS130', '[fork]');
  });
  it('GS131 unknown operation, with the closest one', () => {
    const text = withSteps(MMAP_BUF, 'pin_user_page: { start: buf, nr_pages: 1 }');
    const e = expectError(text, 'GS131', 'pin_user_page:');
    expect(e.message).toContain(
      "unknown operation 'pin_user_page'; did you mean 'pin_user_pages'?",
    );
    expect({ line: e.line, column: e.column }).toEqual({ line: 6, column: 9 });
  });
  it('GS132 an operation the model does not implement', () => {
    const registry = operationRegistry(catalogue.filter((op) => op.name !== 'khugepaged'));
    expectError(withSteps('khugepaged: {}'), 'GS132', 'khugepaged', 0, { operations: registry });
  });
  it('GS133 unknown argument', () => {
    const text = withSteps(
      'mmap: { lenght: 4KiB, prot: [PROT_READ], flags: [MAP_SHARED, MAP_ANONYMOUS] }',
    );
    expect(expectError(text, 'GS133', 'lenght').hint).toBe("did you mean 'length'?");
  });
  it('GS134 missing argument', () => {
    expectError(
      withSteps('mmap: { length: 4KiB, flags: [MAP_SHARED, MAP_ANONYMOUS] }'),
      'GS134',
      'mmap',
    );
  });
  it('GS135 invalid combination', () => {
    expectError(withSteps('expect: { value: 1 }'), 'GS135', 'expect');
    expectError(withSteps('fork: { as: a }\n        as: b'), 'GS135', 'as', 1);
  });
  it('GS136 repeat nested too deeply', () => {
    let body = '{ fork: {} }';
    for (let i = 0; i < 10; i++) body = `{ repeat: { times: 1, steps: [${body}] } }`;
    const e = errorOf(withSteps(body.slice(2, -2)));
    expect(e.code).toBe('GS136');
  });
});

describe('names', () => {
  it('GS140 a name bound twice', () => {
    expectError(withSteps(MMAP_BUF, MMAP_BUF), 'GS140', 'buf', 1);
    expectError(
      top('processes: [p]').replace('steps: []', 'steps: [ { fork: { as: p } } ]'),
      'GS140',
      'p }',
    );
  });
  it('GS141 a name never bound', () => {
    expectError(withSteps('unpin_user_pages: { pages: q }'), 'GS141', 'q }');
    expect(errorOf(withSteps('expect: { value: 1, equals: EFAULT }')).hint).toBe(
      "an errno is written with its sign: '-EFAULT'",
    );
  });
  it('GS142 a name used in its thread before the step that binds it', () => {
    expectError(
      withSteps('memset: { addr: buf, length: 4KiB, value: 1 }', MMAP_BUF),
      'GS142',
      'buf',
    );
    expectError(
      withSteps(
        'mmap: { as: buf, addr: buf, length: 4KiB, prot: [PROT_READ], flags: [MAP_SHARED, MAP_ANONYMOUS] }',
      ),
      'GS142',
      'buf',
      1,
    );
  });
  it('GS143 a name of the wrong kind', () => {
    expect(
      expectError(withSteps(MMAP_BUF, 'unpin_user_pages: { pages: buf }'), 'GS143', 'buf', 1)
        .problem,
    ).toContain('bound by mmap');
  });
  it('GS144 an unknown field', () => {
    expectError(withSteps(MMAP_BUF, 'expect: { value: buf.nope, equals: 1 }'), 'GS144', 'buf.nope');
    const noLocked = withSteps(
      MMAP_BUF,
      'pin_user_pages_remote: { as: p, start: buf, nr_pages: 1 }',
      'expect: { value: p.locked, equals: 1 }',
    );
    expectError(noLocked, 'GS144', 'p.locked');
  });
  it('GS145 unknown thread', () => {
    expectError(withSteps('kill: { thread: mian }'), 'GS145', 'mian');
  });
  it('GS146 a thread or a step naming a process that does not exist', () => {
    expectError(
      'scenario: t\nprocesses: [a]\nthreads: { main: { process: b, steps: [] } }\n',
      'GS146',
      'b,',
    );
    expectError(withSteps('exit: { process: ghost }'), 'GS146', 'ghost');
    const forked =
      'scenario: t\nthreads:\n  main: { steps: [ { fork: { as: child } } ] }\n  kid: { process: child, steps: [] }\n';
    expect(expectError(forked, 'GS146', 'child', 1).hint).toContain('bound by fork');
  });
  it('GS147 a wait that nothing signals', () => {
    expectError(withSteps('signal: ready', 'wait: redy'), 'GS147', 'wait');
  });
  it('GS148 open of an undeclared file without O_CREAT', () => {
    expectError(withSteps('open: { path: nope }'), 'GS148', 'nope');
    expect(() => errorOf(withSteps('open: { path: new, flags: [O_CREAT, O_RDWR] }'))).toThrow(
      'loaded without error',
    );
  });
});

describe('the end expectation', () => {
  it('GS150 invalid violations', () => {
    expectError(
      'scenario: t\nthreads: { main: { steps: [] } }\nexpect: { violations: some }\n',
      'GS150',
      'some',
    );
  });
  it('GS151 unknown checker id', () => {
    const text =
      'scenario: t\nthreads: { main: { steps: [] } }\nexpect: { violations: [pin-leek] }\n';
    expectError(text, 'GS151', 'pin-leek', 0, { checkers: ['pin-leak', 'refcount-underflow'] });
  });
});

describe('every error', () => {
  it('is a ScenarioError with a stable code, a position and a readable message', () => {
    const e = errorOf(withSteps('pin_user_page: {}'));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(Object.keys(errorCodes)).toContain(e.code);
    expect(e.message).toMatch(/^test\.yaml:5:9: GS131 /);
    expect(e.toJSON()).toMatchObject({ code: 'GS131', file: 'test.yaml', line: 5, column: 9 });
  });
});

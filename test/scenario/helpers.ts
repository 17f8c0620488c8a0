// Shared helpers for the scenario loader tests.
import { expect } from 'vitest';
import {
  loadScenario,
  ScenarioError,
  type LoadOptions,
  type ScenarioSpec,
} from '../../src/scenario/index.js';

/** The quirk registry the tests pass (the spec's example names dirty-cow). */
export const QUIRKS = ['dirty-cow', 'pre-6.5-longterm-fast'];

export function load(text: string, options: LoadOptions = {}, file = 'test.yaml'): ScenarioSpec {
  return loadScenario(file, text, { quirks: QUIRKS, ...options });
}

/** Line and column (1-based) of the `nth` occurrence of `needle` in `text`. */
export function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The ScenarioError that loading `text` throws. */
export function errorOf(text: string, options: LoadOptions = {}): ScenarioError {
  try {
    load(text, options);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('the scenario loaded without error');
}

/** Loading fails with `code` at the place where `needle` starts. */
export function expectError(
  text: string,
  code: string,
  needle: string,
  nth = 0,
  options: LoadOptions = {},
): ScenarioError {
  const error = errorOf(text, options);
  expect({ code: error.code, line: error.line, column: error.column }).toEqual({
    code,
    ...at(text, needle, nth),
  });
  return error;
}

/** A scenario with one thread `main` running `steps` (YAML step lines, without the dash). */
export function withSteps(...steps: string[]): string {
  return [
    'scenario: t',
    'threads:',
    '  main:',
    '    steps:',
    ...steps.map((s) => `      - ${s}`),
    '',
  ].join('\n');
}

export const MMAP_BUF =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

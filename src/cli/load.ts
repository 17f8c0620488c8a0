/**
 * Loading what the user names on the command line as a Program: a scenario file (`.yaml`,
 * `.yml`, `.json`; docs/scenario-format.md), or a TypeScript or JavaScript module whose default
 * export is a program (`defineProgram`) or a scenario (`defineScenario`). A malformed scenario
 * is an input error (exit 2) printed as `file:line:column: GSnnn problem` plus what is accepted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenarioProgram } from '../scenario/interp/load.js';
import type { ScenarioRuntimeError } from '../scenario/interp/runtime-error.js';
import type { Program } from '../sim/program.js';
import { CliError } from './errors.js';

const MODULE_EXTS = new Set(['.ts', '.mts', '.js', '.mjs']);
export const SCENARIO_EXTS = new Set(['.yaml', '.yml', '.json']);

function isProgram(x: unknown): x is Program {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return typeof p['name'] === 'string' && typeof p['setup'] === 'function';
}

/** A scenario input error (load time or run time), printed as it is, exit status 2. */
export function scenarioInputError(e: ScenarioError | ScenarioRuntimeError): CliError {
  return new CliError(e.message, e.code, 2, true);
}

/**
 * How positions name a scenario file: relative to the working directory when it is under it,
 * else absolute; the same whether the file was given as `x.yaml`, `./x.yaml` or `/abs/x.yaml`
 * (so a worker thread given the absolute path reports the same places).
 */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function loadScenarioFile(path: string): Program {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`, 'GS201');
  }
  try {
    return loadScenarioProgram(file, text);
  } catch (e) {
    if (e instanceof ScenarioError) throw scenarioInputError(e);
    throw e;
  }
}

async function importModule(file: string, path: string, ext: string): Promise<unknown> {
  try {
    return ext === '.ts' || ext === '.mts'
      ? await tsImport(path, import.meta.url)
      : await import(pathToFileURL(path).href);
  } catch (e) {
    throw new CliError(
      `${file}: the module failed to load: ${e instanceof Error ? e.message : String(e)}`,
      'GS203',
    );
  }
}

export async function loadProgram(file: string): Promise<Program> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError(`${file}: no such file`, 'GS201');
  const ext = extname(path);
  if (SCENARIO_EXTS.has(ext)) return loadScenarioFile(path);
  if (!MODULE_EXTS.has(ext)) {
    throw new CliError(
      `${file}: cannot load '${ext}' files; gupsim runs scenarios (.yaml, .yml, .json) and TypeScript or JavaScript programs (.ts, .mts, .js, .mjs)`,
      'GS202',
    );
  }
  const def = ((await importModule(file, path, ext)) as { default?: unknown }).default;
  if (!isProgram(def)) {
    throw new CliError(
      `${file}: the default export is not a program; export default defineScenario({ scenario, threads }) or defineProgram({ name, setup(m) { ... } })`,
      'GS204',
    );
  }
  return def;
}

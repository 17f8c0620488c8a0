/**
 * Loading what the user names on the command line: a TypeScript or JavaScript module whose
 * default export is a program (see `defineProgram`).
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { Program } from '../sim/program.js';
import { CliError } from './errors.js';

const MODULE_EXTS = new Set(['.ts', '.mts', '.js', '.mjs']);

function isProgram(x: unknown): x is Program {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return typeof p['name'] === 'string' && typeof p['setup'] === 'function';
}

export async function loadProgram(file: string): Promise<Program> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError(`${file}: no such file`, 'GS201');
  const ext = extname(path);
  if (!MODULE_EXTS.has(ext)) {
    throw new CliError(
      `${file}: cannot load '${ext}' files; gupsim runs TypeScript or JavaScript programs (.ts, .mts, .js, .mjs)`,
      'GS202',
    );
  }
  let mod: unknown;
  try {
    mod =
      ext === '.ts' || ext === '.mts'
        ? await tsImport(path, import.meta.url)
        : await import(pathToFileURL(path).href);
  } catch (e) {
    throw new CliError(
      `${file}: the module failed to load: ${e instanceof Error ? e.message : String(e)}`,
      'GS203',
    );
  }
  const def = (mod as { default?: unknown }).default;
  if (!isProgram(def)) {
    throw new CliError(
      `${file}: the default export is not a program; export default defineProgram({ name, setup(m) { ... } })`,
      'GS204',
    );
  }
  return def;
}

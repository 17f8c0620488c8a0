/**
 * Finding a C compiler and building one C source into a binary. The host programs are small
 * single-file C (libc and Linux uapi headers only), built with warnings as errors.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HostError } from './errors.js';
import { which } from './tools.js';

const execFileAsync = promisify(execFile);

/** `native/` of this package: harness.h, uring.h and the benchmark programs. */
export const NATIVE_DIR = fileURLToPath(new URL('../../../native/', import.meta.url));

/** The flags every host program is built with. */
export const DEFAULT_CFLAGS: readonly string[] = ['-O2', '-Wall', '-Werror'];

/** The C compiler to use: $CC if set, else the first of cc, gcc, clang on $PATH. */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cc = env['CC'];
  if (cc !== undefined && cc !== '') return which(cc, env['PATH']);
  for (const name of ['cc', 'gcc', 'clang']) {
    const found = which(name, env['PATH']);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface CompileOptions {
  /** The C source text. */
  readonly source: string;
  /** Base name of the source and the binary in `dir` (letters, digits, `-`, `_`). */
  readonly name: string;
  /** A scratch directory (see CleanupRegistry.scratchDir). */
  readonly dir: string;
  /** `-I` directories; NATIVE_DIR is always searched, so `#include "harness.h"` works. */
  readonly includeDirs?: readonly string[];
  /** Replaces DEFAULT_CFLAGS. */
  readonly cflags?: readonly string[];
  /** Appended after the source (libraries: `-lpthread`). */
  readonly ldflags?: readonly string[];
  readonly compiler?: string;
  readonly timeoutMs?: number;
}

/** Writes `dir/name.c`, compiles it to `dir/name` and returns the binary's path. */
export async function compileC(o: CompileOptions): Promise<string> {
  if (!/^[\w-]+$/.test(o.name)) throw new HostError(`bad program name '${o.name}'`, 'HOST001');
  const cc = o.compiler ?? findCompiler();
  if (cc === undefined) throw new HostError('no C compiler (cc, gcc, clang or $CC)', 'HOST002');
  const src = join(o.dir, `${o.name}.c`);
  const bin = join(o.dir, o.name);
  writeFileSync(src, o.source);
  const includes = [...(o.includeDirs ?? []), NATIVE_DIR].map((d) => `-I${d}`);
  const args = [...(o.cflags ?? DEFAULT_CFLAGS), ...includes, '-o', bin, src, ...(o.ldflags ?? [])];
  try {
    await execFileAsync(cc, args, { timeout: o.timeoutMs ?? 60_000, maxBuffer: 1 << 20 });
  } catch (e) {
    const out = (e as { stderr?: string }).stderr ?? String(e);
    throw new HostError(`${cc} failed on ${o.name}.c:\n${out}`, 'HOST003');
  }
  return bin;
}

/**
 * The bundled catalogue: the scenarios of `scenarios/` (YAML or JSON) and the example programs of
 * `examples/` (TypeScript), shipped beside the package.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesOf(dir: string, pattern: RegExp): string[] {
  const path = join(PACKAGE_ROOT, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .filter((f) => pattern.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** Paths (relative to the package root) of every catalogue entry: scenarios, then examples. */
export function catalogueFiles(): string[] {
  return [...filesOf('scenarios', /\.(ya?ml|json)$/), ...filesOf('examples', /\.(ts|mts|js|mjs)$/)];
}

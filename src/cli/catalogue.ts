/** The bundled catalogue: the example programs shipped beside the package. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Paths (relative to the package root) of every catalogue entry, sorted. */
export function catalogueFiles(): string[] {
  const dir = join(PACKAGE_ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join('examples', f));
}

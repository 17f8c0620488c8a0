/** Finding host executables: on $PATH, then in the sbin directories root's tools live in. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The path of an executable `name` on `path` (or `name` itself if it has a slash), if any. */
export function which(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  const dirs = name.includes('/') ? [''] : path.split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const file = dir === '' ? name : join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A system tool (mkfs.ext4, losetup, mount, mkswap, ...): $PATH, then the sbin directories. */
export function findTool(name: string): string | undefined {
  return which(name) ?? which(name, SBIN.join(delimiter));
}

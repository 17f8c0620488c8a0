/** Kernel constants as the reproducer writes them in C: names, with fallbacks for old headers. */
import type { ConstTable } from '../../kernel/include/const_table.js';
import { O_ACCMODE, O_RDWR, O_WRONLY } from '../../kernel/include/fcntl.js';
import type { Constant, FlagSet } from '../../scenario/index.js';

export const O_ACCMODE_WRITES = 'O_WRONLY or O_RDWR';

/** Does an open(2) flag word ask for write access? */
export function isWriteAccess(flags: number): boolean {
  const mode = flags & O_ACCMODE;
  return mode === O_WRONLY || mode === O_RDWR;
}

const C_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The constants a program names, each written `#ifndef NAME / #define NAME value / #endif`, so
 * that the program builds against uapi headers older than the constant (MADV_COLLAPSE, ...).
 */
export class Defines {
  private readonly values = new Map<string, number>();

  /** Remembers `name = value` and returns the name, to be written in C as it is. */
  use(name: string, value: number): string {
    this.values.set(name, value);
    return name;
  }

  /** A flag set as `A | B` (`0` when empty); numbers written as raw bits stay hex. */
  flags(set: FlagSet, table: ConstTable): string {
    const parts = set.names.map((n) => {
      const v = table.valueOf(n);
      if (C_NAME.test(n) && v !== undefined) return this.use(n, v);
      return `0x${Number(n).toString(16)}`;
    });
    const named = parts.filter((p) => p !== '0x0');
    return named.length === 0 ? '0' : named.join(' | ');
  }

  constant(c: Constant): string {
    return this.use(c.name, c.value);
  }

  render(): string[] {
    const lines: string[] = [];
    for (const [name, value] of [...this.values].sort(([a], [b]) => a.localeCompare(b))) {
      const v = value < 0 ? `(${value})` : value > 0xffff ? `0x${value.toString(16)}` : `${value}`;
      lines.push(`#ifndef ${name}`, `#define ${name} ${v}`, '#endif');
    }
    return lines;
  }
}

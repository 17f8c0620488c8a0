/** Colour only when writing to a terminal (and NO_COLOR is unset). */
const useColour = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;

function wrap(code: number, reset: number) {
  return (s: string): string => (useColour ? `\u001b[${code}m${s}\u001b[${reset}m` : s);
}

export const green = wrap(32, 39);
export const red = wrap(31, 39);
export const yellow = wrap(33, 39);
export const bold = wrap(1, 22);
export const dim = wrap(2, 22);

export function out(s = ''): void {
  process.stdout.write(`${s}\n`);
}

export function err(s: string): void {
  process.stderr.write(`${s}\n`);
}

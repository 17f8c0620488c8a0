/**
 * Schedules: the complete record of a run's nondeterministic decisions, as a short,
 * versioned, copy-pasteable string.
 *
 * A decision is one number: the id of the thread chosen at a scheduling point where more than
 * one thread could run, or the value picked by a data choice (`Machine.choose`). Points with a
 * single runnable thread are not decisions and are not recorded. Trailing decisions that the
 * deterministic default chooser would also have made are dropped, so the default run's schedule
 * is `gs1:`. Replaying a schedule makes its decisions in order and then continues with the
 * default chooser.
 *
 * Text form: `gs1:` followed by items separated by `.`; an item is `V` (one decision of value V)
 * or `VxN` (N decisions of value V in a row). Example: `gs1:0x12.1x3.0`.
 */

export const SCHEDULE_PREFIX = 'gs1:';

/** A parse failure of a schedule string. */
export class ScheduleSyntaxError extends Error {
  override readonly name = 'ScheduleSyntaxError';
  readonly code = 'GS001';
}

/** Encode decisions (already trimmed of default tails by the caller, if wanted). */
export function encodeSchedule(decisions: ArrayLike<number>, length = decisions.length): string {
  const items: string[] = [];
  let i = 0;
  while (i < length) {
    const v = decisions[i]!;
    let j = i + 1;
    while (j < length && decisions[j] === v) j++;
    items.push(j - i === 1 ? `${v}` : `${v}x${j - i}`);
    i = j;
  }
  return SCHEDULE_PREFIX + items.join('.');
}

const ITEM = /^(\d+)(?:x(\d+))?$/;

/** Decode a schedule string into its decisions. Throws ScheduleSyntaxError on bad input. */
export function decodeSchedule(text: string): number[] {
  const s = text.trim();
  if (!s.startsWith(SCHEDULE_PREFIX)) {
    throw new ScheduleSyntaxError(
      `schedule '${clip(s)}' does not start with '${SCHEDULE_PREFIX}' (a schedule looks like gs1:0x12.1x3.0)`,
    );
  }
  const body = s.slice(SCHEDULE_PREFIX.length);
  if (body === '') return [];
  const out: number[] = [];
  for (const item of body.split('.')) {
    const m = ITEM.exec(item);
    if (!m) {
      throw new ScheduleSyntaxError(
        `schedule item '${clip(item)}' is not V or VxN (V and N decimal numbers)`,
      );
    }
    const v = Number(m[1]);
    const n = m[2] === undefined ? 1 : Number(m[2]);
    if (n < 1 || n > 100_000_000 || out.length + n > 100_000_000) {
      throw new ScheduleSyntaxError(`schedule item '${item}' repeats too often`);
    }
    for (let k = 0; k < n; k++) out.push(v);
  }
  return out;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

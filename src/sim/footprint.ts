/**
 * Footprints: what the next step of a simulated thread touches.
 *
 * Every scheduling point declares the objects the step that follows it reads or writes. The
 * explorer uses this for partial-order reduction: two steps of different threads are dependent
 * (their order can change the outcome) exactly when they touch a common object and at least one
 * of them writes it. A point that declares nothing is treated as touching everything, so an
 * undeclared step is never wrongly reordered.
 */

/** How a step uses an object. Lock operations count as writes of the lock. */
export const enum Access {
  Read = 1,
  Write = 2,
}

/** An object id: `space * 2^32 + index`, so ids of different kinds never collide. */
export type ObjId = number;

/** The id that stands for "everything": a step declaring it depends on every other step. */
export const EVERYTHING: ObjId = -1;

const SPACE_STRIDE = 2 ** 32;

/** Names of object spaces, for readable traces. Shared by all machines (spaces are static). */
const spaceNames: string[] = [];

/**
 * Register a kind of shared object (`'lock'`, `'pte'`, `'folio'`...). Returns its space number.
 * Registering the same name twice returns the same space, so modules may call this at load time.
 */
export function objectSpace(name: string): number {
  const existing = spaceNames.indexOf(name);
  if (existing >= 0) return existing;
  spaceNames.push(name);
  return spaceNames.length - 1;
}

/** The id of object `index` in `space`. */
export function objId(space: number, index: number): ObjId {
  return space * SPACE_STRIDE + index;
}

/** "pte#42"-style name of an object id, for traces. */
export function describeObj(id: ObjId): string {
  if (id === EVERYTHING) return '*';
  const space = Math.floor(id / SPACE_STRIDE);
  const index = id - space * SPACE_STRIDE;
  return `${spaceNames[space] ?? `space${space}`}#${index}`;
}

/** True when two accesses conflict: same object (or either is EVERYTHING) and one writes. */
export function conflicts(aObj: ObjId, aAcc: Access, bObj: ObjId, bAcc: Access): boolean {
  if (aObj !== bObj && aObj !== EVERYTHING && bObj !== EVERYTHING) return false;
  return aAcc === Access.Write || bAcc === Access.Write;
}

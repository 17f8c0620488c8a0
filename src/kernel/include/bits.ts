/**
 * include/vdso/bits.h, include/linux/bits.h: BIT() and 64-bit-safe mask helpers.
 * Fidelity: custom. JavaScript bitwise operators work on 32 bits, but vm_flags_t is an
 * unsigned long (64 bits on x86-64) and some flags (VM_SHADOW_STACK, VM_SEALED, MAP_HUGE_16GB)
 * live above bit 31. These helpers keep exact results for any non-negative integer below 2^53.
 */

const TWO_32 = 2 ** 32;

/** include/vdso/bits.h: BIT(nr), exact up to nr = 52. */
export function BIT(nr: number): number {
  return 2 ** nr;
}

function hi(x: number): number {
  return Math.floor(x / TWO_32) >>> 0;
}

function lo(x: number): number {
  return x >>> 0;
}

function join(high: number, low: number): number {
  return (high >>> 0) * TWO_32 + (low >>> 0);
}

/** a | b for masks wider than 32 bits. */
export function maskOr(a: number, b: number): number {
  return join(hi(a) | hi(b), lo(a) | lo(b));
}

/** a & b for masks wider than 32 bits. */
export function maskAnd(a: number, b: number): number {
  return join(hi(a) & hi(b), lo(a) & lo(b));
}

/** a & ~b for masks wider than 32 bits. */
export function maskAndNot(a: number, b: number): number {
  return join(hi(a) & ~hi(b), lo(a) & ~lo(b));
}

/** True when every bit of `bits` is set in `mask`. */
export function maskHasAll(mask: number, bits: number): boolean {
  return maskAnd(mask, bits) === bits;
}

/** True when any bit of `bits` is set in `mask`. */
export function maskHasAny(mask: number, bits: number): boolean {
  return maskAnd(mask, bits) !== 0;
}

/** Number of set bits. */
export function maskWeight(mask: number): number {
  let count = 0;
  for (let word of [hi(mask), lo(mask)]) {
    while (word !== 0) {
      word &= word - 1;
      count++;
    }
  }
  return count;
}

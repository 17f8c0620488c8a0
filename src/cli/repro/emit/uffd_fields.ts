/**
 * The output fields of the userfaultfd steps (`NAME.copy`, `NAME.flags`...): the index of
 * `struct slot`'s `field[]` that holds each. An expectation on any other field is refused
 * (refusals.ts), since no other step stores one.
 */
export const UFFD_FIELDS: Readonly<Record<string, number>> = {
  ioctls: 0,
  copy: 0,
  zeropage: 0,
  mapped: 0,
  flags: 0,
  event: 1,
};

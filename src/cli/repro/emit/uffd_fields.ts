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
  // uffd_read of a non-cooperative event: the members of uffd_msg.arg it defines
  ufd: 0,
  from: 0,
  start: 0,
  to: 2,
  end: 2,
  len: 3,
};

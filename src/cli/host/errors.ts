/**
 * Host-side failures: the host could not build, run or set up a program (not a kernel outcome,
 * which a program reports in its own output). Codes are stable:
 *
 *   HOST001  bad program name            HOST005  a host command failed (mount, losetup, ...)
 *   HOST002  no C compiler               HOST006  cleanup left something behind
 *   HOST003  compilation failed          HOST007  not permitted (needs root)
 *   HOST004  the program could not start
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

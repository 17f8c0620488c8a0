/** Errors the CLI reports without a stack trace: usage and input problems (exit status 2). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode = 2,
    /** The message is complete as it is (a scenario error with its position): no prefix. */
    readonly bare = false,
  ) {
    super(message);
  }
}

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/**
 * The only error type that reaches users. `exitCode` follows the CLI contract (DESIGN.md §4):
 * 2 for bad usage or bad input, 1 for any other failure. The message names what and where;
 * the hint says what to do about it.
 */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type ExitCode = typeof EXIT_FAILURE | typeof EXIT_USAGE;

export class TsdibError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(exitCode: ExitCode, message: string, hint?: string) {
    super(message);
    this.name = 'TsdibError';
    this.exitCode = exitCode;
    this.hint = hint;
  }

  /** One line for stderr: "message (hint)". */
  toLine(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

/** Bad usage or bad input: exit 2. */
export function inputError(message: string, hint?: string): TsdibError {
  return new TsdibError(EXIT_USAGE, message, hint);
}

/** Anything else that went wrong: exit 1. */
export function failure(message: string, hint?: string): TsdibError {
  return new TsdibError(EXIT_FAILURE, message, hint);
}

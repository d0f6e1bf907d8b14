/**
 * Errors a command may throw. The CLI prints each as one line `Error: <message>` on stderr and
 * exits with `exitCode`; anything else is a bug and is printed with its stack.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or flags (exit 2, as oclif does). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** A Heroku-style API error body `{"id","message"}` (exit 2, as the heroku CLI does). */
export class ApiError extends CliError {
  constructor(readonly status: number, readonly body: { id?: string; message: string; [k: string]: unknown }) {
    super(body.message, 2);
    this.name = 'ApiError';
  }

  get id(): string | undefined {
    return this.body.id;
  }
}

/** Documented exit codes: scripts can tell a usage mistake from a refused token. */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

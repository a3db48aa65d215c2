/** Documented exit codes: scripts can tell a usage mistake from a refused token. */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  /** What `--json` prints besides the message (e.g. what was done before the failure). */
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, exitCode: number = EXIT.failure, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

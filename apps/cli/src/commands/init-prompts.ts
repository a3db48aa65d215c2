import { PASSWORD_MIN_LENGTH } from '@keyward/core';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { ask, promptHidden, readStdin } from '../io.ts';

const ATTEMPTS = 3;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const tooShort = (password: string) => password.length < PASSWORD_MIN_LENGTH;
const SHORT_MESSAGE = `the console password needs at least ${PASSWORD_MIN_LENGTH} characters`;

export function checkEmail(email: string): string {
  if (!EMAIL.test(email)) throw usageError(`not an email address: ${email}`);
  return email;
}

/** Asks for the administrator's email on the terminal, with a default taken on Enter. */
export async function askEmail(fallback: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const email = (await ask(`Administrator email [${fallback}]: `)) || fallback;
    if (EMAIL.test(email)) return email;
    if (attempt === ATTEMPTS) throw usageError(`not an email address: ${email}`);
    process.stderr.write('That is not an email address; try again.\n');
  }
}

/** A console password typed twice without echo; a short or mismatched one is asked again. */
export async function askPassword(): Promise<string> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const password = await promptHidden(
      `Console password (at least ${PASSWORD_MIN_LENGTH} characters, input is hidden): `,
    );
    if (tooShort(password)) {
      process.stderr.write(`Too short: ${SHORT_MESSAGE}; try again.\n`);
      continue;
    }
    if ((await promptHidden('Repeat the password: ')) === password) return password;
    process.stderr.write('The passwords do not match; try again.\n');
  }
  throw new CliError(`no password after ${ATTEMPTS} attempts`, EXIT.usage);
}

/** The password piped in with --password-stdin (the line ending is not part of it). */
export async function passwordFromStdin(): Promise<string> {
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (tooShort(password)) throw usageError(SHORT_MESSAGE);
  return password;
}

import { randomInt, timingSafeEqual } from 'node:crypto';

/** RFC 4648 base32: no 0/1/8/9, so nothing reads as O, I or B. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 28 characters of 5 bits: 140 bits, in seven groups of four for reading aloud. */
const LENGTH = 28;
const GROUP = 4;

/** The first-run setup code: only lets someone create the first administrator, once. */
export function newSetupCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) {
    if (i > 0 && i % GROUP === 0) code += '-';
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** Case, spaces and dashes are how people copy a code, not part of it. */
export function normalizeSetupCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

export function setupCodeMatches(expected: string, given: string): boolean {
  const a = Buffer.from(normalizeSetupCode(expected));
  const b = Buffer.from(normalizeSetupCode(given));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Wrong codes so far, and whether setup is locked until the next start (which prints a new code). */
export type SetupGuardState = { wrong: number; locked: boolean };

export type SetupAttemptOutcome = 'accepted' | 'wrong' | 'locked';

/**
 * One setup attempt: a locked guard refuses even the right code (the code may have leaked to
 * whoever guessed so often); the `maxWrong`-th wrong code locks it.
 */
export function decideSetupAttempt(
  state: SetupGuardState,
  matches: boolean,
  maxWrong: number,
): { outcome: SetupAttemptOutcome; state: SetupGuardState } {
  if (state.locked) return { outcome: 'locked', state };
  if (matches) return { outcome: 'accepted', state };
  const wrong = state.wrong + 1;
  return { outcome: 'wrong', state: { wrong, locked: wrong >= maxWrong } };
}

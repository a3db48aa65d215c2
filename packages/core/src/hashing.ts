import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A server-side secret key mixed into every token hash; `version` is stored with each hash. */
export type Pepper = { version: number; key: Buffer };

/** The current pepper hashes new tokens; older ones still verify tokens hashed before a rotation. */
export type PepperRing = { current: Pepper; previous: readonly Pepper[] };

export const PEPPER_BYTES = 32;

export function generatePepperKey(): Buffer {
  return randomBytes(PEPPER_BYTES);
}

/** HMAC-SHA256 of the whole token, hex. Tokens carry 256 bits of entropy, so no slow KDF is needed. */
export function hashToken(token: string, pepper: Pepper): string {
  return createHmac('sha256', pepper.key).update(token, 'utf8').digest('hex');
}

export type TokenHash = { hash: string; version: number };

/** Every hash the token could be stored under, current pepper first. */
export function candidateHashes(token: string, ring: PepperRing): TokenHash[] {
  return [ring.current, ...ring.previous].map((pepper) => ({
    hash: hashToken(token, pepper),
    version: pepper.version,
  }));
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

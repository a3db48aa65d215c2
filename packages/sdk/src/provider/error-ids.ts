import { randomBytes } from 'node:crypto';

// Keyward's id scheme (ADR 0004): prefix, 48-bit milliseconds, 80 random bits, Crockford base32.
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function encode(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/** A new `err_…` id, valid at Keyward's `GET /v1/errors/{id}` once the record arrives. */
export function newErrorId(now: number = Date.now()): string {
  let random = 0n;
  for (const byte of randomBytes(10)) random = (random << 8n) | BigInt(byte);
  return `err_${encode(BigInt(now), 10)}${encode(random, 16)}`;
}

export function newRequestId(now: number = Date.now()): string {
  return `req_${newErrorId(now).slice(4)}`;
}

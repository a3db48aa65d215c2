import { randomBytes } from 'node:crypto';
import { ID_PREFIXES, type RequestId } from '@keyward/core';
import type { AddressedRequest } from '../types.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const CROCKFORD_CODES = Array.from(CROCKFORD, (c) => c.charCodeAt(0));
const POOL_BYTES = 4096;
const RANDOM_CHARS = 16;

let pool = Buffer.alloc(0);
let offset = 0;
let stampedAt = Number.NaN;
let stamp = '';

/** `req_` and the 10 time characters of a millisecond: computed once per millisecond, not per id. */
function timeStamp(now: number): string {
  if (now !== stampedAt) {
    let time = '';
    let t = now;
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    stampedAt = now;
    stamp = `${ID_PREFIXES.request}_${time}`;
  }
  return stamp;
}

/**
 * A request id shaped like every other id (`req_` + 10 time characters + 16 random ones, 80 bits),
 * drawn from a pooled random buffer: one `randomBytes` call per 256 requests instead of one each
 * (the per-request call and its BigInt encoding were ~8% of a gateway request's CPU); the time
 * part is made once per millisecond and the random part is one slice of the pool, so an id is one
 * flat string rather than 26 concatenations. Request ids must be unique, not secret.
 */
export function newRequestId(now: number = Date.now()): RequestId {
  if (offset + RANDOM_CHARS > pool.length) {
    pool = randomBytes(POOL_BYTES);
    // Each byte becomes the code of its character once, so an id's random part is one slice.
    for (let i = 0; i < pool.length; i++) pool[i] = CROCKFORD_CODES[(pool[i] ?? 0) & 31] ?? 48;
    offset = 0;
  }
  const random = pool.toString('latin1', offset, offset + RANDOM_CHARS);
  offset += RANDOM_CHARS;
  return `${timeStamp(now)}${random}` as RequestId;
}

/** What a proxy's request id may look like to be adopted: UUIDs, hex, nginx's $request_id, ULIDs … */
const ADOPTABLE = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/**
 * The id of an incoming request: a trusted proxy's `X-Request-Id` (so one id follows the request
 * through the proxy's log and ours), else a new one. From anyone else the header is ignored: a
 * client must not choose the id its errors are filed under.
 */
export function createRequestIdSource(
  isTrustedProxy: ((address: string) => boolean) | null,
): (request: AddressedRequest) => string {
  if (isTrustedProxy === null) return () => newRequestId();
  return (request) => {
    const given = request.headers['x-request-id'];
    if (
      typeof given === 'string' &&
      ADOPTABLE.test(given) &&
      isTrustedProxy(request.socket.remoteAddress ?? '')
    )
      return given;
    return newRequestId();
  };
}

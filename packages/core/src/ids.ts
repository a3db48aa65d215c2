import { randomBytes } from 'node:crypto';

/** Every public handle carries its type in a prefix, so a pasted id says what it is. */
export const ID_PREFIXES = {
  project: 'prj',
  user: 'usr',
  serviceAccount: 'sa',
  token: 'tok',
  role: 'rol',
  error: 'err',
  event: 'evt',
  request: 'req',
  session: 'ses',
  invitation: 'inv',
  webhookEndpoint: 'whe',
  webhookMessage: 'msg',
  webhookDelivery: 'whd',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];
export type Id<P extends IdPrefix> = `${P}_${string}`;

export type ProjectId = Id<'prj'>;
export type UserId = Id<'usr'>;
export type ServiceAccountId = Id<'sa'>;
export type TokenId = Id<'tok'>;
export type RoleId = Id<'rol'>;
export type ErrorId = Id<'err'>;
export type EventId = Id<'evt'>;
export type RequestId = Id<'req'>;
export type SessionId = Id<'ses'>;
export type InvitationId = Id<'inv'>;
export type WebhookEndpointId = Id<'whe'>;
export type WebhookMessageId = Id<'msg'>;
export type WebhookDeliveryId = Id<'whd'>;

// Crockford base32, lower case: sortable as text, no ambiguous letters.
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

function encodeCrockford(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/** A ULID-shaped body: 48-bit millisecond time then 80 random bits, so ids sort by creation. */
export function newIdBody(now: number = Date.now()): string {
  const random = randomBytes(10);
  let rand = 0n;
  for (const byte of random) rand = (rand << 8n) | BigInt(byte);
  return encodeCrockford(BigInt(now), 10) + encodeCrockford(rand, 16);
}

export function newId<K extends IdKind>(kind: K, now?: number): Id<(typeof ID_PREFIXES)[K]> {
  return `${ID_PREFIXES[kind]}_${newIdBody(now)}` as Id<(typeof ID_PREFIXES)[K]>;
}

export function isId<K extends IdKind>(kind: K, value: unknown): value is Id<(typeof ID_PREFIXES)[K]> {
  if (typeof value !== 'string') return false;
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}

/** JSON-schema pattern for an id of one kind, used by route schemas. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`;
}

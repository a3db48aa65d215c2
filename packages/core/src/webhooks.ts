import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Pepper, PepperRing } from './hashing.ts';

/** Every event a webhook endpoint may subscribe to. No event's data ever holds a secret. */
export const WEBHOOK_EVENT_TYPES = [
  'token.created',
  'token.updated',
  'token.rotated',
  'token.revoked',
  'token.disabled',
  'token.enabled',
  'token.expiring',
  'token.expired',
  'token.idle_warning',
  'token.auto_revoked',
  'token.leaked',
  'member.invited',
  'member.joined',
  'member.removed',
  'member.role_changed',
  'webhook.test',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** An endpoint subscribed to `*` receives every event type. */
export function endpointWants(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/** Standard Webhooks secrets: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (Standard Webhooks, symmetric). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest();
  return `v1,${mac.toString('base64')}`;
}

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
  };
}

/** True when one of the space-separated `v1,` signatures matches (constant time). */
export function webhookSignatureMatches(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
  signatureHeader: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, id, timestampSeconds, body));
  return signatureHeader.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * Delays before each retry, in seconds: exponential (×3 from one minute), capped at 8 hours, about
 * 30 hours in all. After the last one fails the delivery is given up and its endpoint disabled.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = [
  60, 180, 540, 1_620, 4_860, 14_580, 28_800, 28_800, 28_800,
];

/** When attempt `attempts + 1` is due after `attempts` failed ones; null once retries are spent. */
export function nextWebhookAttemptAt(attempts: number, now: number): number | null {
  const delay = WEBHOOK_RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : now + delay * 1000;
}

/** A 2xx answer is a delivery; anything else (or no answer) is retried. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

// Signing secrets must be usable again to sign, so they are sealed (AES-256-GCM under a key derived
// from the pepper), never stored in the clear: a database dump alone cannot forge webhooks.
function sealingKey(pepper: Pepper): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper.key, Buffer.alloc(0), 'keyward webhook signing secret', 32));
}

/** `v<pepper version>.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function sealWebhookSecret(secret: string, pepper: Pepper): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(pepper), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [`v${pepper.version}`, iv, cipher.getAuthTag(), sealed]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openWebhookSecret(sealed: string, ring: PepperRing): string {
  const [version, iv, tag, data] = sealed.split('.');
  const pepper = [ring.current, ...ring.previous].find((p) => `v${p.version}` === version);
  if (!pepper || !iv || !tag || data === undefined)
    throw new Error('webhook secret sealed under an unknown pepper');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(pepper), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** Default expiry reminder thresholds, in days before expiry (a project may set its own). */
export const DEFAULT_EXPIRY_REMINDER_DAYS: readonly number[] = [14, 7, 1];

const DAY_MS = 86_400_000;

/**
 * The reminder thresholds a token has crossed at `now` and not yet been reminded of: the largest
 * first. Only the smallest crossed one is worth sending (a token created 3 days before expiry gets
 * the 7-day reminder, not 14 and 7 at once); the caller marks every crossed one as done.
 */
export function crossedThresholds(expiresAt: number, now: number, days: readonly number[]): number[] {
  if (expiresAt <= now) return [];
  return [...days].filter((d) => expiresAt - d * DAY_MS <= now).sort((a, b) => b - a);
}

/** Idle revocation: when a token unused since `lastActiveAt` is revoked, and when it is warned. */
export function idleDeadlines(
  lastActiveAt: number,
  policy: { idleRevokeDays: number; idleReminderDays: number },
): { warnAt: number; revokeAt: number } {
  const revokeAt = lastActiveAt + policy.idleRevokeDays * DAY_MS;
  return { revokeAt, warnAt: revokeAt - Math.min(policy.idleReminderDays, policy.idleRevokeDays) * DAY_MS };
}

const PRIVATE_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const privateRanges = new BlockList();
for (const [network, bits, type] of PRIVATE_RANGES) privateRanges.addSubnet(network, bits, type);

/** Loopback, private, link-local, CGNAT, multicast or unspecified: not a public webhook target. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  if (isIPv4(address)) return privateRanges.check(address, 'ipv4');
  if (isIPv6(address)) return privateRanges.check(address, 'ipv6');
  return true;
}

/**
 * Verifying Keyward webhooks (the Standard Webhooks scheme) with WebCrypto, so it runs in Node 20+,
 * Deno, Bun, workers and browsers alike. Pass the raw body exactly as received: re-serialized JSON
 * does not match its signature.
 */

export type WebhookEvent<T = Record<string, unknown>> = {
  /** The `webhook-id`: the same on every retry and redelivery, so use it to drop duplicates. */
  id: string;
  type: string;
  timestamp: string;
  data: T;
};

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export type VerifyWebhookOptions = {
  /** How far `webhook-timestamp` may be from now (replay window); 300 seconds by default. */
  toleranceSeconds?: number;
  /** Current time in milliseconds (tests); `Date.now()` by default. */
  now?: number;
};

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? record[Object.keys(record).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeBase64(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `v1,<base64 HMAC-SHA256("id.timestamp.body")>` under the endpoint's `whsec_…` secret. */
export async function signWebhookPayload(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const raw = decodeBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`),
  );
  return `v1,${encodeBase64(mac)}`;
}

/**
 * Checks `webhook-signature` (any of its space-separated `v1,` entries, so a rotated secret's
 * overlap works) and the timestamp window, then returns the event. Throws
 * WebhookVerificationError otherwise: answer it with 400 and do not act on the body.
 */
export async function verifyWebhook<T = Record<string, unknown>>(
  secret: string,
  headers: HeaderSource,
  body: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent<T>> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook headers');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    throw new WebhookVerificationError('malformed webhook-timestamp');
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs((options.now ?? Date.now()) / 1000 - seconds) > tolerance)
    throw new WebhookVerificationError('webhook-timestamp outside the tolerance window');
  const expected = await signWebhookPayload(secret, id, seconds, body);
  if (!signatures.split(' ').some((candidate) => sameText(candidate, expected)))
    throw new WebhookVerificationError('no matching webhook signature');
  const parsed = JSON.parse(body) as Omit<WebhookEvent<T>, 'id'>;
  return { id, type: parsed.type, timestamp: parsed.timestamp, data: parsed.data };
}

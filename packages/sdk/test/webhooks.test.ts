import { describe, expect, test } from 'vitest';
import { signWebhookPayload, verifyWebhook, WebhookVerificationError } from '../src/index.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const at = 1614265330;

describe('verifyWebhook (SDK)', () => {
  test('reproduces the Standard Webhooks reference vector', async () => {
    expect(await signWebhookPayload(secret, id, at, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  test('returns the event for a good signature; refuses a stale, tampered or unsigned one', async () => {
    const body = JSON.stringify({ type: 'token.revoked', timestamp: '2021-02-25T15:02:10Z', data: { a: 1 } });
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(at),
      'webhook-signature': `v1,bm9wZQ== ${await signWebhookPayload(secret, id, at, body)}`,
    };
    const event = await verifyWebhook(secret, new Headers(headers), body, { now: at * 1000 + 60_000 });
    expect(event).toEqual({ id, type: 'token.revoked', timestamp: '2021-02-25T15:02:10Z', data: { a: 1 } });
    await expect(verifyWebhook(secret, headers, body, { now: at * 1000 + 301_000 })).rejects.toThrow(
      WebhookVerificationError,
    );
    await expect(verifyWebhook(secret, headers, body.replace('1', '2'), { now: at * 1000 })).rejects.toThrow(
      /signature/,
    );
    await expect(verifyWebhook(secret, { 'webhook-id': id }, body, { now: at * 1000 })).rejects.toThrow(
      /missing/,
    );
  });
});

import { describe, expect, test } from 'vitest';
import {
  crossedThresholds,
  generateWebhookSecret,
  idleDeadlines,
  isPrivateAddress,
  nextWebhookAttemptAt,
  openWebhookSecret,
  sealWebhookSecret,
  signWebhook,
  WEBHOOK_RETRY_DELAYS_SECONDS,
  webhookSignatureMatches,
} from '../src/index.ts';

const DAY = 86_400_000;

describe('Standard Webhooks signatures', () => {
  // The specification's published test vector: a receiver's stock library must accept what we send.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';

  test('reproduce the reference vector', () => {
    expect(signWebhook(secret, id, 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('match any of several signatures; fail on another body, id, time or secret', () => {
    const good = signWebhook(secret, id, 1614265330, body);
    expect(webhookSignatureMatches(secret, id, 1614265330, body, `v1,bm9wZQ== ${good}`)).toBe(true);
    expect(webhookSignatureMatches(secret, id, 1614265330, `${body} `, good)).toBe(false);
    expect(webhookSignatureMatches(secret, `${id}x`, 1614265330, body, good)).toBe(false);
    expect(webhookSignatureMatches(secret, id, 1614265331, body, good)).toBe(false);
    expect(webhookSignatureMatches(generateWebhookSecret(), id, 1614265330, body, good)).toBe(false);
  });

  test('secrets are sealed under the pepper: opened by the ring, unreadable without it', () => {
    const pepper = { version: 3, key: Buffer.alloc(32, 7) };
    const plain = generateWebhookSecret();
    const sealed = sealWebhookSecret(plain, pepper);
    expect(sealed).not.toContain(plain.slice(6, 20));
    expect(sealed.startsWith('v3.')).toBe(true);
    expect(
      openWebhookSecret(sealed, { current: { version: 4, key: Buffer.alloc(32, 1) }, previous: [pepper] }),
    ).toBe(plain);
    expect(() =>
      openWebhookSecret(sealed, { current: { version: 3, key: Buffer.alloc(32, 8) }, previous: [] }),
    ).toThrow();
  });
});

describe('retries', () => {
  test('back off exponentially for about a day, then stop', () => {
    const delays = WEBHOOK_RETRY_DELAYS_SECONDS;
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    const hours = delays.reduce((a, b) => a + b, 0) / 3600;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(36);
    expect(nextWebhookAttemptAt(1, 0)).toBe(60_000);
    expect(nextWebhookAttemptAt(delays.length, 0)).toBe((delays.at(-1) as number) * 1000);
    expect(nextWebhookAttemptAt(delays.length + 1, 0)).toBeNull();
  });
});

describe('targets', () => {
  test('loopback, private, link-local, CGNAT and mapped forms are private; public ones are not', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.5',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      'not an ip',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('reminder thresholds', () => {
  test('crossed thresholds, widest first; none once expired', () => {
    const expires = 30 * DAY;
    expect(crossedThresholds(expires, 10 * DAY, [14, 7, 1])).toEqual([]);
    expect(crossedThresholds(expires, 16 * DAY, [14, 7, 1])).toEqual([14]);
    expect(crossedThresholds(expires, 27 * DAY, [1, 14, 7])).toEqual([14, 7]);
    expect(crossedThresholds(expires, 30 * DAY, [14, 7, 1])).toEqual([]);
  });

  test('idle: warned K days before N days of disuse', () => {
    expect(idleDeadlines(0, { idleRevokeDays: 30, idleReminderDays: 7 })).toEqual({
      warnAt: 23 * DAY,
      revokeAt: 30 * DAY,
    });
    expect(idleDeadlines(0, { idleRevokeDays: 5, idleReminderDays: 7 })).toEqual({
      warnAt: 0,
      revokeAt: 5 * DAY,
    });
  });
});

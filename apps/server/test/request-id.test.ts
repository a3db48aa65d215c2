import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, tokenWithScopes } from './harness.ts';

const PROXY_ID = '7f3c2a9e-41d2-4c1b-9a5e-0b6d8f2e1c44';

/** X-Request-Id: a trusted proxy's id is adopted and echoed; anyone else's is ignored. */
describe.each([
  ['a trusted proxy', '127.0.0.1', true],
  ['an untrusted peer', '192.0.2.1', false],
])('X-Request-Id from %s', (_name, trustedProxies, adopted) => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({ config: { trustedProxies, failedAuthRateLimits: 'none' } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  const expectId = (got: string | null) =>
    adopted ? expect(got).toBe(PROXY_ID) : expect(got).toMatch(/^req_[0-9a-hjkmnp-tv-z]{26}$/);

  it('on an admitted gateway check (the fast path)', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const res = await fetch(`${base}/v1/authorize`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': PROXY_ID },
    });
    expect(res.status).toBe(200);
    expectId(res.headers.get('x-request-id'));
  });

  it('on a refusal, in the header, the body and the error record', async () => {
    const res = await fetch(`${base}/v1/authorize`, { headers: { 'x-request-id': PROXY_ID } });
    expect(res.status).toBe(401);
    expectId(res.headers.get('x-request-id'));
    const body = (await res.json()) as { request_id: string };
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('never adopts an id that is not a plain token of bounded length', async () => {
    for (const bad of ['a'.repeat(129), 'has space', 'semi;colon', '"quoted"']) {
      const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    }
  });
});

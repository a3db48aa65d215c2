import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, type Harness, startHarness } from './harness.ts';

const INSIDE = '203.0.113.5';
const OUTSIDE = '198.51.100.7';
const METADATA_HEADER = 'x-keyward-metadata';

/**
 * A token's IP allowlist holds at every door (the API guard, /v1/verify, /v1/introspect, the gateway
 * door through Fastify and through its socket fast path), on cached answers as on database reads;
 * its metadata comes back through every door that admits it.
 */
describe.each(['sqlite', 'postgres'] as const)('IP allowlist and metadata per token (%s)', (database) => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness({
      database,
      config: {
        failedAuthRateLimits: 'none',
        trustedProxies: '127.0.0.1',
        gatewayMetadataHeader: METADATA_HEADER,
      },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  async function controlledToken(metadata: Record<string, unknown> = { plan: 'pro', seats: 3 }) {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'allowlisted',
      scopes: ['data:read'],
      allowed_ips: ['203.0.113.0/24', '2001:db8::/32'],
      metadata,
    });
    expect(res.status).toBe(201);
    return { token: res.body.token as string, id: res.body.id as string };
  }

  /** Each door asked about `token` as used from `address`: whether it admitted it, and the metadata it gave. */
  const doors: Record<
    string,
    (token: string, address: string) => Promise<{ admitted: boolean; code: string; metadata: unknown }>
  > = {
    'the API guard': async (token, address) => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: bearer(token),
        remoteAddress: address,
      });
      return {
        admitted: res.statusCode === 200,
        code: res.statusCode === 200 ? 'VALID' : res.json().code,
        metadata: undefined,
      };
    },
    '/v1/verify': async (token, address) => {
      const res = await call(h.app, 'POST', '/v1/verify', h.adminToken, { token, client_ip: address });
      expect(res.status).toBe(200);
      return { admitted: res.body.valid, code: res.body.code, metadata: res.body.metadata };
    },
    '/v1/introspect': async (token, address) => {
      const res = await call(h.app, 'POST', '/v1/introspect', h.adminToken, { token, client_ip: address });
      expect(res.status).toBe(200);
      return {
        admitted: res.body.active,
        code: res.body.active ? 'VALID' : 'inactive',
        metadata: res.body.metadata,
      };
    },
    'the gateway door (Fastify route)': async (token, address) => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: bearer(token),
        remoteAddress: address,
      });
      const header = res.headers[METADATA_HEADER];
      return {
        admitted: res.statusCode === 200,
        code: res.statusCode === 200 ? 'VALID' : res.json().code,
        metadata: typeof header === 'string' ? JSON.parse(header) : undefined,
      };
    },
    'the gateway door (socket fast path, behind a trusted proxy)': async (token, address) => {
      const res = await fetch(`${base}/v1/authorize`, {
        headers: { ...bearer(token), 'x-forwarded-for': address },
      });
      const header = res.headers.get(METADATA_HEADER);
      return {
        admitted: res.status === 200,
        code: res.status === 200 ? 'VALID' : ((await res.json()) as { code: string }).code,
        metadata: header === null ? undefined : JSON.parse(header),
      };
    },
  };
  const refusedCode: Record<string, string> = {
    'the API guard': 'IP_NOT_ALLOWED',
    '/v1/verify': 'IP_NOT_ALLOWED',
    '/v1/introspect': 'inactive',
    'the gateway door (Fastify route)': 'IP_NOT_ALLOWED',
    'the gateway door (socket fast path, behind a trusted proxy)': 'IP_NOT_ALLOWED',
  };
  const givesMetadata = (door: string) => door !== 'the API guard';

  for (const door of Object.keys(doors)) {
    it(`${door}: admits from inside the allowlist and refuses from outside, read from the database`, async () => {
      const ask = doors[door]!;
      const { token } = await controlledToken();
      h.deps.verifier.invalidateAll();
      const inside = await ask(token, INSIDE);
      expect(inside.admitted).toBe(true);
      if (givesMetadata(door)) expect(inside.metadata).toEqual({ plan: 'pro', seats: 3 });
      h.deps.verifier.invalidateAll();
      const outside = await ask(token, OUTSIDE);
      expect(outside).toMatchObject({ admitted: false, code: refusedCode[door] });
      expect(outside.metadata).toBeUndefined();
      h.deps.verifier.invalidateAll();
      expect((await ask(token, '2001:db8::42')).admitted).toBe(true);
    });

    it(`${door}: refuses from outside the allowlist on a cached answer too`, async () => {
      const ask = doors[door]!;
      const { token } = await controlledToken();
      expect((await ask(token, INSIDE)).admitted).toBe(true);
      expect(h.deps.verifier.verifyNow(token)?.cached).toBe(true);
      expect(await ask(token, OUTSIDE)).toMatchObject({ admitted: false, code: refusedCode[door] });
      expect(h.deps.verifier.verifyNow(token)?.cached).toBe(true);
      expect((await ask(token, INSIDE)).admitted).toBe(true);
    });
  }

  it('an update of the allowlist or the metadata holds from the very next request (the cache is invalidated)', async () => {
    const { token, id } = await controlledToken();
    expect((await doors['/v1/verify']!(token, OUTSIDE)).code).toBe('IP_NOT_ALLOWED');
    expect((await doors['/v1/verify']!(token, INSIDE)).admitted).toBe(true);
    const patched = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, {
      allowed_ips: [OUTSIDE],
      metadata: { plan: 'team' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.allowed_ips).toEqual([`${OUTSIDE}/32`]);
    const now = await doors['/v1/verify']!(token, OUTSIDE);
    expect(now).toMatchObject({ admitted: true, metadata: { plan: 'team' } });
    expect((await doors['/v1/verify']!(token, INSIDE)).code).toBe('IP_NOT_ALLOWED');
    const cleared = await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, { allowed_ips: [] });
    expect(cleared.body.allowed_ips).toEqual([]);
    expect((await doors['/v1/verify']!(token, INSIDE)).admitted).toBe(true);
  });

  it('shows the allowlist and metadata on the token, and audits their change', async () => {
    const { id } = await controlledToken({ team: 'billing' });
    const got = await call(h.app, 'GET', `/v1/tokens/${id}`, h.adminToken);
    expect(got.body.allowed_ips).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    expect(got.body.metadata).toEqual({ team: 'billing' });
    await call(h.app, 'PATCH', `/v1/tokens/${id}`, h.adminToken, { metadata: { team: 'ops' } });
    const audit = await call(h.app, 'GET', `/v1/audit?target_id=${id}&action=token.updated`, h.adminToken);
    expect(audit.body.data[0].changes.metadata).toEqual({
      before: { team: 'billing' },
      after: { team: 'ops' },
    });
  });

  it('refuses a bad allowlist or metadata with 400 and stores nothing', async () => {
    const bad = [
      { allowed_ips: ['not-an-ip'] },
      { allowed_ips: ['10.0.0.0/33'] },
      { metadata: [1, 2] },
      { metadata: 'text' },
      { metadata: { big: 'x'.repeat(4100) } },
    ];
    for (const fields of bad) {
      const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
        name: 'bad controls',
        scopes: ['data:read'],
        ...fields,
      });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const list = await call(h.app, 'GET', '/v1/tokens?search=bad%20controls', h.adminToken);
    expect(list.body.data).toEqual([]);
  });

  it('a token without an allowlist is admitted from any address, and its metadata is {}', async () => {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: 'open',
      scopes: ['data:read'],
    });
    const verified = await doors['/v1/verify']!(res.body.token, OUTSIDE);
    expect(verified).toMatchObject({ admitted: true, metadata: {} });
  });
});

import fc from 'fast-check';
import Fastify from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { keyward as keywardPlugin } from '../src/fastify.ts';
import { createKeyward, type Keyward, protectRequest, type RequestFacts } from '../src/index.ts';
import { isBearer } from '../src/provider/protect.ts';
import type { SdkVerifyAnswer } from '../src/provider/wire.ts';

// The answers the SDK keeps with a cache entry (its grants, its pool), against a fake Keyward:
// a change stream the test writes to, and verify answers the test decides.

type Token = {
  id: string;
  scopes: string[];
  code?: SdkVerifyAnswer['code'];
  /** A limit of `limit` per hour, leased `granted` units at a time; none: unlimited. */
  limit?: { limit: number; granted: number };
};

function fakeKeyward(tokens: Record<string, Token>) {
  const encoder = new TextEncoder();
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  const calls: { path: string; body: unknown }[] = [];
  const usage: unknown[] = [];
  const answer = (secret: string, units: number): SdkVerifyAnswer => {
    const token = tokens[secret];
    const code = token ? (token.code ?? 'VALID') : 'NOT_FOUND';
    const good = token !== undefined && code === 'VALID';
    const limit = token?.limit;
    return {
      valid: good,
      code,
      token_id: token?.id ?? null,
      owner: token ? { type: 'user', id: 'usr_1' } : null,
      project_id: token ? 'prj_1' : null,
      scopes: good ? token.scopes : [],
      expires_at: null,
      rate_limit: null,
      metadata: {},
      secret_expires_at: null,
      allowed_ips: good ? [] : null,
      lease: !good
        ? null
        : limit
          ? {
              granted: Math.min(units, limit.granted),
              unlimited: false,
              expires_in_ms: 600_000,
              retry_after_seconds: null,
              windows: [
                { name: 'hour', limit: limit.limit, window_seconds: 3600, remaining: 0, reset_seconds: 3600 },
              ],
            }
          : { granted: 0, unlimited: true, expires_in_ms: 600_000, retry_after_seconds: null, windows: [] },
    };
  };
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    if (path === '/v1/sdk/changes') {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          stream = controller;
          controller.enqueue(encoder.encode('event: ready\ndata: {"trusted":true}\n\n'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    const body = JSON.parse(String(init?.body ?? '{}')) as { token: string; units: number };
    calls.push({ path, body });
    if (path === '/v1/sdk/usage') usage.push(body);
    if (path === '/v1/sdk/verify') return Response.json(answer(body.token, body.units));
    return Response.json({});
  }) as typeof globalThis.fetch;
  return {
    fetch,
    calls,
    usage,
    verifyCalls: () => calls.filter((c) => c.path === '/v1/sdk/verify').length,
    /** A change on the stream, and a turn of the event loop for the SDK to read it. */
    async change(data: Record<string, string>): Promise<void> {
      stream?.enqueue(encoder.encode(`event: change\ndata: ${JSON.stringify(data)}\n\n`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

const open: Keyward[] = [];
afterEach(async () => {
  for (const kw of open.splice(0)) await kw.close();
});

async function keywardOn(fake: ReturnType<typeof fakeKeyward>): Promise<Keyward> {
  const kw = createKeyward({ baseUrl: 'http://keyward.test', token: 'kw_provider', fetch: fake.fetch });
  open.push(kw);
  expect(await kw.ready(2_000)).toBe(true);
  return kw;
}

const factsFor = (token: string): RequestFacts => ({
  method: 'GET',
  path: '/v1/instances',
  ip: '203.0.113.7',
  headers: (name) => (name === 'authorization' ? `Bearer ${token}` : undefined),
});

describe('answers kept with a cache entry', () => {
  test('a revoked token is refused at once: its kept grant goes with its entry', async () => {
    const tokens: Record<string, Token> = { kw_good: { id: 'tok_1', scopes: ['api:read'] } };
    const fake = fakeKeyward(tokens);
    const kw = await keywardOn(fake);
    const route = ['api:read'];
    const first = await protectRequest(kw, factsFor('kw_good'), route);
    expect(first.ok).toBe(true);
    const cached = protectRequest(kw, factsFor('kw_good'), route);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ ok: true, principal: { tokenId: 'tok_1', scopes: ['api:read'] } });
    const calls = fake.verifyCalls();

    (tokens.kw_good as Token).code = 'REVOKED';
    await fake.change({ token_id: 'tok_1' });
    const refused = await protectRequest(kw, factsFor('kw_good'), route);
    expect(fake.verifyCalls()).toBe(calls + 1);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.answer.body.code).toBe('TOKEN_REVOKED');
  });

  test('a token whose scopes changed is judged by its new scopes, not a grant kept before', async () => {
    const tokens: Record<string, Token> = { kw_good: { id: 'tok_1', scopes: ['api:read'] } };
    const fake = fakeKeyward(tokens);
    const kw = await keywardOn(fake);
    const route = ['api:read'];
    expect((await kw.verify('kw_good', route)).code).toBe('VALID');
    expect((await kw.verify('kw_good', route)).code).toBe('VALID');

    (tokens.kw_good as Token).scopes = ['api:write'];
    await fake.change({ token_id: 'tok_1' });
    const after = await kw.verify('kw_good', route);
    expect(after).toMatchObject({ code: 'INSUFFICIENT_SCOPE', missing_scopes: ['api:read'] });
    const cached = await protectRequest(kw, factsFor('kw_good'), route);
    expect(cached.ok).toBe(false);
    if (!cached.ok) expect(cached.answer.body).toMatchObject({ missing_scopes: ['api:read'] });
  });

  test('scope lists are compared by content: another array, the same answer; an array changed in place, its new answer', async () => {
    const fake = fakeKeyward({ kw_good: { id: 'tok_1', scopes: ['api:read', 'api:list'] } });
    const kw = await keywardOn(fake);
    await kw.verify('kw_good');
    const calls = fake.verifyCalls();
    expect((await kw.verify('kw_good', ['api:read'])).code).toBe('VALID');
    expect((await kw.verify('kw_good', ['api:read'])).code).toBe('VALID');
    expect(await kw.verify('kw_good', ['api:read', 'api:write'])).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      missing_scopes: ['api:write'],
    });
    const route = ['api:read'];
    expect((await kw.verify('kw_good', route)).code).toBe('VALID');
    route[0] = 'api:delete';
    expect(await kw.verify('kw_good', route)).toMatchObject({ missing_scopes: ['api:delete'] });
    route[0] = 'api:list';
    expect((await kw.verify('kw_good', route)).code).toBe('VALID');
    // 'a b' is one (invalid) scope, not the list ['a', 'b'].
    expect(await kw.verify('kw_good', ['api:read api:list'])).toMatchObject({
      missing_scopes: ['api:read api:list'],
    });
    // More lists than an entry keeps (16): each still answered as it should be.
    for (let i = 0; i < 40; i++)
      expect(await kw.verify('kw_good', [`api:x${i}`])).toMatchObject({ missing_scopes: [`api:x${i}`] });
    expect((await kw.verify('kw_good', ['api:list', 'api:read'])).code).toBe('VALID');
    expect(fake.verifyCalls()).toBe(calls);
  });

  test("a limited token's RateLimit fields count down per request, and every request is counted", async () => {
    const fake = fakeKeyward({
      kw_limited: { id: 'tok_2', scopes: ['api:read'], limit: { limit: 100, granted: 5 } },
    });
    const kw = await keywardOn(fake);
    const route = ['api:read'];
    const remaining: string[] = [];
    for (let i = 0; i < 7; i++) {
      const result = await protectRequest(kw, factsFor('kw_limited'), route);
      if (!result.ok) throw new Error('refused');
      expect(result.headers['RateLimit-Policy']).toBe('"hour";q=100;w=3600');
      remaining.push(result.headers.RateLimit ?? '');
    }
    // Leases of 1, 1, then 5 units (the lease grows while used up): the units left count down.
    expect(remaining.map((r) => /r=(\d+)/.exec(r)?.[1])).toEqual(['0', '0', '4', '3', '2', '1', '0']);
    await kw.flush();
    expect(fake.usage).toEqual([
      {
        entries: [
          {
            token_id: 'tok_2',
            outcomes: { VALID: 7 },
            last_used_at: expect.any(String),
            ips: ['203.0.113.7'],
          },
        ],
      },
    ]);
  });

  test('the Fastify plugin: a cached token is admitted with a principal of its own per request; a revoked one refused at once', async () => {
    const tokens: Record<string, Token> = {
      kw_good: { id: 'tok_1', scopes: ['api:read'] },
      kw_other: { id: 'tok_3', scopes: ['api:write'] },
    };
    const fake = fakeKeyward(tokens);
    const kw = await keywardOn(fake);
    const app = Fastify();
    await app.register(keywardPlugin, { keyward: kw, realm: 'instances' });
    const principals: unknown[] = [];
    app.get('/v1/instances', { config: { keyward: { requiredScopes: ['api:read'] } } }, async (request) => {
      principals.push(request.keyward);
      return { tokenId: request.keyward?.tokenId };
    });
    const get = (token?: string) =>
      app.inject({
        method: 'GET',
        url: '/v1/instances?x=1',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    for (let i = 0; i < 3; i++) expect((await get('kw_good')).json()).toEqual({ tokenId: 'tok_1' });
    expect(principals[1]).toEqual(principals[2]);
    expect(principals[1]).not.toBe(principals[2]);

    const scope = await get('kw_other');
    expect(scope.statusCode).toBe(403);
    expect(scope.headers['www-authenticate']).toBe(
      'Bearer realm="instances", error="insufficient_scope", scope="api:read"',
    );
    const none = await get();
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="instances"');

    (tokens.kw_good as Token).code = 'REVOKED';
    await fake.change({ token_id: 'tok_1' });
    const revoked = await get('kw_good');
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
    await app.close();
  });
});

describe('the Authorization header, read without a regular expression', () => {
  const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
  const samples = [
    'Bearer abc',
    'bearer abc',
    'BEARER a-b.c_d~e+f/g==',
    'Bearer =',
    'Bearer a=b',
    'Bearer ',
    'Bearer  abc',
    'Bearer abc ',
    'Bearer\tabc',
    'Basic abc',
    'Bearerabc',
    'Bearer a\u017f',
    'Beare\u0280 abc',
    'Bearer abc\n',
    'Bearer kw_live_AbC123',
    'x',
    '',
  ];
  test('accepts exactly what the pattern accepts', () => {
    for (const header of samples) expect([header, isBearer(header)]).toEqual([header, BEARER.test(header)]);
  });
  test('accepts exactly what the pattern accepts (generated headers)', () => {
    const part = fc.string({
      unit: fc.constantFrom(...'aZ09-._~+/= \t\u017f\u212a:'.split('')),
      maxLength: 12,
    });
    const scheme = fc.constantFrom(
      'Bearer ',
      'bearer ',
      'BEARER ',
      'Bearer',
      'Bearer  ',
      'Basic ',
      'Bearez ',
    );
    fc.assert(
      fc.property(scheme, part, (s, rest) => isBearer(`${s}${rest}`) === BEARER.test(`${s}${rest}`)),
      { numRuns: 5_000 },
    );
  });
  test('a token with a character outside printable ASCII is MALFORMED (X-Api-Key is not checked as token68)', async () => {
    const kw = await keywardOn(fakeKeyward({}));
    for (const token of ['caf\u00e9', 'a b', 'tab\there', '\u007f'])
      expect((await kw.verify(token)).code).toBe('MALFORMED');
    expect((await kw.verify('x'.repeat(513))).code).toBe('MALFORMED');
    expect((await kw.verify('kw_unknown')).code).toBe('NOT_FOUND');
  });
});

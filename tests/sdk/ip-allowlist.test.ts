import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Keyward, KeywardPrincipal } from '@keyward/sdk';
import { protect as expressProtect } from '@keyward/sdk/express';
import { keyward as keywardPlugin } from '@keyward/sdk/fastify';
import { protect as honoProtect } from '@keyward/sdk/hono';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Context, Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call } from '../../apps/server/test/harness.ts';
import { type KeywardOnSocket, keywardOnSocket, providerKeyward, until } from './sdk-harness.ts';

const OUTSIDE = '203.0.113.7';
const INSIDE = '10.1.2.3';
const NOT_HERE = 'The token may not be used from this address';

/** Tokens restricted to an allowlist, verified in the provider's process (fresh and cached answers). */
describe('IP allowlists in the SDK, against a real Keyward', () => {
  let h: KeywardOnSocket;
  let keyward: Keyward;
  beforeAll(async () => {
    // Keyward trusts this machine's X-Forwarded-For, so its gateway door can be compared.
    h = await keywardOnSocket({ config: { trustedProxies: '127.0.0.1' } });
    keyward = await providerKeyward(h, { errorFlushIntervalMs: 100 });
  });
  afterAll(async () => {
    await keyward.close();
    await h.close();
  });

  async function restricted(allowedIps: string[]): Promise<{ token: string; id: string }> {
    const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
      name: `restricted ${allowedIps.join(' ')}`,
      scopes: ['instances:read'],
      allowed_ips: allowedIps,
    });
    expect(res.status).toBe(201);
    return { token: res.body.token as string, id: res.body.id as string };
  }

  /** The code of a verification from `ip`, and whether the cache answered it (no call). */
  async function verifyFrom(token: string, ip?: string): Promise<[string, 'cached' | 'asked']> {
    const before = keyward.stats().cachedAnswers;
    const { code } = await keyward.verify(token, ['instances:read'], ip === undefined ? {} : { ip });
    return [code, keyward.stats().cachedAnswers > before ? 'cached' : 'asked'];
  }

  test('verify: refused outside the allowlist on first use and once cached, admitted inside', async () => {
    const caller = await restricted(['10.0.0.0/8', '2001:db8::/32']);
    const first = await keyward.verify(caller.token, ['instances:read'], { ip: OUTSIDE });
    expect(first).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED', token_id: caller.id, scopes: [] });
    expect(first.metadata).toBeUndefined();
    // The answer Keyward's own verify door gives for the same address.
    const remote = await call(h.app, 'POST', '/v1/verify', h.adminToken, {
      token: caller.token,
      required_scopes: ['instances:read'],
      client_ip: OUTSIDE,
    });
    expect(remote.body).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED' });

    expect((await verifyFrom(caller.token, INSIDE))[0]).toBe('VALID');
    expect((await verifyFrom(caller.token, '::ffff:10.9.9.9'))[0]).toBe('VALID');
    expect((await verifyFrom(caller.token, '2001:db8:1::5'))[0]).toBe('VALID');
    // Refusals need no unit of the limits: once the token is cached, no call is made for them.
    expect(await verifyFrom(caller.token, OUTSIDE)).toEqual(['IP_NOT_ALLOWED', 'cached']);
    expect(await verifyFrom(caller.token, '2001:db9::5')).toEqual(['IP_NOT_ALLOWED', 'cached']);
    expect(await verifyFrom(caller.token)).toEqual(['IP_NOT_ALLOWED', 'cached']);
  });

  test('a token refused for its own state says so from any address', async () => {
    const caller = await restricted(['10.0.0.0/8']);
    expect((await keyward.verify(caller.token, [], { ip: INSIDE })).code).toBe('VALID');
    expect((await call(h.app, 'POST', `/v1/tokens/${caller.id}/revoke`, h.adminToken)).status).toBe(200);
    const remote = await call(h.app, 'POST', '/v1/verify', h.adminToken, {
      token: caller.token,
      client_ip: OUTSIDE,
    });
    expect(remote.body.code).toBe('REVOKED');
    await until(async () => (await keyward.verify(caller.token, [], { ip: OUTSIDE })).code === 'REVOKED');
  });

  describe('Fastify: request.ip, with the app trusting its proxy', () => {
    let app: FastifyInstance;
    let url = '';
    beforeAll(async () => {
      app = Fastify({ trustProxy: '127.0.0.1' });
      await app.register(keywardPlugin, { keyward, requiredScopes: ['instances:read'] });
      app.get('/v1/instances', async (request) => ({ principal: request.keyward }));
      url = await app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(() => app.close());

    const get = async (token: string, forwardedFor?: string) => {
      const res = await fetch(`${url}/v1/instances`, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
      });
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as Record<string, unknown>,
      };
    };

    test('403 IP_NOT_ALLOWED outside (first use and cached), 200 inside, as Keyward’s door answers', async () => {
      const caller = await restricted(['10.0.0.0/8']);
      const first = await get(caller.token, OUTSIDE);
      expect(first.status).toBe(403);
      expect(first.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(first.headers.get('www-authenticate')).toBe(
        `Bearer realm="api", error="invalid_token", error_description="${NOT_HERE}"`,
      );
      expect(first.body).toMatchObject({
        type: 'https://keyward.dev/errors/ip-not-allowed',
        title: 'Requests from this address are not allowed',
        status: 403,
        detail: NOT_HERE,
        code: 'IP_NOT_ALLOWED',
      });
      const door = await call(h.app, 'GET', '/v1/authorize', caller.token, undefined, {
        'x-forwarded-for': OUTSIDE,
      });
      expect(door.status).toBe(403);
      expect(Object.keys(first.body).sort()).toEqual(Object.keys(door.body).sort());
      expect(first.body).toMatchObject({
        type: door.body.type,
        title: door.body.title,
        code: door.body.code,
      });

      const inside = await get(caller.token, INSIDE);
      expect(inside).toMatchObject({ status: 200, body: { principal: { tokenId: caller.id } } });
      const cachedBefore = keyward.stats().cachedAnswers;
      expect((await get(caller.token, OUTSIDE)).body.code).toBe('IP_NOT_ALLOWED');
      // No forwarded address: the peer, this machine, is the caller, and it is not in the list.
      expect((await get(caller.token)).body.code).toBe('IP_NOT_ALLOWED');
      expect(keyward.stats().cachedAnswers - cachedBefore).toBe(2);
      expect((await get(caller.token, INSIDE)).status).toBe(200);
    });

    test('the refusal is recorded at Keyward under the token', async () => {
      const caller = await restricted(['10.0.0.0/8']);
      const refused = await get(caller.token, OUTSIDE);
      const lookUp = () =>
        call(h.app, 'GET', `/v1/errors/${refused.body.error_id}`, caller.token, undefined, {
          'x-forwarded-for': INSIDE,
        });
      await until(async () => (await lookUp()).status === 200);
      expect((await lookUp()).body).toMatchObject({ code: 'IP_NOT_ALLOWED', token_id: caller.id });
    });
  });

  describe('Express (req.ip behind a trusted proxy) and Hono (its clientIp option), the real frameworks', () => {
    const servers: Server[] = [];
    const urls = { express: '', hono: '' };
    const listening = (server: Server) =>
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/instances`;
    beforeAll(async () => {
      const app = express();
      // Express decides req.ip: the X-Forwarded-For of a loopback proxy is believed.
      app.set('trust proxy', 'loopback');
      app.get('/v1/instances', expressProtect(keyward, ['instances:read']), (req, res) => {
        res.json({ principal: (req as { keyward?: unknown }).keyward });
      });
      const expressServer = createServer(app);
      await new Promise<void>((done) => expressServer.listen(0, '127.0.0.1', done));
      urls.express = listening(expressServer);
      type Env = { Variables: { keyward: KeywardPrincipal } };
      const hono = new Hono<Env>();
      const clientIp = (c: Context<Env>) => getConnInfo(c).remote.address ?? null;
      hono.get('/v1/instances', honoProtect(keyward, ['instances:read'], { clientIp }), (c) =>
        c.json({ principal: c.get('keyward') }),
      );
      const honoServer = await new Promise<Server>((done) => {
        const started = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, () =>
          done(started as Server),
        );
      });
      urls.hono = listening(honoServer);
      servers.push(expressServer, honoServer);
    });
    afterAll(() => Promise.all(servers.map((server) => new Promise((done) => server.close(done)))));

    const statusOf = async (url: string, token: string, forwardedFor?: string) => {
      const res = await fetch(url, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
      });
      const body = (await res.json()) as { code?: string; principal?: { tokenId: string } };
      return { status: res.status, code: body.code ?? null, tokenId: body.principal?.tokenId ?? null };
    };

    test('Express: the address Express gives decides, first use and cached', async () => {
      const caller = await restricted(['10.0.0.0/8']);
      for (let i = 0; i < 2; i++) {
        expect(await statusOf(urls.express, caller.token, INSIDE)).toEqual({
          status: 200,
          code: null,
          tokenId: caller.id,
        });
        expect(await statusOf(urls.express, caller.token, OUTSIDE)).toEqual({
          status: 403,
          code: 'IP_NOT_ALLOWED',
          tokenId: null,
        });
      }
    });

    test('Hono: the peer address its clientIp option gives decides, first use and cached', async () => {
      const local = await restricted(['127.0.0.0/8', '::1/128']);
      const remote = await restricted(['10.0.0.0/8']);
      for (let i = 0; i < 2; i++) {
        expect(await statusOf(urls.hono, local.token)).toEqual({
          status: 200,
          code: null,
          tokenId: local.id,
        });
        expect(await statusOf(urls.hono, remote.token)).toEqual({
          status: 403,
          code: 'IP_NOT_ALLOWED',
          tokenId: null,
        });
      }
    });
  });
});

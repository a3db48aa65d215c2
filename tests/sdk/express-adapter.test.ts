import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Keyward } from '@keyward/sdk';
import { errorHandler, protect } from '@keyward/sdk/express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call } from '../../apps/server/test/harness.ts';
import { createToken, type KeywardOnSocket, keywardOnSocket, providerKeyward, until } from './sdk-harness.ts';

/**
 * The Express adapter is plain `(req, res, next)` and `(error, req, res, next)` over Node's
 * request and response. Express itself is not installed here, so a node:http server chains them
 * the way Express does (a real socket, a real Keyward).
 */
describe('Express adapter, chained as Express chains middleware', () => {
  let h: KeywardOnSocket;
  let keyward: Keyward;
  let server: Server;
  let url = '';
  beforeAll(async () => {
    h = await keywardOnSocket();
    keyward = await providerKeyward(h, { errorFlushIntervalMs: 100 });
    const guard = protect(keyward, ['instances:read']);
    const onError = errorHandler(keyward);
    server = createServer((req, res) => {
      const fail = (error: unknown) => onError(error, req, res, () => res.end());
      guard(req, res, (error?: unknown) => {
        if (error) return fail(error);
        try {
          if (req.url === '/v1/reports') throw new Error('report generator crashed');
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ principal: (req as { keyward?: unknown }).keyward }));
        } catch (thrown) {
          fail(thrown);
        }
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await keyward.close();
    await h.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };

  test('401 without a token, 403 with a readable error id, 200 with the principal, X-Api-Key too', async () => {
    expect(await get('/v1/instances')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const weak = await createToken(h, ['billing:read']);
    const refused = await get('/v1/instances', { authorization: `Bearer ${weak.token}` });
    expect(refused).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_SCOPE' } });
    await until(
      async () =>
        (await call(h.app, 'GET', `/v1/errors/${refused.body.error_id}`, weak.token)).status === 200,
    );
    const good = await createToken(h, ['instances:read']);
    const ok = await get('/v1/instances', { 'x-api-key': good.token });
    expect(ok).toMatchObject({ status: 200, body: { principal: { tokenId: good.id } } });
    const mismatch = await get('/v1/instances', {
      'x-api-key': good.token,
      authorization: `Bearer ${weak.token}`,
    });
    expect(mismatch).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  test('a thrown error: 500 problem+json, its record readable with the caller token only', async () => {
    const good = await createToken(h, ['instances:read']);
    const res = await get('/v1/reports', { authorization: `Bearer ${good.token}` });
    expect(res).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    await until(
      async () => (await call(h.app, 'GET', `/v1/errors/${res.body.error_id}`, good.token)).status === 200,
    );
    const other = await createToken(h, ['instances:read']);
    expect((await call(h.app, 'GET', `/v1/errors/${res.body.error_id}`, other.token)).status).toBe(404);
  });
});

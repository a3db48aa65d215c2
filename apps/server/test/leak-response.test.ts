import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, type Harness, startHarness, tokenWithScopes } from './harness.ts';

const KEY_ID = 'test-key-1';

function keyPair() {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

function keyList(id: string, publicKey: KeyObject) {
  return JSON.stringify({
    public_keys: [
      { key_identifier: id, key: publicKey.export({ type: 'spki', format: 'pem' }), is_current: true },
    ],
  });
}

const signed = (privateKey: KeyObject, payload: string) =>
  sign('sha256', Buffer.from(payload), { key: privateKey, dsaEncoding: 'der' }).toString('base64');

/** Secret scanning (GitHub's partner format) and RFC 7009 revocation by value: a leaked token dies. */
describe.each(['sqlite', 'postgres'] as const)('leak response (%s)', (database) => {
  const github = keyPair();
  const stranger = keyPair();
  let h: Harness;
  let keyServer: Server;
  let keyFetches = 0;

  beforeAll(async () => {
    // The key list is served over a real socket, as GitHub serves it.
    keyServer = createServer((_request, response) => {
      keyFetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(keyList(KEY_ID, github.publicKey));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const port = (keyServer.address() as AddressInfo).port;
    h = await startHarness({
      database,
      config: { githubScanningKeysUrl: `http://127.0.0.1:${port}/keys`, failedAuthRateLimits: '5/3600' },
    });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => keyServer.close(resolve));
  });

  const report = (payload: string, headers: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/secret-scanning/github',
      headers: { 'content-type': 'application/json', ...headers },
      payload,
    });
  const signedReport = (payload: string, key = github.privateKey, id = KEY_ID) =>
    report(payload, {
      'github-public-key-identifier': id,
      'github-public-key-signature': signed(key, payload),
    });
  const me = (token: string) => h.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });

  describe('the secret-scanning endpoint', () => {
    it('revokes a live token reported with a valid signature: true_positive, next request 401, audited with the URL', async () => {
      const { token, id } = await tokenWithScopes(h, ['data:read']);
      expect((await me(token)).statusCode).toBe(200); // cached now: the revocation must reach the cache
      const payload = JSON.stringify([
        { token, type: 'keyward_token', url: 'https://github.com/acme/app/blob/abc/.env', source: 'content' },
      ]);
      const res = await signedReport(payload);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([{ token_raw: token, token_type: 'keyward_token', label: 'true_positive' }]);
      const after = await me(token);
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe('TOKEN_REVOKED');
      const shown = await call(h.app, 'GET', `/v1/tokens/${id}`, h.adminToken);
      expect(shown.body.revoked_reason).toBe('leaked (secret scanning)');
      const audit = await call(h.app, 'GET', `/v1/audit?target_id=${id}&action=token.leaked`, h.adminToken);
      expect(audit.body.data).toHaveLength(1);
      expect(audit.body.data[0].changes.leak_url.after).toBe('https://github.com/acme/app/blob/abc/.env');
      expect(JSON.stringify(audit.body.data[0])).not.toContain(token);
      expect(keyFetches).toBeGreaterThan(0);
    });

    it('answers false_positive for an unknown or malformed value and true_positive for a dead token, changing nothing', async () => {
      const { token: dead, id } = await tokenWithScopes(h, ['data:read']);
      await call(h.app, 'POST', `/v1/tokens/${id}/revoke`, h.adminToken, {});
      const unknown = `${dead.slice(0, -8)}AAAAAAAA`;
      const payload = JSON.stringify([
        { token: unknown, type: 'keyward_token', url: 'https://x', source: 'content' },
        { token: 'not a keyward token at all', type: 'keyward_token', url: 'https://x', source: 'content' },
        { token: dead, type: 'keyward_token', url: 'https://y', source: 'commit' },
      ]);
      const res = await signedReport(payload);
      expect(res.json().map((a: { label: string }) => a.label)).toEqual([
        'false_positive',
        'false_positive',
        'true_positive',
      ]);
    });

    it('refuses an unsigned report, a bad signature, another key and an unknown key id with 401, revoking nothing', async () => {
      const { token } = await tokenWithScopes(h, ['data:read']);
      const payload = JSON.stringify([{ token, type: 'keyward_token', url: 'https://z', source: 'content' }]);
      const tampered = payload.replace('https://z', 'https://q');
      const attempts = [
        await report(payload, {}),
        await report(payload, { 'github-public-key-identifier': KEY_ID }),
        await report(tampered, {
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': signed(github.privateKey, payload),
        }),
        await signedReport(payload, stranger.privateKey),
        await signedReport(payload, github.privateKey, 'no-such-key'),
        await report(payload, {
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': 'bm90IGRlcg==',
        }),
      ];
      for (const res of attempts) {
        expect(res.statusCode).toBe(401);
        expect(res.json().code).toBe('UNAUTHENTICATED');
      }
      expect((await me(token)).statusCode).toBe(200);
    });

    it('with the project set to notify only: true_positive and audited, the token keeps working', async () => {
      const set = await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
        settings: { leak_action: 'notify' },
      });
      expect(set.status).toBe(200);
      expect(set.body.settings.leak_action).toBe('notify');
      try {
        const { token, id } = await tokenWithScopes(h, ['data:read']);
        const payload = JSON.stringify([
          { token, type: 'keyward_token', url: 'https://n', source: 'content' },
        ]);
        expect((await signedReport(payload)).json()[0].label).toBe('true_positive');
        expect((await me(token)).statusCode).toBe(200);
        const audit = await call(h.app, 'GET', `/v1/audit?target_id=${id}&action=token.leaked`, h.adminToken);
        expect(audit.body.data[0].changes.leak_action.after).toBe('notify');
      } finally {
        await call(h.app, 'PATCH', `/v1/projects/${h.projectId}`, h.adminToken, {
          settings: { leak_action: 'revoke' },
        });
      }
    });

    it('refuses a signed report that is not an array of matches with 400', async () => {
      expect((await signedReport('{"token":"x"}')).statusCode).toBe(400);
      expect((await signedReport('[{"type":"x"}]')).statusCode).toBe(400);
    });
  });

  describe('POST /v1/revoke (RFC 7009)', () => {
    it('lets the holder kill its own token with nothing but the token, as JSON or as a form', async () => {
      for (const form of [false, true]) {
        const { token, id } = await tokenWithScopes(h, ['data:read']);
        expect((await me(token)).statusCode).toBe(200);
        const res = await h.app.inject({
          method: 'POST',
          url: '/v1/revoke',
          ...(form
            ? {
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
              }
            : { payload: { token } }),
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect((await me(token)).json().code).toBe('TOKEN_REVOKED');
        const audit = await call(
          h.app,
          'GET',
          `/v1/audit?target_id=${id}&action=token.revoked`,
          h.adminToken,
        );
        expect(audit.body.data[0].changes.revoked_by.after).toBe('value');
        expect(audit.body.data[0].actor).toMatchObject({ type: 'anonymous' });
        // Revoking it again is still 200 (RFC 7009 §2.2).
        expect(
          (await h.app.inject({ method: 'POST', url: '/v1/revoke', payload: { token } })).statusCode,
        ).toBe(200);
      }
    });

    it('answers 200 to a garbage value and changes nothing; the throttle then holds, for a real token too', async () => {
      const { token } = await tokenWithScopes(h, ['data:read']);
      const address = '192.0.2.77';
      const revoke = (value: string) =>
        h.app.inject({
          method: 'POST',
          url: '/v1/revoke',
          payload: { token: value },
          remoteAddress: address,
        });
      const before = await call(h.app, 'GET', '/v1/tokens?status=revoked&limit=200', h.adminToken);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await revoke(`garbage-${i}-not-a-token`)).statusCode);
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const after = await call(h.app, 'GET', '/v1/tokens?status=revoked&limit=200', h.adminToken);
      expect(after.body.data.length).toBe(before.body.data.length);
      expect((await revoke(token)).statusCode).toBe(429);
      expect((await me(token)).statusCode).toBe(200);
    });
  });
});

describe('secret scanning keys from a file', () => {
  let h: Harness;
  const github = keyPair();
  beforeAll(async () => {
    h = await startHarness({ config: {} });
  });
  afterAll(async () => h.close());

  it('is off (404) without a key source, and verifies reports against a key file', async () => {
    const { token } = await tokenWithScopes(h, ['data:read']);
    const payload = JSON.stringify([{ token, type: 'keyward_token', url: 'https://f', source: 'content' }]);
    const headers = {
      'content-type': 'application/json',
      'github-public-key-identifier': KEY_ID,
      'github-public-key-signature': signed(github.privateKey, payload),
    };
    const off = await h.app.inject({ method: 'POST', url: '/v1/secret-scanning/github', headers, payload });
    expect(off.statusCode).toBe(404);
    const file = join(h.dataDir, 'github-keys.json');
    writeFileSync(file, keyList(KEY_ID, github.publicKey));
    const withFile = await startHarness({ config: { githubScanningKeysFile: file } });
    try {
      const { token: live } = await tokenWithScopes(withFile, ['data:read']);
      const body = JSON.stringify([
        { token: live, type: 'keyward_token', url: 'https://f', source: 'content' },
      ]);
      const res = await withFile.app.inject({
        method: 'POST',
        url: '/v1/secret-scanning/github',
        headers: { ...headers, 'github-public-key-signature': signed(github.privateKey, body) },
        payload: body,
      });
      expect(res.json()[0].label).toBe('true_positive');
      const after = await withFile.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(live) });
      expect(after.statusCode).toBe(401);
    } finally {
      await withFile.close();
    }
  });
});

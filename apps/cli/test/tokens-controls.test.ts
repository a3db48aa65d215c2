import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { parseJson, runCli, tempConfigHome, useCli } from './helpers.ts';

const fx = useCli({ login: 'admin' });
const { cli } = fx;
const anonymous = tempConfigHome();
afterAll(() => anonymous.cleanup());

const statusOf = async (secret: string) =>
  (await call(fx.server.h.app, 'GET', '/v1/me', null, undefined, { authorization: `Bearer ${secret}` }))
    .status;

type Shown = { id: string; allowed_ips: string[]; metadata: Record<string, unknown> };

describe('tokens: IP allowlist, metadata, Idempotency-Key and revoke --value', () => {
  it('creates with --allow-ip and --metadata, replays with --idempotency-key, clears with --any-ip', async () => {
    const args = [
      'tokens',
      'create',
      '--name',
      'cli controls',
      '--scope',
      'data:read',
      '--allow-ip',
      '127.0.0.1',
    ];
    const withKey = [...args, '--metadata', '{"plan":"pro"}', '--idempotency-key', 'cli-key-1'];
    const created = await cli(withKey);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^kw_/);
    const replay = await cli(withKey);
    expect(replay.code).toBe(0);
    expect(replay.stdout.trim()).toBe('');
    expect(replay.stderr).toMatch(
      /Already created tok_\w+ "cli controls".*\n.*delivered with the first answer/,
    );
    const list = parseJson<{ data: Shown[] }>(
      (await cli(['tokens', 'list', '--json', '--search', 'cli controls'])).stdout,
    );
    expect(list.data).toHaveLength(1);
    const id = list.data[0]?.id as string;
    expect(list.data[0]).toMatchObject({ allowed_ips: ['127.0.0.1/32'], metadata: { plan: 'pro' } });
    const show = await cli(['tokens', 'show', id]);
    expect(show.stdout).toMatch(/allowed IPs:\s+127\.0\.0\.1\/32/);
    const cleared = parseJson<Shown>((await cli(['tokens', 'update', id, '--any-ip', '--json'])).stdout);
    expect(cleared.allowed_ips).toEqual([]);
    const bad = await cli(['tokens', 'update', id, '--metadata', '[1]']);
    expect(bad.code).toBe(2);
  });

  it('revoke --value - reads the secret from stdin and needs no login', async () => {
    const created = await cli(['tokens', 'create', '--name', 'cli by value', '--scope', 'data:read']);
    const secret = created.stdout.trim();
    expect(await statusOf(secret)).toBe(200);
    const revoked = await runCli(['tokens', 'revoke', '--value', '-', '--url', fx.server.url], {
      configHome: anonymous.dir,
      input: `${secret}\n`,
    });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    expect(revoked.stdout + revoked.stderr).not.toContain(secret);
    expect(await statusOf(secret)).toBe(401);
    const garbage = await runCli(['tokens', 'revoke', '--value', '-', '--url', fx.server.url], {
      configHome: anonymous.dir,
      input: 'not-a-token-at-all\n',
    });
    expect(garbage.code).toBe(0);
  });
});

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { createToken, serveDataDir, tempConfigHome, useCli, useDataDirs } from './helpers.ts';
import { Terminal } from './terminal.ts';

const PASSWORD = 'correct horse battery staple';
const TOKEN = /kw_[0-9A-Za-z]{49}/;

// The terminals bring config homes of their own.
const fx = useCli();
const dataDir = useDataDirs();
const open: Terminal[] = [];
const cleanups: (() => void)[] = [];

function terminal(args: string[], env: Record<string, string> = {}): Terminal {
  const home = tempConfigHome();
  cleanups.push(home.cleanup);
  const t = Terminal.start(args, { HOME: home.dir, XDG_CONFIG_HOME: home.dir, ...env });
  open.push(t);
  return t;
}

afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

describe('keyward init on a terminal', () => {
  it('asks for the email and a hidden password typed twice, retries a mismatch, and ends with next steps', async () => {
    const dir = dataDir();
    const t = terminal(['init', '--data-dir', dir]);
    await t.waitFor('Administrator email [admin@localhost]:');
    t.type('ana@example.com');
    await t.waitFor('Console password (at least 12 characters, input is hidden):');
    t.type('too short');
    await t.waitFor('Too short');
    await t.waitFor('Console password', 2);
    t.type(PASSWORD);
    await t.waitFor('Repeat the password:');
    t.type(`${PASSWORD} but different`);
    await t.waitFor('The passwords do not match; try again.');
    await t.waitFor('Console password', 3);
    t.type(PASSWORD);
    await t.waitFor('Repeat the password:', 2);
    t.type(PASSWORD);
    const screen = await t.waitFor('[exit 0]');

    expect(screen).not.toContain('too short');
    expect(screen).not.toContain('horse');
    expect(screen).toContain('Keyward is initialised.');
    expect(screen).toContain('(ana@example.com)');
    expect(screen).toContain('Next steps:');
    expect(screen).toContain('sign in as ana@example.com');
    expect(screen).toContain('npx keyward auth login --url http://127.0.0.1:8080');
    const adminToken = TOKEN.exec(screen)?.[0] ?? '';

    // What init created works: the console password signs in, the admin token authenticates.
    const running = await serveDataDir(dir);
    try {
      const login = await call(running.app, 'POST', '/v1/auth/login', null, {
        email: 'ana@example.com',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      expect((await call(running.app, 'GET', '/v1/me', adminToken)).status).toBe(200);
    } finally {
      await running.close();
    }

    // A second run asks nothing and says how to get a token for the CLI instead.
    const again = terminal(['init', '--data-dir', dir]);
    const refused = await again.waitFor('[exit 1]');
    expect(refused).toContain('already initialised');
    expect(refused).toContain('open API Access');
    expect(refused).toContain('personal API key');
    expect(refused).toContain('npx keyward auth login');
    expect(refused).not.toContain('Administrator email');
  });

  it('--no-password asks only for the email', async () => {
    const dir = dataDir();
    const t = terminal(['init', '--data-dir', dir, '--no-password']);
    await t.waitFor('Administrator email');
    t.type('');
    const screen = await t.waitFor('[exit 0]');
    expect(screen).toContain('(admin@localhost)');
    expect(screen).not.toContain('Console password');
    expect(screen).toContain('no console password was set');
  });
});

describe('prompts of the client commands', () => {
  it('auth login asks for the token without echoing it', async () => {
    const t = terminal(['auth', 'login', '--url', fx.server.url]);
    await t.waitFor('Paste your Keyward token (input is hidden):');
    t.type(fx.server.h.adminToken);
    const screen = await t.waitFor('[exit 0]');
    expect(screen).toContain(`✓ Logged in to ${fx.server.url}`);
    expect(screen).not.toContain(fx.server.h.adminToken);
    expect(screen).toContain(`kw_…${fx.server.h.adminToken.slice(-4)}`);
  });

  it('tokens revoke asks first: n keeps the token, y revokes it', async () => {
    const { id } = await createToken(fx.server, { name: 'to revoke', scopes: ['errors:read'] });
    const env = { KEYWARD_URL: fx.server.url, KEYWARD_TOKEN: fx.server.h.adminToken };
    const status = async () =>
      (await call(fx.server.h.app, 'GET', `/v1/tokens/${id}`, fx.server.h.adminToken)).body.status;

    const declined = terminal(['tokens', 'revoke', id], env);
    await declined.waitFor('[y/N]');
    declined.type('n');
    expect(await declined.waitFor('[exit 1]')).toContain('cancelled');
    expect(await status()).toBe('active');

    const accepted = terminal(['tokens', 'revoke', id], env);
    await accepted.waitFor('[y/N]');
    accepted.type('y');
    expect(await accepted.waitFor('[exit 0]')).toContain(`Revoked ${id}`);
    expect(await status()).toBe('revoked');
  });
});

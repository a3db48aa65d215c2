import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.ts';
import { parseJson, serveDataDir, useCli, useDataDirs } from './helpers.ts';

const PASSWORD = 'correct horse battery staple';
const { cli } = useCli({ offline: true });
const dataDir = useDataDirs();

const init = (dir: string, args: string[], input = '') =>
  cli(['init', '--data-dir', dir, ...args], { input });

describe('keyward init in scripts (stdin not a terminal)', () => {
  it('--password-stdin sets the console password the administrator signs in with', async () => {
    const dir = dataDir();
    const result = await init(
      dir,
      ['--email', 'ops@example.com', '--password-stdin', '--json'],
      `${PASSWORD}\n`,
    );
    expect(result.code).toBe(0);
    const output = parseJson<{ admin_token: string; user_id: string }>(result.stdout);
    expect(output.admin_token).toMatch(/^kw_/);

    const running = await serveDataDir(dir);
    try {
      const body = { email: 'ops@example.com', password: PASSWORD };
      expect((await call(running.app, 'POST', '/v1/auth/login', null, body)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('refuses a short password, both password flags and a bad email as usage errors, creating nothing', async () => {
    const dir = dataDir();
    const short = await init(dir, ['--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');
    const both = await init(dir, ['--password-stdin', '--no-password'], `${PASSWORD}\n`);
    expect(both.code).toBe(2);
    const email = await init(dir, ['--email', 'not-an-email', '--no-password']);
    expect(email.code).toBe(2);
    expect(email.stderr).toContain('not an email address');

    const created = await init(dir, ['--no-password']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('(admin@localhost)');
    expect(created.stdout).toContain('no console password was set');
  });
});

/**
 * The container image as an operator runs it: built with podman from the Dockerfile on a local
 * base image (deploy/base-image.sh: Debian bookworm by mmdebstrap plus this machine's node; no
 * registry is reachable here), then `keyward init` and `keyward serve` in containers sharing a
 * data volume, a token created over HTTP and used on /v1/me. Needs the built workspace.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../processes.ts';
import { type Podman, podmanWith, writeContainersConf } from './podman.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
const KEYWARD_UID = 10001; // the Dockerfile's fixed user

describe('container image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-container-'));
  const suffix = randomBytes(4).toString('hex');
  const image = `localhost/keyward:e2e-${suffix}`;
  const apiImage = `localhost/keyward-gateway-api:e2e-${suffix}`;
  const volume = `keyward-e2e-${suffix}`;
  const pepperFile = join(dir, 'pepper');
  const pepper = randomBytes(32).toString('hex');
  const containers: string[] = [];
  let podman: Podman;
  let conf = '';
  let adminToken = '';

  beforeAll(async () => {
    for (const built of ['apps/cli/dist/keyward.js', 'apps/console/dist/index.html'])
      if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run npm run build first`);
    conf = writeContainersConf(dir);
    podman = podmanWith(conf);
    const base = await run(join(ROOT, 'deploy/base-image.sh'), [], {
      env: { ...process.env, CONTAINERS_CONF: conf },
      timeout: 600_000,
    });
    // docker format: the OCI image format has no HEALTHCHECK.
    await podman(
      [
        'build',
        '--format',
        'docker',
        '--network',
        'host',
        '--build-arg',
        `BASE=${base.stdout.trim()}`,
      ].concat(['--tag', image, ROOT]),
      { timeout: 600_000 },
    );
    // A mounted secret file: readable by the container's user only (the server refuses others).
    writeFileSync(pepperFile, `${pepper}\n`, { mode: 0o600 });
    chownSync(pepperFile, KEYWARD_UID, KEYWARD_UID);
    chmodSync(pepperFile, 0o600);
    await podman(['volume', 'create', volume]);
  }, 900_000);

  afterAll(async () => {
    if (podman) {
      for (const name of containers) await podman(['rm', '--force', '--time', '5', name]).catch(() => '');
      await podman(['volume', 'rm', '--force', volume]).catch(() => '');
      await podman(['rmi', '--force', image, apiImage]).catch(() => '');
      await podman(['image', 'prune', '--force', '--filter', 'label=org.keyward.stage=build']).catch(
        () => '',
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  async function serve(name: string, pepperArgs: string[]): Promise<string> {
    const port = await freePort();
    containers.push(name);
    await podman(
      ['run', '--detach', '--name', name, '--network', 'host', '--volume', `${volume}:/var/lib/keyward`]
        .concat(pepperArgs)
        // Host network: loopback keeps the test's server off the machine's other interfaces.
        .concat(['--env', 'KEYWARD_HOST=127.0.0.1', '--env', `KEYWARD_PORT=${port}`, image]),
    );
    const url = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(200)) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return url;
    }
    throw new Error(`${name} did not answer:\n${await podman(['logs', name]).catch(String)}`);
  }

  const fileSecret = ['--volume', `${pepperFile}:/run/secrets/keyward_pepper:ro`].concat([
    '--env',
    'KEYWARD_PEPPER_FILE=/run/secrets/keyward_pepper',
  ]);

  test('declares a non-root user, a health check and the data volume', async () => {
    const [config] = JSON.parse(await podman(['image', 'inspect', image])) as {
      Config: { User: string; Volumes: Record<string, object> };
      Healthcheck?: { Test: string[] };
    }[];
    expect(config?.Config.User).toBe('keyward');
    expect(Object.keys(config?.Config.Volumes ?? {})).toEqual(['/var/lib/keyward']);
    expect(config?.Healthcheck?.Test.join(' ')).toContain('/healthz');
  });

  test('init → token → /v1/me, with the pepper from a secret file and then from the environment', async () => {
    const init = await podman(
      ['run', '--rm', '--network', 'host', '--volume', `${volume}:/var/lib/keyward`]
        .concat(fileSecret)
        .concat([image, 'init', '--json', '--no-password']),
    );
    adminToken = (JSON.parse(init) as { admin_token: string }).admin_token;
    expect(adminToken).toMatch(/^kw_/);

    const first = await serve(`keyward-e2e-${suffix}-a`, fileSecret);
    const created = await fetch(`${first}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from the container test', scopes: ['jobs:read'] }),
    });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    const me = await fetch(`${first}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { token_id: string }).token_id).toBe(id);

    const name = containers.at(-1) as string;
    expect((await podman(['exec', name, 'id', '-u'])).trim()).toBe(String(KEYWARD_UID));
    // The image's HEALTHCHECK, run on demand (no systemd here to schedule it).
    await podman(['healthcheck', 'run', name]);
    await podman(['stop', '--time', '10', name]);

    // A new container on the same volume, the same pepper given as an environment variable:
    // the token created before still works (data and pepper both survived the container).
    const second = await serve(`keyward-e2e-${suffix}-b`, ['--env', `KEYWARD_PEPPER=${pepper}`]);
    const again = await fetch(`${second}/v1/me`, { headers: { 'x-api-key': token } });
    expect(again.status).toBe(200);
    // A different pepper cannot verify it: the token's hash is keyed.
    await podman(['stop', '--time', '10', containers.at(-1) as string]);
    const third = await serve(`keyward-e2e-${suffix}-c`, ['--env', `KEYWARD_PEPPER=${'ab'.repeat(32)}`]);
    const wrong = await fetch(`${third}/v1/me`, { headers: { 'x-api-key': token } });
    expect(wrong.status).toBe(401);
  }, 300_000);

  test("compose.yaml's example API target builds and answers", async () => {
    const base = (
      await run(join(ROOT, 'deploy/base-image.sh'), [], { env: { ...process.env, CONTAINERS_CONF: conf } })
    ).stdout.trim();
    await podman(
      ['build', '--format', 'docker', '--network', 'host', '--target', 'gateway-api'].concat([
        '--build-arg',
        `BASE=${base}`,
        '--tag',
        apiImage,
        ROOT,
      ]),
      { timeout: 600_000 },
    );
    const port = await freePort();
    const name = `keyward-e2e-${suffix}-api`;
    containers.push(name);
    await podman(
      ['run', '--detach', '--name', name, '--network', 'host', apiImage].concat([
        'node',
        '/opt/gateway-api/echo-api.mjs',
        String(port),
        '127.0.0.1',
      ]),
    );
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
      const res = await fetch(`http://127.0.0.1:${port}/api/x`, {
        headers: { 'x-keyward-token-id': 'tok_1' },
      }).catch(() => null);
      if (!res) continue;
      expect(await res.json()).toMatchObject({ path: '/api/x', keyward: { 'x-keyward-token-id': 'tok_1' } });
      return;
    }
    throw new Error(`the example API did not answer:\n${await podman(['logs', name]).catch(String)}`);
  }, 600_000);
});

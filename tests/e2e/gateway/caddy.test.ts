import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '../processes.ts';
import { describeGateway } from './gateway-suite.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Real Caddy running docs/gateway/Caddyfile with the ports swapped. */
describeGateway('Caddy forward_auth in front of an API', async (ports) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keyward-caddy-'));
  const conf = readFileSync(join(ROOT, 'docs/gateway/Caddyfile'), 'utf8')
    .replace('http://:8000', `http://127.0.0.1:${port}`)
    .replace('reverse_proxy 127.0.0.1:8080 {', `reverse_proxy 127.0.0.1:${ports.keyward} {`)
    .replace('reverse_proxy 127.0.0.1:3000', `reverse_proxy 127.0.0.1:${ports.api}`);
  writeFileSync(join(dir, 'Caddyfile'), conf);
  const child = spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  });
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += String(chunk);
  });
  await waitForPort(port, child, () => log);
  return { base: `http://127.0.0.1:${port}`, child, dir };
});

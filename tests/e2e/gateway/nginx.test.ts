import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '../processes.ts';
import { describeGateway } from './gateway-suite.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

/** Real nginx running docs/gateway/nginx.conf with the ports swapped. */
describeGateway('nginx auth_request in front of an API', async (ports) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keyward-nginx-'));
  chmodSync(dir, 0o755); // workers drop to an unprivileged user when started as root
  const conf = readFileSync(join(ROOT, 'docs/gateway/nginx.conf'), 'utf8')
    .replace('listen 8000;', `listen 127.0.0.1:${port};`)
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${ports.keyward};`)
    .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${ports.api};`)
    .replace('worker_processes auto;', 'worker_processes 1;');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(
    NGINX,
    ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += String(chunk);
  });
  await waitForPort(port, child, () => log);
  return { base: `http://127.0.0.1:${port}`, child, dir };
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildCli, useDataDirs } from './helpers.ts';
import { Terminal } from './terminal.ts';

const terminals: Terminal[] = [];
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

const dataDir = useDataDirs();

/**
 * An IPv4 address of this machine that is not loopback. Without one (a bare container), a dummy
 * interface with a test address is added for the test (needs root).
 */
function nonLoopbackAddress(): string {
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  const name = `kwt${randomBytes(3).toString('hex')}`;
  const [a = 0, b = 0] = randomBytes(2);
  const address = `198.18.${a}.${1 + (b % 250)}`; // 198.18.0.0/15: set aside for network tests
  execFileSync('ip', ['link', 'add', name, 'type', 'dummy']);
  cleanups.push(() => execFileSync('ip', ['link', 'delete', name]));
  execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', name]);
  execFileSync('ip', ['link', 'set', name, 'up']);
  return address;
}

/**
 * Another machine, as far as the network goes: a network namespace joined to this one by a veth
 * pair, with its own address. Returns the namespace's name and address.
 */
function networkNamespace(): { name: string; address: string } {
  const name = `kw${randomBytes(3).toString('hex')}`;
  const [subnet = 0] = randomBytes(1);
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('netns', 'add', name);
  cleanups.push(() => ip('netns', 'delete', name));
  ip('link', 'add', `${name}h`, 'type', 'veth', 'peer', 'name', `${name}n`);
  cleanups.push(() => ip('link', 'delete', `${name}h`));
  ip('link', 'set', `${name}n`, 'netns', name);
  ip('addr', 'add', `10.231.${subnet}.1/30`, 'dev', `${name}h`);
  ip('link', 'set', `${name}h`, 'up');
  ip('-n', name, 'addr', 'add', `10.231.${subnet}.2/30`, 'dev', `${name}n`);
  ip('-n', name, 'link', 'set', `${name}n`, 'up');
  ip('-n', name, 'link', 'set', 'lo', 'up');
  return { name, address: `10.231.${subnet}.2` };
}

/**
 * `keyward serve` with its output piped (so JSON), resolved with its port once it listens; inside
 * a network namespace when one is named.
 */
function serve(args: string[], namespace?: string): Promise<number> {
  const command = [process.execPath, BIN, 'serve', '--port', '0', '--data-dir', dataDir(), ...args];
  const [program = '', ...rest] = namespace ? ['ip', 'netns', 'exec', namespace, ...command] : command;
  const child = spawn(program, rest, { env: { PATH: process.env.PATH ?? '' } });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /Server listening at http:\/\/[^"]+:(\d+)/.exec(output)?.[1];
      if (port) resolve(Number(port));
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

/** The status of GET /healthz at an address, or the connection error's code. */
async function health(host: string, port: number): Promise<number | string> {
  try {
    return (await fetch(`http://${host}:${port}/healthz`)).status;
  } catch (error) {
    return ((error as { cause?: { code?: string } }).cause?.code ?? String(error)) as string;
  }
}

beforeAll(() => buildCli());

afterEach(() => {
  for (const t of terminals.splice(0)) t.close();
  for (const child of children.splice(0)) {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
  }
});

afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

describe('keyward serve at a terminal', () => {
  it('prints a banner with the URL, data, reach and the setup code, then one line per request', async () => {
    const dir = dataDir();
    const t = Terminal.start(['serve', '--port', '0', '--data-dir', dir], {});
    terminals.push(t);
    const banner = await t.waitFor('Requests are logged below');
    const url = /is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(banner).toContain(
      'listening on  127.0.0.1 only (this machine); --host 0.0.0.0 opens it to the network',
    );
    expect(banner).toContain(`data          ${dir}/keyward.db (SQLite)`);
    expect(banner).toContain(`open ${url}/setup and enter the code`);
    expect(banner).toContain(`run npx keyward init --data-dir ${dir} in another terminal`);
    const code = /Setup code: (.+)$/m.exec(banner)?.[1]?.trim() ?? '';

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const screen = await t.waitFor(/\d\d:\d\d:\d\d 200 GET {4}\/healthz \d+\.\d ms/);
    expect(screen).not.toContain('incoming request');
    expect(screen).not.toContain('{"level"');

    // The code on the screen is the one the server accepts.
    const setup = await fetch(`${url}/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        setup_code: code,
        email: 'ana@example.com',
        password: 'correct horse battery staple',
      }),
    });
    expect(setup.status).toBe(201);
    await t.waitFor(/201 POST {3}\/v1\/setup/);
  });

  it('--log-format json keeps JSON lines on a terminal too', async () => {
    const t = Terminal.start(['serve', '--port', '0', '--data-dir', dataDir(), '--log-format', 'json'], {});
    terminals.push(t);
    const screen = await t.waitFor('setup code');
    expect(screen).toMatch(/^\{"level":30,.*"msg":"Server listening at http:\/\/127\.0\.0\.1:\d+"\}$/m);
    expect(screen).not.toContain('Requests are logged below');
  });
});

describe('binding', () => {
  it('by default only loopback reaches the server; --host 0.0.0.0 opens it to another address', async () => {
    const other = nonLoopbackAddress();
    const local = await serve([]);
    expect(await health('127.0.0.1', local)).toBe(200);
    expect(await health(other, local)).toBe('ECONNREFUSED');

    const open = await serve(['--host', '0.0.0.0']);
    expect(await health(other, open)).toBe(200);
    expect(await health('127.0.0.1', open)).toBe(200);
  });

  it.runIf(process.getuid?.() === 0)(
    'from another network namespace: the default bind is unreachable, --host 0.0.0.0 answers',
    async () => {
      const machine = networkNamespace();
      const local = await serve([], machine.name);
      expect(await health(machine.address, local)).toBe('ECONNREFUSED');
      const open = await serve(['--host', '0.0.0.0'], machine.name);
      expect(await health(machine.address, open)).toBe(200);
    },
  );
});

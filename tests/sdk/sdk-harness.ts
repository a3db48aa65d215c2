import { createKeyward, type Keyward, type KeywardOptions } from '@keyward/sdk';
import { call, type Harness, type HarnessOptions, startHarness } from '../../apps/server/test/harness.ts';

export type KeywardOnSocket = Harness & { url: string };

/** A real Keyward on a real socket (the SDK talks HTTP to it, as a provider's process would). */
export async function keywardOnSocket(options: HarnessOptions = {}): Promise<KeywardOnSocket> {
  const h = await startHarness({
    ...options,
    config: { failedAuthRateLimits: 'none', ...options.config },
  });
  const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...h, url };
}

/** A token of the harness's project holding `scopes` and, optionally, its own limits. */
export async function createToken(
  h: Harness,
  scopes: string[],
  rateLimits?: { limit: number; window_seconds: number }[],
): Promise<{ token: string; id: string }> {
  const res = await call(h.app, 'POST', '/v1/tokens', h.adminToken, {
    name: `sdk ${scopes.join(' ')}`,
    scopes,
    ...(rateLimits ? { rate_limits: rateLimits } : {}),
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.raw}`);
  return { token: res.body.token as string, id: res.body.id as string };
}

/** The provider's own Keyward token: verifies callers and writes error records, without a limit. */
export async function providerKeyward(
  h: KeywardOnSocket,
  options: Partial<KeywardOptions> = {},
  url = h.url,
): Promise<Keyward> {
  const provider = await createToken(
    h,
    ['tokens:verify', 'errors:write'],
    [{ limit: 1_000_000, window_seconds: 60 }],
  );
  const keyward = createKeyward({ baseUrl: url, token: provider.token, ...options });
  if (options.changeStream !== false && !(await keyward.ready(10_000)))
    throw new Error('the change stream did not become ready');
  return keyward;
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - started;
}

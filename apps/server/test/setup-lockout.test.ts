import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const body = (setup_code: string) => ({
  setup_code,
  email: 'first@example.com',
  password: 'a long enough password',
});

async function setup(harness: Harness, code: string) {
  const res = await harness.app.inject({ method: 'POST', url: '/v1/setup', payload: body(code) });
  return { status: res.statusCode, body: res.json() };
}

describe.each(['sqlite', 'postgres'] as const)('first-run setup (%s)', (database) => {
  it('prints a code of 140 bits and locks after a few wrong codes, the right one included', async () => {
    h = await startHarness({ database, empty: true, config: { setupCodeAttempts: 3 } });
    const code = h.deps.setupCode ?? '';
    expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){6}$/);

    expect(await setup(h, 'AAAA-AAAA')).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await setup(h, '12345678')).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const third = await setup(h, 'BBBB');
    expect(third).toMatchObject({
      status: 403,
      body: { code: 'SETUP_LOCKED', error_id: expect.stringMatching(/^err_/) },
    });
    expect((await setup(h, code)).body.code).toBe('SETUP_LOCKED');
    expect(await h.storage.users.count()).toBe(0);

    await h.deps.audit.flush();
    const events = (await h.storage.audit.list({ projectId: null }, { limit: 50 })).items;
    const byAction = Object.fromEntries(events.map((e) => [e.action, e.count]));
    expect(byAction).toEqual({ 'setup.code_rejected': 3, 'setup.locked': 1, 'setup.refused_locked': 1 });
  });

  it('accepts the code however it is typed (case, spaces), and only once', async () => {
    h = await startHarness({ database, empty: true });
    const typed = ` ${(h.deps.setupCode ?? '').toLowerCase().replaceAll('-', ' ')} `;
    expect((await setup(h, typed)).status).toBe(201);
    expect((await setup(h, typed)).body.code).toBe('ALREADY_INITIALIZED');
  });
});

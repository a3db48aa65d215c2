import { expect, test } from 'vitest';

// The provider's process holds the change stream: the SDK keeps nextTick's entry maps alive too
// (core's tick-shape, ADR 0015 and 0011), from the moment it is imported.
test('importing the SDK holds one object of the nextTick entries’ shape', async () => {
  const held = () =>
    Object.getOwnPropertySymbols(globalThis).filter((s) => s.description === 'keyward.tickShape');
  expect(held()).toEqual([]);
  await import('../src/sdk.ts');
  const [symbol] = held();
  expect(symbol).toBeDefined();
  const shape = (globalThis as Record<symbol, object>)[symbol as symbol] as object;
  expect(Reflect.ownKeys(shape).map(String)).toEqual([
    'callback',
    'args',
    'Symbol(async_id_symbol)',
    'Symbol(trigger_async_id_symbol)',
  ]);
});

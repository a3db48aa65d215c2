import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const module = fileURLToPath(new URL('../src/tick-shape.ts', import.meta.url));

// A real Node process with V8's natives syntax: the held object must have the very map of the
// entries Node's process.nextTick queues (caught with an init hook), or it keeps nothing alive.
const script = `
import ${JSON.stringify(module)};
import { createHook } from 'node:async_hooks';
const held = globalThis[Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'keyward.tickShape')];
const ticks = [];
const hook = createHook({ init(_id, type, _trigger, resource) { if (type === 'TickObject') ticks.push(resource); } });
hook.enable();
process.nextTick(() => {});
process.nextTick((a, b) => a + b, 1, 2);
hook.disable();
process.stdout.write(JSON.stringify({
  held: held !== undefined,
  keys: Reflect.ownKeys(held).map(String),
  sameMap: ticks.map((t) => %HaveSameMap(t, held)),
}));
`;

test('the held object has the map of a real nextTick entry', () => {
  const output = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(output)).toEqual({
    held: true,
    keys: ['callback', 'args', 'Symbol(async_id_symbol)', 'Symbol(trigger_async_id_symbol)'],
    sameMap: [true, true],
  });
});

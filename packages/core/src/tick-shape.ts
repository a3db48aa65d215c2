/**
 * Keeps one object shaped like Node's `process.nextTick` queue entries alive for the life of the
 * process (ADR 0015). Node builds each entry as `{ [async_id_symbol], [trigger_async_id_symbol],
 * callback, args }`; V8 records the object's map after each computed key in `nextTick`'s feedback
 * only weakly. When a full GC runs while no entry is alive (after `serve` has loaded Fastify and the
 * drivers, before the first request), those maps die, and the next entry turns the three slots
 * megamorphic for good: every tick then defines its properties in the V8 runtime (~20 calls and
 * ~27,000 instructions per request on the gateway door). An entry of the same shape that never dies
 * keeps the maps, so `nextTick` stays monomorphic. It must run before the server is loaded.
 *
 * The SDK ships it too (bundled, evaluated with `createKeyward`'s module): a provider's process
 * holding the change stream hit the same state in 5 of 5 runs without it, 0 of 5 with it (perf,
 * ADR 0011).
 */
import { AsyncResource } from 'node:async_hooks';

function tickShapedObject(): object | undefined {
  // AsyncResource carries the same two symbols as its own keys (public API, no internals).
  const symbols = Object.getOwnPropertySymbols(new AsyncResource('KEYWARD_TICK_SHAPE'));
  const asyncId = symbols.find((s) => s.description === 'async_id_symbol');
  const triggerAsyncId = symbols.find((s) => s.description === 'trigger_async_id_symbol');
  if (asyncId === undefined || triggerAsyncId === undefined) return undefined;
  // Keys in Node's order. The ids are non-integer doubles: Node's ids are heap numbers (read from a
  // Float64Array), and a small integer here could give a fresh map a Smi field that Node's first id
  // would generalise, replacing the map again.
  return { [asyncId]: 0.5, [triggerAsyncId]: 0.5, callback: () => {}, args: undefined };
}

// On the global object: a module-level variable nothing reads may not outlive the module's evaluation.
Object.defineProperty(globalThis, Symbol('keyward.tickShape'), { value: tickShapedObject() });

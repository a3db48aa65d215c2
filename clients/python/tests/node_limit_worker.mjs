// One Node provider process for the exact-limit test: N concurrent verifications through the SDK.
import { createInterface } from 'node:readline';
import { createKeyward } from '../../../packages/sdk/dist/sdk.js';

const [url, verifyToken, callerToken, count] = process.argv.slice(2);
const keyward = createKeyward({ baseUrl: url, token: verifyToken });
if (!(await keyward.ready(10_000))) throw new Error('the change stream did not come up');
console.log('ready');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const results = await Promise.all(
  Array.from({ length: Number(count) }, () => keyward.verify(callerToken, ['instances:read'])),
);
const refused = results.filter((r) => !r.valid).map((r) => r.code);
if (refused.some((code) => code !== 'RATE_LIMITED')) throw new Error(`unexpected refusals: ${refused}`);
await keyward.close();
console.log(`admitted ${results.filter((r) => r.valid).length}`);

import type * as sdk from '@keyward/sdk';
import type { Static } from 'typebox';
import { describe, expectTypeOf, test } from 'vitest';
import type { TokenStatusSchema, TokenView, TokenWithSecret } from '../src/routes/schemas.ts';

// Checked by `tsc` (the typecheck step): the SDK's views, which the CLI and console use, are the
// route schemas the OpenAPI document is built from; a field added or changed on one side fails.
describe('the SDK views are the OpenAPI schemas', () => {
  test('tokens', () => {
    expectTypeOf<sdk.TokenView>().toEqualTypeOf<Static<typeof TokenView>>();
    expectTypeOf<sdk.TokenWithSecret>().toEqualTypeOf<Static<typeof TokenWithSecret>>();
    expectTypeOf<sdk.TokenStatus>().toEqualTypeOf<Static<typeof TokenStatusSchema>>();
  });
});

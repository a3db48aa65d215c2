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

  test('the generated pages are the SDK generic page', () => {
    expectTypeOf<sdk.TokenPage>().toEqualTypeOf<sdk.Page<sdk.TokenView>>();
    expectTypeOf<sdk.AuditEventPage>().toEqualTypeOf<sdk.Page<sdk.AuditEvent>>();
    expectTypeOf<sdk.ListProjectsResponse>().toEqualTypeOf<sdk.Page<sdk.ProjectView>>();
  });

  test('a management method takes the path parameters, then the body, and answers the view', () => {
    expectTypeOf<sdk.KeywardApi['revokeToken']>().parameters.toEqualTypeOf<
      [token_id: string, body?: sdk.RevokeTokenBody, options?: sdk.CallOptions]
    >();
    expectTypeOf<
      sdk.KeywardApi['rotateToken']
    >().returns.resolves.toEqualTypeOf<sdk.TokenWithSecretOrReplay>();
    expectTypeOf<sdk.KeywardApi['deleteRole']>().returns.resolves.toEqualTypeOf<null>();
  });
});

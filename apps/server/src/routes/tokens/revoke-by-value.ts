import { MAX_TOKEN_LENGTH } from '@keyward/core';
import { Type } from 'typebox';
import { createTokenByValue } from '../../services/token-by-value.ts';
import type { App } from '../../types.ts';
import type { Route } from '../context.ts';
import { acceptOAuthForms } from '../oauth-form.ts';
import { problemResponses } from '../schemas.ts';

const Body = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const REVOKED_BY_VALUE = 'revoked by value';

/**
 * RFC 7009 revocation: the token in the body is revoked, with no other credential (whoever holds a
 * working secret may kill it: a finder, or an owner with no other token at hand). The answer is 200
 * whether the token existed or not (§2.2); values that name no live token count as failed
 * authentications of the caller's address, so guessing is throttled like sign-in.
 */
export const revokeByValue: Route = (app, { deps }) => {
  const byValue = createTokenByValue(deps);
  app.register(async (plugin) => {
    const scope = plugin as unknown as App;
    acceptOAuthForms(scope);
    scope.post(
      '/v1/revoke',
      {
        config: { policy: { exempt: 'the token in the body is its own credential (RFC 7009)' } },
        schema: {
          operationId: 'revokeTokenByValue',
          tags: ['tokens'],
          summary:
            'Revoke the token given in the body (RFC 7009), form-encoded or JSON; needs no other token',
          description:
            'Answers 200 whether or not the token existed. Values that name no live token count against ' +
            "the caller's address like failed sign-ins (429 once over the allowance).",
          body: Body,
          response: { 200: Type.Object({}), ...problemResponses },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        await deps.rateLimits.assertAddressNotBlocked(request.ip);
        const found = await byValue.find(request.body.token);
        if (found === null) {
          await deps.rateLimits.recordFailure(request.ip);
          return {};
        }
        if (found.live) {
          await byValue.revoke(request, found, {
            reason: REVOKED_BY_VALUE,
            action: 'token.revoked',
            changes: { revoked_by: { after: 'value' } },
          });
        }
        return {};
      },
    );
  });
};

import type { TokenId } from '@keyward/core';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenView } from '../schemas.ts';
import { TokenParams } from './get-token.ts';

/** `POST …/disable` pauses a token without revoking it; `POST …/enable` resumes it. */
export const setTokenDisabled: Route = (app, { deps, tokens }) => {
  for (const [action, disabled, policy] of [
    ['disable', true, 'token.disable'],
    ['enable', false, 'token.enable'],
  ] as const) {
    app.post(
      `/v1/tokens/:token_id/${action}`,
      {
        config: { policy },
        schema: {
          operationId: disabled ? 'disableToken' : 'enableToken',
          tags: ['tokens'],
          summary: disabled ? 'Disable a token (reversible)' : 'Enable a disabled token',
          security,
          params: TokenParams,
          response: { 200: TokenView, ...problemResponses },
        },
      },
      async (request) => {
        const token = await tokens.setDisabled(
          request,
          principalOf(request),
          request.params.token_id as TokenId,
          disabled,
        );
        return presentToken(token, deps.now());
      },
    );
  }
};

import { createIdempotency } from '../../services/idempotency.ts';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenWithSecretOrReplay } from '../schemas.ts';
import { IDEMPOTENCY_DESCRIPTION } from '../tokens/create-token.ts';
import { sendTokenReplay } from '../tokens/idempotent-replay.ts';

export const regenerateApiKey: Route = (app, { deps, tokens }) => {
  const idempotency = createIdempotency(deps);
  app.post(
    '/v1/me/api-key',
    {
      config: { policy: 'token.regenerate_personal' },
      schema: {
        operationId: 'regenerateApiKey',
        tags: ['tokens'],
        summary: 'Generate or regenerate your personal API key; the previous one stops working at once',
        description: `The secret is in this response only.${IDEMPOTENCY_DESCRIPTION.replace('makes nothing new', 'regenerates nothing again')}`,
        security,
        response: { 201: TokenWithSecretOrReplay, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const outcome = await idempotency.run(request, principal, 'token.regenerate_personal', {}, async () => {
        const issued = await tokens.regeneratePersonal(request, principal);
        return { status: 201, tokenIds: [issued.token.id], result: issued };
      });
      if (outcome.replay) return sendTokenReplay(deps, principal, reply, outcome.replay);
      const { token, secret } = outcome.result;
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentToken(token, deps.now()), token: secret });
    },
  );
};

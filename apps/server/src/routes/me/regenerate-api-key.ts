import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { problemResponses, security, TokenWithSecret } from '../schemas.ts';

export const regenerateApiKey: Route = (app, { deps, tokens }) => {
  app.post(
    '/v1/me/api-key',
    {
      config: { policy: 'token.regenerate_personal' },
      schema: {
        operationId: 'regenerateApiKey',
        tags: ['tokens'],
        summary: 'Generate or regenerate your personal API key; the previous one stops working at once',
        description: 'The secret is in this response only.',
        security,
        response: { 201: TokenWithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { token, secret } = await tokens.regeneratePersonal(request, principalOf(request));
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...presentToken(token, deps.now()), token: secret });
    },
  );
};

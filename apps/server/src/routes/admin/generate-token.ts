import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { Description, problemResponses, ScopeList, security, TokenIdSchema } from '../schemas.ts';

const Body = Type.Object(
  {
    description: Type.Optional(Description),
    created_by: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scopes: Type.Optional(ScopeList),
  },
  { additionalProperties: false },
);

/** Default rights of a self-service onboarding token: enough to look up its own errors. */
export const ONBOARDING_SCOPES = ['errors:read'];

export const generateTokenAlias: Route = (app, { tokens }) => {
  app.post(
    '/admin/generate-token',
    {
      config: { policy: 'token.create' },
      schema: {
        operationId: 'generateToken',
        tags: ['tokens'],
        summary: 'Onboarding alias: generate a token (shown once)',
        description: `Same as POST /v1/tokens with name from \`created_by\`; scopes default to ${ONBOARDING_SCOPES.join(', ')}.`,
        security,
        body: Body,
        response: {
          201: Type.Object({
            token: Type.String({ description: 'The secret. Shown once.' }),
            id: TokenIdSchema,
            hint: Type.String(),
            scopes: Type.Array(Type.String()),
            expires_at: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { token, secret } = await tokens.issue(request, principalOf(request), {
        name: body.created_by ? `onboarding: ${body.created_by}` : 'onboarding token',
        description: body.description ?? '',
        scopes: body.scopes ?? ONBOARDING_SCOPES,
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({
        token: secret,
        id: token.id,
        hint: token.hint,
        scopes: token.scopes,
        expires_at: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
      });
    },
  );
};

import { type Static, Type } from 'typebox';
import { createIdempotency, REPLAYED_HEADER } from '../../services/idempotency.ts';
import { createTokenImport } from '../../services/token-import.ts';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { Name, problemResponses, RoleIdSchema, security, TokenView } from '../schemas.ts';
import { replayedTokens } from './idempotent-replay.ts';

const Body = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          key: Type.String({ minLength: 16, maxLength: 512 }),
          name: Name,
          role_id: RoleIdSchema,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

export type ImportBody = Static<typeof Body>;

const Skipped = Type.Object({
  index: Type.Integer({ description: 'Position of the key in the request' }),
  token_id: Type.String(),
  hint: Type.String(),
});

export const importTokens: Route = (app, { deps, tokens }) => {
  const keyImport = createTokenImport(deps, tokens);
  const idempotency = createIdempotency(deps);
  app.post(
    '/v1/tokens/import',
    {
      config: { policy: 'token.import' },
      schema: {
        operationId: 'importTokens',
        tags: ['tokens'],
        summary: 'Import existing plaintext keys (e.g. from env files); only their hashes are stored',
        description:
          'Each key gets the rights of the role it is mapped to. Keys must be at least 16 characters. ' +
          'All or nothing. Keys this project already imported are skipped and listed (a re-run is safe); ' +
          'a key in use anywhere else is a 409 that does not say where, and counts as a failed ' +
          "authentication for the caller's address. With an `Idempotency-Key`, a retry with the same " +
          'key and body within 24 hours imports nothing again and answers the tokens it made ' +
          '(`replayed: true`); the same key with another body is 422.',
        security,
        body: Body,
        response: {
          201: Type.Object({
            imported: Type.Array(TokenView),
            skipped: Type.Array(Skipped),
            replayed: Type.Optional(Type.Literal(true)),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const outcome = await idempotency.run(request, principal, 'token.import', request.body, async () => {
        const result = await keyImport.run(request, principal, request.body.keys);
        return { status: 201, tokenIds: result.imported.map((t) => t.id), result };
      });
      const now = deps.now();
      if (outcome.replay) {
        const tokensMade = await replayedTokens(deps, principal, outcome.replay);
        reply.header(REPLAYED_HEADER, 'true');
        return reply.code(outcome.replay.status).send({
          imported: tokensMade.map((token) => presentToken(token, now)),
          skipped: [],
          replayed: true,
        });
      }
      const { imported, skipped } = outcome.result;
      return reply.code(201).send({ imported: imported.map((token) => presentToken(token, now)), skipped });
    },
  );
};

import type { RoleId } from '@keyward/core';
import { Type } from 'typebox';
import { principalOf, type Route } from '../context.ts';
import { presentToken } from '../present.ts';
import { Name, problemResponses, RoleIdSchema, security, TokenView } from '../schemas.ts';

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

export const importTokens: Route = (app, { deps, tokens }) => {
  app.post(
    '/v1/tokens/import',
    {
      config: { policy: 'token.import' },
      schema: {
        tags: ['tokens'],
        summary: 'Import existing plaintext keys (e.g. from env files); only their hashes are stored',
        description:
          'Each key gets the rights of the role it is mapped to. Keys must be at least 16 characters.',
        security,
        body: Body,
        response: { 201: Type.Object({ imported: Type.Array(TokenView) }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      for (const entry of request.body.keys) tokens.checkImportable(entry.key);
      // All or nothing: a key that is already known (409) or a role out of reach imports none.
      const imported = await deps.storage.transaction(async (tx) => {
        const made = [];
        for (const entry of request.body.keys) {
          const input = {
            name: entry.name,
            roleId: entry.role_id as RoleId,
            kind: 'imported' as const,
            importedSecret: entry.key,
            expiresAt: null,
          };
          made.push((await tokens.issue(request, principal, input, tx)).token);
        }
        return made;
      });
      return reply.code(201).send({ imported: imported.map((token) => presentToken(token, deps.now())) });
    },
  );
};

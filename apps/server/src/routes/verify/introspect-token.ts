import { MAX_TOKEN_LENGTH } from '@keyward/core';
import { Type } from 'typebox';
import { decideToken } from '../../services/token-decision.ts';
import type { App } from '../../types.ts';
import { principalOf, type Route } from '../context.ts';
import { acceptOAuthForms } from '../oauth-form.ts';
import { named, problemResponses, security } from '../schemas.ts';
import { ClientIpField, checkedClientIp } from './checked-client-ip.ts';

const Body = named(
  'IntrospectionRequest',
  Type.Object(
    {
      token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
      token_type_hint: Type.Optional(Type.String({ maxLength: 100 })),
      client_ip: ClientIpField,
    },
    { additionalProperties: false },
  ),
);

const Introspection = named(
  'Introspection',
  Type.Object({
    active: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    sub: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    token_type: Type.Optional(Type.Literal('Bearer')),
    owner_type: Type.Optional(Type.String()),
    project_id: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
);

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Token ids begin with their creation time (48-bit ms, Crockford base32): the `iat` claim. */
export function issuedAtSeconds(tokenId: string): number | undefined {
  const body = tokenId.slice(tokenId.indexOf('_') + 1, tokenId.indexOf('_') + 11);
  let ms = 0;
  for (const ch of body) {
    const digit = CROCKFORD.indexOf(ch);
    if (digit < 0) return undefined;
    ms = ms * 32 + digit;
  }
  return body.length === 10 ? Math.floor(ms / 1000) : undefined;
}

/**
 * RFC 7662 token introspection. The caller authenticates with its own token holding tokens:verify;
 * an inactive token (unknown, refused, another project's, or rate-limited) answers only
 * `{"active": false}`.
 */
export const introspectToken: Route = (app, { deps, auth }) => {
  app.register(async (plugin) => {
    const scope = plugin as unknown as App;
    acceptOAuthForms(scope);
    scope.post(
      '/v1/introspect',
      {
        onRequest: auth(['tokens:verify']),
        config: { policy: { exempt: 'introspection answers about a token and changes nothing' } },
        schema: {
          operationId: 'introspectToken',
          tags: ['tokens'],
          summary: 'Token introspection (RFC 7662), form-encoded or JSON',
          security,
          // RFC 7662 §2.1 defines the form; JSON is accepted too.
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          body: Body,
          response: { 200: Introspection, ...problemResponses },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const caller = principalOf(request);
        const d = await decideToken(deps, request.body.token, [], {
          door: 'introspect',
          ip: checkedClientIp(request.body.client_ip, request.ip),
          projectId: caller.projectId,
          throttle: false,
        });
        const p = d.principal;
        if (!d.valid || p === null) return { active: false };
        const iat = issuedAtSeconds(p.tokenId);
        return {
          active: true,
          scope: p.scopes.join(' '),
          client_id: p.tokenId,
          sub: p.ownerId,
          ...(p.expiresAt !== null ? { exp: Math.floor(p.expiresAt / 1000) } : {}),
          ...(iat !== undefined ? { iat } : {}),
          token_type: 'Bearer' as const,
          owner_type: p.ownerType,
          project_id: p.projectId,
          metadata: d.lookup?.metadata ?? {},
        };
      },
    );
  });
};

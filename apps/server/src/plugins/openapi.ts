import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '../types.ts';

export const OPENAPI_TAGS = [
  { name: 'tokens', description: 'Create, list, rotate and revoke API tokens' },
  { name: 'principals', description: 'Projects, members, roles and service accounts' },
  { name: 'support', description: 'Error records and the audit log' },
  { name: 'session', description: 'Console sign-in and first-run setup' },
  { name: 'system', description: 'Health, readiness and documentation' },
  {
    name: 'webhooks',
    description: 'Signed webhooks, their delivery log, expiry reminders and idle revocation',
  },
];

/** OpenAPI 3.1 generated from the route schemas; `/openapi.json` and a docs page at `/docs`. */
export async function registerOpenApi(app: App, version: string) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keyward API',
        version,
        description:
          'Self-hostable API-token service. Every error is application/problem+json (RFC 9457) with an `error_id` you can look up at `GET /v1/errors/{error_id}`.',
      },
      tags: OPENAPI_TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A Keyward token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          session: { type: 'apiKey', in: 'cookie', name: 'kw_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { tags: ['system'], summary: 'This OpenAPI 3.1 document' } }, async () =>
    app.swagger(),
  );
}

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '../types.ts';
import { toContract } from './openapi-contract.ts';

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
    transformObject: (generated) =>
      'openapiObject' in generated ? toContract(generated.openapiObject) : generated.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get(
    '/openapi.json',
    { schema: { operationId: 'getOpenApiDocument', tags: ['system'], summary: 'This OpenAPI 3.1 document' } },
    async () => app.swagger(),
  );
}

/** operationIds name the SDK's methods and generated types: camelCase, starting with a verb. */
export const OPERATION_ID_PATTERN = /^[a-z][a-zA-Z0-9]{2,60}$/;

/**
 * Every documented route must declare `schema.operationId` (unique), or the app does not start:
 * the SDK's generated client has one method per operation and cannot name an anonymous one.
 * Call before any route is registered.
 */
export function requireOperationIds(app: App): void {
  const seen = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; operationId?: unknown } | undefined;
    const methods = [route.method].flat();
    // Fastify adds a HEAD route for every GET; it shares the GET's operation.
    if (schema?.hide === true || methods.every((m) => m === 'HEAD')) return;
    const where = `${methods.join(',')} ${route.url}`;
    const id = schema?.operationId;
    if (typeof id !== 'string' || !OPERATION_ID_PATTERN.test(id))
      throw new Error(`${where} must declare schema.operationId (camelCase, e.g. "listTokens")`);
    const other = seen.get(id);
    if (other !== undefined && other !== where)
      throw new Error(`${where} reuses operationId "${id}" of ${other}`);
    seen.set(id, where);
  });
}

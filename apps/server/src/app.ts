import cookie from '@fastify/cookie';
import { KeywardError, newId, TOKEN_PATTERN } from '@keyward/core';
import Fastify from 'fastify';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerProblemHandling } from './plugins/problem.ts';
import { createValidatorCompiler } from './plugins/validation.ts';
import { createRouteContext } from './routes/context.ts';
import { ROUTES } from './routes/index.ts';
import { createTokenService } from './services/token-service.ts';
import type { App, Deps } from './types.ts';

export const VERSION = '0.1.0';

const TOKEN_QUERY_KEYS = /(?:^|&)(?:access_token|token|api_key|apikey|api-key|key)=/i;
const TOKEN_IN_TEXT = new RegExp(TOKEN_PATTERN);

/** Logged requests show the path only: a query string could carry a secret. */
const requestSerializer = (req: { method: string; url: string; id: string }) => ({
  id: req.id,
  method: req.method,
  path: req.url.split('?')[0],
});

/** Builds the Fastify application (never listens): the caller decides where it runs. */
export async function buildApp(deps: Deps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: requestSerializer } }),
    genReqId: () => newId('request'),
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustedProxies
      ? deps.config.trustedProxies.split(',').map((s) => s.trim())
      : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider() as unknown as App;

  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', null);
  app.decorateRequest('failedTokenId', null);
  app.decorateRequest('failedProjectId', null);
  await app.register(cookie);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const url = request.raw.url ?? '';
    const query = url.includes('?')
      ? decodeURIComponent(url.slice(url.indexOf('?') + 1).replaceAll('+', ' '))
      : '';
    if (query && (TOKEN_QUERY_KEYS.test(query) || TOKEN_IN_TEXT.test(query))) {
      throw new KeywardError(
        'TOKEN_IN_URL',
        'Send tokens in the Authorization or X-Api-Key header, never in the URL',
      );
    }
  });

  registerProblemHandling(app, deps);
  await registerOpenApi(app, VERSION);
  const ctx = createRouteContext(deps, createTokenService(deps));
  for (const route of ROUTES) route(app, ctx);
  return app;
}

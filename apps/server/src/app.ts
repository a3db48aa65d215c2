import { createServer } from 'node:http';
import cookie from '@fastify/cookie';
import { redactPath } from '@keyward/core';
import Fastify from 'fastify';
import { isAuthGuard } from './plugins/auth.ts';
import { registerConsole } from './plugins/console.ts';
import { registerMetrics } from './plugins/metrics.ts';
import { registerOpenApi, requireOperationIds } from './plugins/openapi.ts';
import { requireRoutePolicies } from './plugins/policy.ts';
import { registerProblemHandling } from './plugins/problem.ts';
import { auditRefusedChanges } from './plugins/refusal-audit.ts';
import {
  createClientErrorHandler,
  createFrameworkErrorHandler,
  registerRequestGuards,
} from './plugins/request-guards.ts';
import { createValidatorCompiler } from './plugins/validation.ts';
import { createRouteContext } from './routes/context.ts';
import { ROUTES } from './routes/index.ts';
import { createAuthorizeFastPath, createDoor } from './routes/verify/authorize.ts';
import { compileTrustedProxies } from './routes/verify/client-address.ts';
import { installDoorLane } from './routes/verify/door-lane.ts';
import { createRequestIdSource } from './services/request-ids.ts';
import { createTokenService } from './services/token-service.ts';
import type { App, Deps, RegisteredRoute } from './types.ts';

import { VERSION } from './version.ts';

export { VERSION };

/** Logged requests show the path only (a query string could carry a secret), tokens redacted. */
const requestSerializer = (req: { method: string; url: string; id: string }) => ({
  id: req.id,
  method: req.method,
  path: redactPath(req.url.split('?')[0] ?? ''),
});

/** A completed request's line names the request too, so one line per request says everything. */
const responseSerializer = (reply: { statusCode: number; request?: { method: string; url: string } }) => ({
  statusCode: reply.statusCode,
  ...(reply.request
    ? { method: reply.request.method, path: redactPath(reply.request.url.split('?')[0] ?? '') }
    : {}),
});

/** Builds the Fastify application (never listens): the caller decides where it runs. */
export async function buildApp(deps: Deps): Promise<App> {
  const door = createDoor(deps);
  const authorizeFastPath = createAuthorizeFastPath(door);
  const requestId = createRequestIdSource(compileTrustedProxies(deps.config.trustedProxies));
  const app = Fastify({
    loggerInstance: deps.logger.child(
      {},
      { serializers: { req: requestSerializer, res: responseSerializer } },
    ),
    genReqId: (request) => requestId(request),
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustedProxies
      ? deps.config.trustedProxies.split(',').map((s) => s.trim())
      : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
    clientErrorHandler: createClientErrorHandler(deps),
    frameworkErrors: createFrameworkErrorHandler(deps),
    // Gateway checks (GET /v1/authorize) are answered ahead of Fastify, and plain ones ahead of
    // node:http (the door lane); see the route.
    serverFactory: (handler, options) => {
      const server = createServer((request, response) => {
        if (!authorizeFastPath(request, response, handler)) handler(request, response);
      });
      // What Fastify sets on a server it makes itself.
      const { keepAliveTimeout, requestTimeout } = options as {
        keepAliveTimeout?: number;
        requestTimeout?: number;
      };
      server.keepAliveTimeout = keepAliveTimeout ?? 72_000;
      server.requestTimeout = requestTimeout ?? 0;
      if (deps.config.gatewayLane) installDoorLane(server, door);
      return server;
    },
  }).withTypeProvider() as unknown as App;

  // First: it puts the policy guard in front of the routes that declare an action.
  requireRoutePolicies(app, deps);
  requireOperationIds(app);
  const registered: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    if ([route.preParsing, route.preValidation, route.preHandler].flat().some(isAuthGuard))
      throw new Error(`${route.url}: the auth guard belongs in onRequest, before validation`);
    const guarded = [route.onRequest].flat().some(isAuthGuard);
    for (const method of [route.method].flat())
      registered.push({
        method,
        url: route.url,
        hidden: route.schema?.hide === true,
        policy: route.config?.policy ?? null,
        guarded,
      });
  });
  app.decorate('registeredRoutes', registered);
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', null);
  app.decorateRequest('failedTokenId', null);
  app.decorateRequest('failedProjectId', null);
  app.decorateRequest('rateLimit', null);
  await app.register(cookie);

  registerRequestGuards(app);
  registerProblemHandling(app, deps);
  auditRefusedChanges(app, deps);
  await registerOpenApi(app, VERSION);
  const ctx = createRouteContext(deps, createTokenService(deps));
  registerMetrics(app, deps);
  for (const route of ROUTES) route(app, ctx);
  await registerConsole(app, deps);
  // Usage is flushed in batches while the app runs, and once more when it closes.
  app.addHook('onReady', async () => {
    deps.usage.start();
    deps.errorRecords.start();
  });
  app.addHook('onClose', async () => {
    await deps.usage.close();
    await deps.errorRecords.close();
    await deps.audit.flush();
  });
  return app;
}

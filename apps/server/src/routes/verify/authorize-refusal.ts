import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeywardError, ProjectId, TokenId } from '@keyward/core';
import { insufficientScope, invalidToken } from '../../plugins/auth.ts';
import {
  ERROR_CODE_HEADER,
  ERROR_ID_HEADER,
  type ErrorFacts,
  problemAnswer,
  recordError,
} from '../../plugins/problem.ts';
import { rateLimitedError } from '../../services/rate-limits.ts';
import { newRequestId } from '../../services/request-ids.ts';
import type { Decision } from '../../services/token-decision.ts';
import type { Deps } from '../../types.ts';

/** The error a refused gateway decision is answered with. */
export function refusalOf(decision: Decision): KeywardError {
  if (decision.code === 'RATE_LIMITED' && decision.rateLimit && !decision.rateLimit.allowed)
    return rateLimitedError(decision.rateLimit);
  if (decision.code === 'INSUFFICIENT_SCOPE') return insufficientScope(decision.missingScopes);
  return invalidToken(decision.code === 'VALID' ? 'NOT_FOUND' : decision.code);
}

/**
 * A refused decision answered straight on the socket, as the Fastify route would answer it (same
 * body, headers and error record), without its pipeline: a flood of refusals costs about what a
 * flood of admitted checks does. Identical refusals share one error record (see recordError).
 */
export function writeRefusal(
  deps: Deps,
  request: IncomingMessage,
  response: ServerResponse,
  decision: Decision,
  route: string,
): void {
  const error = refusalOf(decision);
  const requestId = newRequestId();
  const facts: ErrorFacts = {
    requestId,
    method: request.method ?? 'GET',
    path: route,
    route,
    tokenId: (decision.lookup?.state.tokenId ?? null) as TokenId | null,
    projectId: (decision.lookup?.state.projectId ?? null) as ProjectId | null,
    userId: null,
  };
  const { id } = recordError(deps, facts, error);
  const answer = problemAnswer(error, id, requestId);
  const body = JSON.stringify(answer.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(deps.rateLimits.headers(decision.rateLimit)))
    headers[name.toLowerCase()] = value;
  Object.assign(headers, answer.headers, {
    'x-request-id': requestId,
    [ERROR_ID_HEADER]: id,
    [ERROR_CODE_HEADER]: error.code,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.writeHead(answer.status, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

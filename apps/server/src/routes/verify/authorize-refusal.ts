import type { ErrorId, KeywardError, ProjectId, TokenId } from '@keyward/core';
import { insufficientScope, invalidToken } from '../../plugins/auth.ts';
import {
  ERROR_CODE_HEADER,
  ERROR_ID_HEADER,
  type ErrorFacts,
  problemAnswer,
  recordError,
} from '../../plugins/problem.ts';
import { rateLimitedError } from '../../services/rate-limits.ts';
import type { Decision } from '../../services/token-decision.ts';
import type { Deps } from '../../types.ts';

/** The error a refused gateway decision is answered with. */
export function refusalOf(decision: Decision): KeywardError {
  if (decision.code === 'RATE_LIMITED' && decision.rateLimit && !decision.rateLimit.allowed)
    return rateLimitedError(decision.rateLimit);
  if (decision.code === 'INSUFFICIENT_SCOPE') return insufficientScope(decision.missingScopes);
  return invalidToken(decision.code === 'VALID' ? 'NOT_FOUND' : decision.code);
}

/** A problem answer of the door as data: status, headers as [name, value, …] and the body. */
export type DoorProblem = { status: number; headers: string[]; body: string };

/** A refusal as sent, but for its request id: a flood of one refusal serialises it once. */
type Rendered = { status: number; headers: string[]; before: string; after: string };
const REQUEST_ID_MARK = '\u0000request-id\u0000';
const MAX_RENDERED = 1_000;
const rendered = new Map<string, Rendered>();

function render(error: KeywardError, errorId: ErrorId): Rendered {
  const answer = problemAnswer(error, errorId, REQUEST_ID_MARK);
  const [before = '', after = ''] = JSON.stringify(answer.body).split(JSON.stringify(REQUEST_ID_MARK));
  const headers = Object.entries(answer.headers).flat();
  headers.push(ERROR_ID_HEADER, errorId, ERROR_CODE_HEADER, error.code);
  return { status: answer.status, headers, before, after };
}

/** What an error record of the door knows about its request. */
export type DoorFacts = { method: string; route: string; requestId: string };

/**
 * An error of the door (a refusal, or a fault such as no token or a throttled address) answered
 * as the Fastify route would answer it (same body, headers and error record, the record written
 * after the answer), without its pipeline: a flood of refusals costs about what a flood of
 * admitted checks does. Identical errors share one error record (see recordError).
 */
export function doorProblem(
  deps: Deps,
  error: KeywardError,
  { method, route, requestId }: DoorFacts,
  lookup: Decision['lookup'] = null,
): DoorProblem {
  const facts: ErrorFacts = {
    requestId,
    method,
    path: route,
    route,
    tokenId: (lookup?.state.tokenId ?? null) as TokenId | null,
    projectId: (lookup?.state.projectId ?? null) as ProjectId | null,
    userId: null,
  };
  const { id } = recordError(deps, facts, error);
  const key = `${id}\n${error.message}\n${error.context.retry_after ?? ''}`;
  let answer = rendered.get(key);
  if (answer === undefined) {
    if (rendered.size >= MAX_RENDERED) rendered.clear();
    answer = render(error, id);
    rendered.set(key, answer);
  }
  const body = `${answer.before}${JSON.stringify(requestId)}${answer.after}`;
  const headers = [
    'x-request-id',
    requestId,
    'content-length',
    String(Buffer.byteLength(body)),
    ...answer.headers,
  ];
  return { status: answer.status, headers, body };
}

/** A refused decision's answer, with the token's RateLimit headers. */
export function refusalProblem(deps: Deps, decision: Decision, facts: DoorFacts): DoorProblem {
  // A refusal is the caller's mistake, answered by code: a stack trace would be the costliest part.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = refusalOf(decision);
  Error.stackTraceLimit = stackTraceLimit;
  const answer = doorProblem(deps, error, facts, decision.lookup);
  for (const [name, value] of Object.entries(deps.rateLimits.headers(decision.rateLimit)))
    if (name !== 'Retry-After') answer.headers.push(name, value);
  return answer;
}

import { newErrorId, newRequestId } from './error-ids.ts';
import { safeContext } from './error-reporter.ts';
import type { Keyward } from './keyward.ts';
import { ApiProblem, errorTypeUri, PROBLEMS, type ProblemCode, VERIFY_PROBLEM } from './problems.ts';
import type { RateLimitWindow, VerifyResult } from './wire.ts';

/** The verified caller, put on the request by every adapter. */
export type KeywardPrincipal = {
  tokenId: string;
  projectId: string;
  owner: { type: string; id: string };
  scopes: string[];
  expiresAt: string | null;
};

/** An HTTP answer as data; each adapter writes it with its framework's API. */
export type HttpAnswer = { status: number; headers: Record<string, string>; body: Record<string, unknown> };

export type RequestFacts = {
  method: string;
  path: string;
  ip: string | null;
  headers: (name: string) => string | string[] | undefined;
};

export type ProtectResult =
  | { ok: true; principal: KeywardPrincipal; headers: Record<string, string> }
  | { ok: false; answer: HttpAnswer };

export type ProtectOptions = {
  /** The realm in WWW-Authenticate (default "api"). */
  realm?: string;
};

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function sfString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** RateLimit-Policy, RateLimit and Retry-After, as Keyward writes them (most restrictive first). */
export function rateLimitHeaders(
  windows: readonly RateLimitWindow[],
  retryAfter: number | null,
): Record<string, string> {
  if (windows.length === 0) return {};
  const headers: Record<string, string> = {
    'RateLimit-Policy': windows
      .map((w) => `${sfString(w.name)};q=${w.limit};w=${w.window_seconds}`)
      .join(', '),
    RateLimit: windows.map((w) => `${sfString(w.name)};r=${w.remaining};t=${w.reset_seconds}`).join(', '),
  };
  if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
  return headers;
}

export function requestIdOf(facts: RequestFacts): string {
  const given = facts.headers('x-request-id');
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : newRequestId();
}

/** The path as recorded: no query string (it could carry a secret). */
const pathOnly = (path: string): string => path.split('?')[0] ?? '';

type Refusal = {
  code: ProblemCode | string;
  status: number;
  title: string;
  detail: string;
  headers: Record<string, string>;
  extra?: Record<string, unknown>;
  tokenId: string | null;
  context?: Record<string, unknown>;
};

/** Answers a refusal or error as problem+json with a fresh error id, and queues its record. */
export function problem(
  keyward: Keyward,
  facts: RequestFacts,
  requestId: string,
  refusal: Refusal,
): HttpAnswer {
  const errorId = newErrorId();
  keyward.reportError({
    error_id: errorId,
    occurred_at: new Date().toISOString(),
    token_id: refusal.tokenId,
    request_id: requestId,
    status: refusal.status,
    code: refusal.code,
    title: refusal.title,
    detail: refusal.detail,
    method: facts.method,
    path: pathOnly(facts.path),
    context: safeContext(refusal.context ?? {}),
  });
  return {
    status: refusal.status,
    headers: { 'content-type': 'application/problem+json', ...refusal.headers },
    body: {
      type: errorTypeUri(refusal.code),
      title: refusal.title,
      status: refusal.status,
      detail: refusal.detail,
      instance: `/v1/errors/${errorId}`,
      code: refusal.code,
      error_id: errorId,
      request_id: requestId,
      ...refusal.extra,
    },
  };
}

function catalog(
  code: ProblemCode,
  detail: string,
  headers: Record<string, string>,
  tokenId: string | null,
): Refusal {
  return { code, status: PROBLEMS[code].status, title: PROBLEMS[code].title, detail, headers, tokenId };
}

/** The token from `Authorization: Bearer` or `X-Api-Key`, checked as Keyward checks them. */
function presentedToken(facts: RequestFacts, realm: string): { token: string | null } | { refusal: Refusal } {
  const header = facts.headers('authorization');
  const apiKey = facts.headers('x-api-key');
  let bearer: string | null = null;
  if (header !== undefined) {
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match?.[1]) {
      const detail = 'Use `Authorization: Bearer <token>` (one space, one token) or `X-Api-Key: <token>`';
      return {
        refusal: catalog(
          'AUTHORIZATION_MALFORMED',
          detail,
          { 'www-authenticate': `${realm}, error="invalid_request"` },
          null,
        ),
      };
    }
    bearer = match[1];
  }
  if (Array.isArray(apiKey))
    return { refusal: catalog('VALIDATION_FAILED', 'Send one X-Api-Key header', {}, null) };
  if (bearer !== null && apiKey !== undefined && apiKey !== bearer)
    return {
      refusal: catalog('VALIDATION_FAILED', 'Authorization and X-Api-Key name different tokens', {}, null),
    };
  return { token: bearer ?? apiKey ?? null };
}

function refusalOf(result: VerifyResult, windows: RateLimitWindow[], realm: string): Refusal {
  const code = VERIFY_PROBLEM[result.code as Exclude<VerifyResult['code'], 'VALID'>];
  const limits = rateLimitHeaders(windows, result.rate_limit?.retry_after_seconds ?? null);
  if (code === 'INSUFFICIENT_SCOPE') {
    const missing = result.missing_scopes ?? [];
    return {
      ...catalog(
        code,
        `Requires scope ${missing.join(' ')}`,
        {
          ...limits,
          'www-authenticate': `${realm}, error="insufficient_scope", scope="${missing.join(' ')}"`,
        },
        result.token_id,
      ),
      extra: { missing_scopes: missing },
    };
  }
  if (code === 'RATE_LIMITED') {
    const w = result.rate_limit;
    const detail = `Limit of ${w?.limit ?? 0} requests per ${windows[0]?.window_seconds ?? 0} s reached; retry after Retry-After seconds`;
    return {
      ...catalog(code, detail, limits, result.token_id),
      extra: { retry_after: w?.retry_after_seconds ?? null },
    };
  }
  const description =
    code === 'IP_NOT_ALLOWED'
      ? 'The token may not be used from this address'
      : `The token is ${result.code.toLowerCase().replaceAll('_', ' ')}`;
  return catalog(
    code,
    description,
    { 'www-authenticate': `${realm}, error="invalid_token", error_description="${description}"` },
    result.token_id,
  );
}

type Check = Awaited<ReturnType<Keyward['check']>>;

function concluded(keyward: Keyward, facts: RequestFacts, checked: Check, realm: string): ProtectResult {
  const { result, windows } = checked;
  if (!result.valid || result.token_id === null || result.owner === null || result.project_id === null)
    return refused(keyward, facts, refusalOf(result, windows, realm));
  return {
    ok: true,
    principal: {
      tokenId: result.token_id,
      projectId: result.project_id,
      owner: result.owner,
      scopes: result.scopes,
      expiresAt: result.expires_at,
    },
    headers: rateLimitHeaders(windows, null),
  };
}

const refused = (keyward: Keyward, facts: RequestFacts, refusal: Refusal): ProtectResult => ({
  ok: false,
  answer: problem(keyward, facts, requestIdOf(facts), refusal),
});

/**
 * The middleware's one decision: the caller's token, verified in-process, against `requiredScopes`.
 * Answered at once when the cache can (adapters then continue without a promise), else a promise.
 */
export function protectRequest(
  keyward: Keyward,
  facts: RequestFacts,
  requiredScopes: readonly string[],
  options: ProtectOptions = {},
): ProtectResult | Promise<ProtectResult> {
  const realm = `Bearer realm="${options.realm ?? 'api'}"`;
  const presented = presentedToken(facts, realm);
  if ('refusal' in presented) return refused(keyward, facts, presented.refusal);
  if (presented.token === null) {
    const challenge = { 'www-authenticate': realm };
    return refused(
      keyward,
      facts,
      catalog('UNAUTHENTICATED', PROBLEMS.UNAUTHENTICATED.title, challenge, null),
    );
  }
  const checked = keyward.check(presented.token, requiredScopes, { ip: facts.ip });
  if (!(checked instanceof Promise)) return concluded(keyward, facts, checked, realm);
  return checked.then(
    (later) => concluded(keyward, facts, later, realm),
    // Keyward did not answer in time: nothing is admitted unverified, and the caller may retry.
    () => {
      const detail = 'The token could not be verified right now; retry after Retry-After seconds';
      return refused(
        keyward,
        facts,
        catalog('VERIFICATION_UNAVAILABLE', detail, { 'retry-after': '1' }, null),
      );
    },
  );
}

/**
 * An error the provider's handler threw, answered with an error id: an ApiProblem as it says,
 * anything else as 500 (its message stays in the provider's logs, not in the answer or the record).
 */
export function errorAnswer(
  keyward: Keyward,
  facts: RequestFacts,
  error: unknown,
  principal: KeywardPrincipal | null,
  requestId: string = requestIdOf(facts),
): HttpAnswer {
  const tokenId = principal?.tokenId ?? null;
  if (error instanceof ApiProblem) {
    return problem(keyward, facts, requestId, {
      code: error.code,
      status: error.status,
      title: error.title,
      detail: error.message,
      headers: {},
      tokenId,
      context: error.context,
    });
  }
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED';
    return problem(keyward, facts, requestId, {
      ...catalog(code, String((error as Error).message ?? PROBLEMS[code].title).slice(0, 500), {}, tokenId),
      status,
    });
  }
  const name = error instanceof Error ? error.name : typeof error;
  return problem(keyward, facts, requestId, {
    ...catalog('INTERNAL', 'The API could not answer; quote the error id to its support', {}, tokenId),
    context: { exception: name },
  });
}

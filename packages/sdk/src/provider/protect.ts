import { newErrorId, newRequestId } from './error-ids.ts';
import { safeContext } from './error-reporter.ts';
import { internalsOf, type Keyward } from './keyward.ts';
import type { Check } from './local-answers.ts';
import { ApiProblem, errorTypeUri, PROBLEMS, type ProblemCode, VERIFY_PROBLEM } from './problems.ts';
import { Grant } from './token-cache.ts';
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

/**
 * /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i without a regular expression (it is on every request's
 * path): "Bearer" in any case, one space, then a token68 (at least one character, '=' only at its end).
 */
export function isBearer(header: string): boolean {
  if (header.length < 8 || header.charCodeAt(6) !== 0x20) return false;
  const scheme = 'bearer';
  for (let i = 0; i < 6; i++) if ((header.charCodeAt(i) | 0x20) !== scheme.charCodeAt(i)) return false;
  let i = 7;
  for (; i < header.length; i++) {
    const c = header.charCodeAt(i);
    const letterOrDigit = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
    // - . / + _ ~
    if (!letterOrDigit && c !== 0x2d && c !== 0x2e && c !== 0x2f && c !== 0x2b && c !== 0x5f && c !== 0x7e)
      break;
  }
  if (i === 7) return false;
  while (i < header.length && header.charCodeAt(i) === 0x3d) i++;
  return i === header.length;
}
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

type Header = string | string[] | undefined;
const MALFORMED_DETAIL = 'Use `Authorization: Bearer <token>` (one space, one token) or `X-Api-Key: <token>`';

/**
 * The token from `Authorization: Bearer` or `X-Api-Key`, checked as Keyward checks them: the
 * token, null when none is presented, or the refusal.
 */
function presentedToken(header: Header, apiKey: Header, realm: string): string | null | Refusal {
  let bearer: string | null = null;
  if (header !== undefined) {
    // "Bearer " is 7 characters and the pattern is anchored: the token is the rest of the header.
    if (typeof header !== 'string' || !isBearer(header))
      return catalog(
        'AUTHORIZATION_MALFORMED',
        MALFORMED_DETAIL,
        { 'www-authenticate': `${realm}, error="invalid_request"` },
        null,
      );
    bearer = header.slice(7);
  }
  if (Array.isArray(apiKey)) return catalog('VALIDATION_FAILED', 'Send one X-Api-Key header', {}, null);
  if (bearer !== null && apiKey !== undefined && apiKey !== bearer)
    return catalog('VALIDATION_FAILED', 'Authorization and X-Api-Key name different tokens', {}, null);
  return bearer ?? apiKey ?? null;
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

function concluded<R>(
  keyward: Keyward,
  request: R,
  factsOf: (request: R) => RequestFacts,
  checked: Check,
  realm: string,
): ProtectResult {
  const { result, windows } = checked;
  if (!result.valid || result.token_id === null || result.owner === null || result.project_id === null)
    return refused(keyward, factsOf(request), refusalOf(result, windows, realm));
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
 * The middleware's one decision, as an adapter calls it: the request's credentials, read by the
 * adapter, and `factsOf(request)`, asked for only when the answer needs them (a refusal, a call).
 */
export type Protect = <R>(
  request: R,
  factsOf: (request: R) => RequestFacts,
  authorization: Header,
  apiKey: Header,
  ip: string | null,
  requiredScopes: readonly string[],
) => ProtectResult | Promise<ProtectResult>;

/**
 * The decision of `protectRequest` for one Keyward and options, made once per adapter: the realm
 * is written once, and a cached token is answered from its cache entry (no verify answer built).
 */
export function protector(keyward: Keyward, options: ProtectOptions = {}): Protect {
  const realm = `Bearer realm="${options.realm ?? 'api'}"`;
  const challenge = { 'www-authenticate': realm };
  const internals = internalsOf(keyward);
  return (request, factsOf, authorization, apiKey, ip, requiredScopes) => {
    const token = presentedToken(authorization, apiKey, realm);
    if (typeof token !== 'string') {
      const refusal = token ?? catalog('UNAUTHENTICATED', PROBLEMS.UNAUTHENTICATED.title, challenge, null);
      return refused(keyward, factsOf(request), refusal);
    }
    let checked: Check | Promise<Check>;
    if (internals === undefined) checked = keyward.check(token, requiredScopes, { ip });
    else {
      const now = internals.decideNow(token, requiredScopes, ip);
      if (now instanceof Grant) {
        const { entry } = now;
        const pool = internals.poolOf(entry);
        return {
          ok: true,
          principal: {
            tokenId: entry.tokenId,
            projectId: entry.projectId,
            owner: entry.owner,
            scopes: entry.scopes,
            expiresAt: entry.expiresAtText,
          },
          headers: pool.hasWindows() ? rateLimitHeaders(pool.windows(false), null) : {},
        };
      }
      checked = now ?? internals.checkWithCalls(token, requiredScopes, { ip });
    }
    if (!(checked instanceof Promise)) return concluded(keyward, request, factsOf, checked, realm);
    return checked.then(
      (later) => concluded(keyward, request, factsOf, later, realm),
      // Keyward did not answer in time: nothing is admitted unverified, and the caller may retry.
      () => {
        const detail = 'The token could not be verified right now; retry after Retry-After seconds';
        return refused(
          keyward,
          factsOf(request),
          catalog('VERIFICATION_UNAVAILABLE', detail, { 'retry-after': '1' }, null),
        );
      },
    );
  };
}

const itself = (facts: RequestFacts): RequestFacts => facts;

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
  const authorization = facts.headers('authorization');
  const apiKey = facts.headers('x-api-key');
  return protector(keyward, options)(facts, itself, authorization, apiKey, facts.ip, requiredScopes);
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

import type { Problem } from './generated/openapi.ts';

/** An RFC 9457 problem as Keyward sends it (the OpenAPI document's Problem schema). */
export type { Problem };

/** A refused request: carries the server's problem (code, error id) for the caller to show. */
export class KeywardApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null, fallback: string) {
    super(problem ? `${problem.title}: ${problem.detail} (error id ${problem.error_id})` : fallback);
    this.name = 'KeywardApiError';
    this.status = status;
    this.problem = problem;
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
  get errorId(): string | undefined {
    return this.problem?.error_id;
  }
}

/** The server could not be reached at all (DNS, refused connection, timeout). */
export class KeywardUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach Keyward at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'KeywardUnreachableError';
  }
}

export type ClientOptions = {
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; omit for cookie sessions in a browser. */
  token?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
};

export type KeywardClient = {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  readonly baseUrl: string;
};

/** A thin typed client over Keyward's HTTP API; every refusal becomes a KeywardApiError. */
export function createClient({
  baseUrl,
  token,
  headers = {},
  fetch: fetchImpl = fetch,
  timeoutMs = 15_000,
}: ClientOptions): KeywardClient {
  const root = baseUrl.replace(/\/+$/, '');
  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(root + path, root.startsWith('http') ? undefined : 'http://localhost');
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const target = root.startsWith('http') ? url.toString() : `${root}${path}${url.search}`;
    let response: Response;
    try {
      response = await fetchImpl(target, {
        method,
        headers: {
          accept: 'application/json, application/problem+json',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new KeywardUnreachableError(root, error);
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    // JSON and problem+json are parsed; other types (JSON lines, text) are returned as text.
    const data: unknown =
      text && /^application\/([\w.-]+\+)?json\b/.test(type) ? JSON.parse(text) : text || null;
    if (!response.ok) {
      const problem = type.includes('problem+json') ? (data as Problem) : null;
      throw new KeywardApiError(response.status, problem, `${method} ${path} failed with ${response.status}`);
    }
    return data as T;
  }
  return { request, baseUrl: root };
}

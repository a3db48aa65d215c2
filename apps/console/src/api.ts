import { createClient, KeywardApiError, type RequestOptions } from '@keyward/sdk/management';

/**
 * The console's only way to the server: the SDK client on the same origin, with the session's
 * CSRF token on state-changing requests and the chosen project in `keyward-project`.
 * The session itself is an HttpOnly cookie the browser sends; nothing secret is stored here.
 */
const client = createClient({ baseUrl: '', headers: { 'x-keyward-client': 'console' } });

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUTH_PATHS = new Set(['/v1/auth/login', '/v1/auth/session', '/v1/setup']);

let csrfToken: string | null = null;
let projectId: string | null = null;
let onSessionLost: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setProjectId(id: string | null): void {
  projectId = id;
}

/** Called when a request is refused with 401: the session expired or was ended elsewhere. */
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler;
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  if (csrfToken && !SAFE_METHODS.has(method)) headers['x-csrf-token'] = csrfToken;
  if (projectId) headers['keyward-project'] = projectId;
  try {
    return await client.request<T>(method, path, { ...options, headers });
  } catch (error) {
    if (error instanceof KeywardApiError && error.status === 401 && !AUTH_PATHS.has(path)) onSessionLost?.();
    throw error;
  }
}

/** A path segment from user input (ids): never lets a value change the path's shape. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export { KeywardApiError };

import type { App } from '../types.ts';

/** OAuth parameters come as a form; each at most once (RFC 6749 §3.1). */
export function parseForm(body: string): Record<string, string> {
  const entries = [...new URLSearchParams(body)];
  const names = new Set(entries.map(([name]) => name));
  if (names.size !== entries.length) throw new Error('a form parameter is repeated');
  return Object.fromEntries(entries);
}

/** Lets a plugin scope take `application/x-www-form-urlencoded` bodies (RFC 7009, RFC 7662); a bad form is 400. */
export function acceptOAuthForms(scope: App): void {
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parseForm(String(body)));
      } catch (error) {
        const fault = error as Error & { statusCode?: number };
        fault.statusCode = 400;
        done(fault, undefined);
      }
    },
  );
}

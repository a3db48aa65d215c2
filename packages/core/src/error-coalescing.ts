/**
 * Which errors share one error record. Identical refusals to the same caller within a window are
 * one record with a count, so a flood costs no write per request. "Identical" means what the
 * caller was told: the same status, code, route and detail. Callers nobody authenticated share a
 * record per code and route whatever they sent (their detail is not part of the key), so junk
 * cannot write a record per request.
 */
export type ErrorOccurrenceKey = {
  /** The token or session user the answer went to, or the token that was refused; null: nobody. */
  subject: string | null;
  projectId: string | null;
  status: number;
  code: string;
  method: string;
  /** The route pattern (`/v1/tokens/:token_id`), or null when no route matched. */
  route: string | null;
  detail: string;
};

export function errorCoalescingKey(k: ErrorOccurrenceKey): string {
  const route = k.route ?? '*';
  if (k.subject === null) return `anonymous\n${k.status}\n${k.code}\n${k.method}\n${route}`;
  return `${k.subject}\n${k.projectId ?? ''}\n${k.status}\n${k.code}\n${k.method}\n${route}\n${k.detail}`;
}

/** Whether an occurrence at `now` still belongs to the record opened at `openedAt`. */
export function withinCoalescingWindow(openedAt: number, now: number, windowMs: number): boolean {
  return now >= openedAt && now - openedAt < windowMs;
}

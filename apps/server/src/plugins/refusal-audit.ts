import { KeywardError } from '@keyward/core';
import type { App, Deps } from '../types.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A change an authenticated caller was refused (a right it lacks, an escalation the policy
 * stopped) is an audit event, coalesced per caller, route and code: probing for a gap is visible
 * in the log without a flood of it costing a write per request. CSRF failures are recorded where
 * they are detected, with the session they came with.
 */
export function auditRefusedChanges(app: App, deps: Deps): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof KeywardError) || error.status !== 403 || error.code === 'CSRF_FAILED') return;
    const principal = request.principal;
    if (!principal || SAFE_METHODS.has(request.method)) return;
    const missing = error.context.missing_scopes;
    deps.audit.refusal(request, {
      action: 'request.refused',
      projectId: principal.projectId,
      targetType: 'route',
      targetId: `${request.method} ${request.routeOptions.url ?? '(unknown)'}`,
      changes: {
        code: { after: error.code },
        ...(Array.isArray(missing) ? { missing_scopes: { after: missing } } : {}),
      },
    });
  });
}

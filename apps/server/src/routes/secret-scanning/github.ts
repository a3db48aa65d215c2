import { KeywardError, type ProjectId } from '@keyward/core';
import { Type } from 'typebox';
import { createScanningKeySource } from '../../services/github-scanning-keys.ts';
import { createTokenByValue, type FoundToken, leakOf } from '../../services/token-by-value.ts';
import { recordEvent } from '../../services/webhook-events.ts';
import type { App } from '../../types.ts';
import type { Route } from '../context.ts';
import { problemResponses } from '../schemas.ts';

const MAX_MATCHES = 1000;
export const LEAK_REASON = 'leaked (secret scanning)';

type Match = { token: string; type: string; url: string; source: string };
type Label = 'true_positive' | 'false_positive';

const Answer = Type.Array(
  Type.Object({ token_raw: Type.String(), token_type: Type.String(), label: Type.String() }),
);

const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.slice(0, max) : '');

/** The report's matches: a JSON array of `{token, type, url, source}` (GitHub's partner format). */
function matchesOf(payload: string): Match[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new KeywardError('MALFORMED_JSON');
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_MATCHES)
    throw new KeywardError('VALIDATION_FAILED', `A report is an array of at most ${MAX_MATCHES} matches`);
  return parsed.map((item: Record<string, unknown> | null, index) => {
    if (typeof item !== 'object' || item === null || typeof item.token !== 'string' || item.token === '')
      throw new KeywardError('VALIDATION_FAILED', `${index}.token: a string is required`);
    return {
      token: item.token,
      type: text(item.type, 200),
      url: text(item.url, 2000),
      source: text(item.source, 200),
    };
  });
}

/**
 * GitHub secret-scanning partner endpoint. A report is verified against GitHub's public keys
 * (ECDSA P-256/SHA-256 over the raw body) before anything is read from it; each match of a Keyward
 * token is a true positive and gets the project's leak action (revoke, or notify only), audited
 * with the URL where it leaked. Unsigned or wrongly signed: 401, nothing looked up or changed.
 */
export const githubSecretScanning: Route = (app, { deps }) => {
  const keys = createScanningKeySource({
    url: deps.config.githubScanningKeysUrl,
    file: deps.config.githubScanningKeysFile,
    now: deps.now,
    logger: deps.logger,
  });
  const byValue = createTokenByValue(deps);

  async function respond(request: Parameters<typeof byValue.revoke>[0], match: Match, found: FoundToken) {
    const projectId = found.lookup.state.projectId as ProjectId;
    const project = await deps.storage.projects.get(projectId);
    const action = project?.settings.leakAction ?? 'revoke';
    const changes = {
      leak_url: { after: match.url },
      leak_source: { after: match.source },
      leak_type: { after: match.type },
      leak_action: { after: found.live ? action : 'none: the token no longer works' },
    };
    if (found.live && action === 'revoke') {
      const revoked = await byValue.revoke(request, found, {
        reason: LEAK_REASON,
        action: 'token.leaked',
        changes,
      });
      if (revoked) return;
    }
    await deps.audit.record(request, {
      action: 'token.leaked',
      projectId,
      targetType: 'token',
      targetId: found.lookup.state.tokenId,
      actor: { type: 'anonymous', id: null },
      changes,
    });
    const state = found.lookup.state;
    await recordEvent(
      deps.storage,
      projectId,
      'token.leaked',
      { token: { id: state.tokenId, name: state.name }, ...leakOf(changes) },
      deps.now(),
    );
  }

  app.register(async (plugin) => {
    const scope = plugin as unknown as App;
    // The signature covers the exact bytes received: keep the body as text until it is verified.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(
      '/v1/secret-scanning/github',
      {
        config: { policy: { exempt: 'a secret-scanning report is authenticated by its ECDSA signature' } },
        schema: {
          operationId: 'reportLeakedTokens',
          tags: ['tokens'],
          summary: 'GitHub secret-scanning partner endpoint: leaked Keyward tokens are revoked (or reported)',
          description:
            'Signed by GitHub (`Github-Public-Key-Identifier`, `Github-Public-Key-Signature`, ECDSA ' +
            'P-256/SHA-256, base64 DER). Off unless KEYWARD_GITHUB_SCANNING_KEYS_URL or _FILE is set.',
          response: { 200: Answer, ...problemResponses },
        },
      },
      async (request) => {
        if (!keys.enabled) throw new KeywardError('NOT_FOUND', 'Secret scanning is not configured');
        const identifier = request.headers['github-public-key-identifier'];
        const signature = request.headers['github-public-key-signature'];
        const payload = typeof request.body === 'string' ? request.body : '';
        if (typeof identifier !== 'string' || typeof signature !== 'string')
          throw new KeywardError('UNAUTHENTICATED', 'The report is not signed');
        if (!(await keys.verifies(identifier, signature, payload)))
          throw new KeywardError('UNAUTHENTICATED', 'The report signature does not verify');
        const answers: { token_raw: string; token_type: string; label: Label }[] = [];
        for (const match of matchesOf(payload)) {
          const found = await byValue.find(match.token);
          if (found !== null) await respond(request, match, found);
          answers.push({
            token_raw: match.token,
            token_type: match.type,
            label: found === null ? 'false_positive' : 'true_positive',
          });
        }
        return answers;
      },
    );
  });
};

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { UsagePanel } from '../components/usage-panel.tsx';
import { displayStatus, formatDate, formatNumber } from '../format.ts';
import { type Lookups, ownerLabel, rightsLabel, tokenName } from '../lookups.ts';
import type { TokenView } from '../types.ts';

type Props = {
  token: TokenView | null;
  lookups: Lookups;
  writable: boolean;
  onChanged: (token: TokenView) => void;
  onClose: () => void;
};

/** Everything about one token but its secret, with usage when the server offers it. */
export function TokenDetailsDialog({ token, lookups, writable, onChanged, onClose }: Props) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const tokenId = token?.id ?? null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new token clears the last one's error
  useEffect(() => {
    setError(null);
  }, [tokenId]);

  const toggleDisabled = async () => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const action = token.status === 'disabled' ? 'enable' : 'disable';
      onChanged(await api<TokenView>('POST', `/v1/tokens/${seg(token.id)}/${action}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const facts: [string, string][] = token
    ? [
        [t('tokens.col.id'), token.id],
        [t('details.hint'), token.hint],
        [t('tokens.col.owner'), `${ownerLabel(token, lookups)} (${t(`owner.${token.owner.type}`)})`],
        [t('tokens.col.rights'), rightsLabel(token, lookups)],
        [t('details.scopes'), token.scopes.join(' ') || '—'],
        [t('details.kind'), t(`kind.${token.kind}`)],
        [t('tokens.col.created'), formatDate(token.created_at)],
        [t('tokens.col.expires'), formatDate(token.expires_at, t('tokens.never'))],
        [t('details.rotated'), formatDate(token.last_rotated_at)],
        [t('tokens.col.last-used'), formatDate(token.last_used_at, t('tokens.never-used'))],
        [t('details.usage-count'), formatNumber(token.usage.admitted)],
        [t('details.refused-count'), formatNumber(token.usage.refused)],
        [t('details.ips'), token.last_used_ips.join(', ') || '—'],
        ...(token.revoked_at
          ? ([
              [t('details.revoked'), formatDate(token.revoked_at)],
              [t('revoke.reason'), token.revoked_reason ?? '—'],
            ] as [string, string][])
          : []),
      ]
    : [];

  return (
    <Dialog
      open={token !== null}
      title={token ? t('details.title', { name: tokenName(token) }) : ''}
      onClose={onClose}
      wide
    >
      {token ? (
        <>
          <p>
            <StatusBadge status={displayStatus(token)} />
            {token.description ? <span className="muted"> {token.description}</span> : null}
          </p>
          <dl className="facts facts-grid">
            {facts.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <section aria-label={t('details.usage')} className="details-usage">
            <UsagePanel
              path={`/v1/tokens/${seg(token.id)}/usage`}
              heading={t('details.usage')}
              headingLevel={3}
            />
          </section>
          <ErrorBanner error={error} />
          <div className="dialog-actions">
            {writable && (token.status === 'active' || token.status === 'disabled') ? (
              <button
                type="button"
                className="button button-secondary"
                disabled={busy}
                onClick={toggleDisabled}
              >
                {token.status === 'disabled' ? t('details.enable') : t('details.disable')}
              </button>
            ) : null}
            <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
              {t('dialog.close')}
            </button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { DateCell } from '../components/date-cell.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { outcomeColour, outcomeLabel } from '../components/usage-outcomes.tsx';
import { UsagePanel } from '../components/usage-panel.tsx';
import { EXPIRING_SOON_MS, formatNumber } from '../format.ts';
import { tokenName } from '../lookups.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Page, TokenView } from '../types.ts';
import { ADMITTED, orderedSeries, type ProjectUsageView } from '../usage.ts';
import { PageHeader } from './page-header.tsx';

const EXPIRING_SHOWN = 10;

/** The project at a glance: requests by outcome over time, the busiest tokens, refusals, expiries. */
export function OverviewPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  return (
    <>
      <PageHeader title={t('overview.title')} intro={t('overview.intro')} />
      <section className="card card-wide" aria-label={t('overview.requests')}>
        <UsagePanel<ProjectUsageView>
          path={`/v1/projects/${seg(session.project_id)}/usage`}
          heading={t('overview.requests')}
        >
          {(usage) => (
            <div className="overview-grid overview-below">
              <BusiestTokens usage={usage} />
              <RefusalsByCode usage={usage} />
            </div>
          )}
        </UsagePanel>
      </section>
      <ExpiringSoon />
    </>
  );
}

function Bar({ value, max, refused = false }: { value: number; max: number; refused?: boolean }) {
  const share = max > 0 ? Math.max(2, Math.round((value / max) * 100)) : 0;
  return (
    <svg className="bar-track" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
      <rect width={share} height="8" rx="4" className={refused ? 'bar-fill bar-fill-refused' : 'bar-fill'} />
    </svg>
  );
}

function BusiestTokens({ usage }: { usage: ProjectUsageView }) {
  const { t } = useTranslation();
  const max = Math.max(0, ...usage.busiest_tokens.map((b) => b.total));
  return (
    <section className="card" aria-labelledby="overview-busiest">
      <h3 id="overview-busiest">{t('overview.busiest')}</h3>
      {usage.busiest_tokens.length === 0 ? (
        <p className="muted">{t('usage.none')}</p>
      ) : (
        <ol className="bar-list">
          {usage.busiest_tokens.map((b) => (
            <li key={b.token_id}>
              <span className="bar-label">
                <span className="cell-strong">{tokenName(b)}</span>
                <span className="nowrap">{formatNumber(b.total)}</span>
              </span>
              <Bar value={b.total} max={max} />
              <span className="cell-sub">
                {t('overview.admitted-refused', {
                  admitted: formatNumber(b.admitted),
                  refused: formatNumber(b.refused),
                })}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function RefusalsByCode({ usage }: { usage: ProjectUsageView }) {
  const { t } = useTranslation();
  const refusals = orderedSeries(usage.series).filter((s) => s.outcome !== ADMITTED);
  const max = Math.max(0, ...refusals.map((s) => s.total));
  return (
    <section className="card" aria-labelledby="overview-refusals">
      <h3 id="overview-refusals">{t('overview.refusals')}</h3>
      {refusals.length === 0 ? (
        <p className="muted">{t('overview.no-refusals')}</p>
      ) : (
        <ul className="bar-list">
          {refusals.map((s, k) => (
            <li key={s.outcome}>
              <span className="bar-label">
                <span>
                  <svg className="legend-swatch" viewBox="0 0 12 12" aria-hidden="true">
                    <rect width="12" height="12" rx="3" fill={outcomeColour(s.outcome, k + 1)} />
                  </svg>{' '}
                  {outcomeLabel(s.outcome)} <code className="muted">{s.outcome}</code>
                </span>
                <span className="nowrap">{formatNumber(s.total)}</span>
              </span>
              <Bar value={s.total} max={max} refused />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ExpiringSoon() {
  const { t } = useTranslation();
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    api<Page<TokenView>>('GET', '/v1/tokens', {
      query: {
        status: 'active',
        expires_before: new Date(Date.now() + EXPIRING_SOON_MS).toISOString(),
        limit: EXPIRING_SHOWN,
      },
    }).then(
      (page) => {
        if (!cancelled)
          setTokens([...page.data].sort((a, b) => (a.expires_at ?? '').localeCompare(b.expires_at ?? '')));
      },
      (e: unknown) => {
        if (!cancelled) {
          setError(e);
          setTokens([]);
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <section className="card card-wide" aria-labelledby="overview-expiring">
      <div className="section-header">
        <h2 id="overview-expiring">{t('overview.expiring')}</h2>
        <Link to="/tokens">{t('overview.all-tokens')}</Link>
      </div>
      <ErrorBanner error={error} />
      {tokens === null ? (
        <output className="block muted">{t('common.loading')}</output>
      ) : tokens.length === 0 ? (
        <p className="muted">{t('overview.none-expiring')}</p>
      ) : (
        <ul className="expiring-list">
          {tokens.map((token) => (
            <li key={token.id}>
              <span className="cell-strong">{tokenName(token)}</span>
              <code className="cell-sub">{token.hint}</code>
              <DateCell value={token.expires_at} fallback={t('tokens.never')} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

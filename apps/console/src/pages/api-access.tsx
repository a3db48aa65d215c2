import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { TokenNotices } from '../components/token-notices.tsx';
import { displayStatus, formatDate, maskedHint } from '../format.ts';
import type { TokenView, TokenWithSecret } from '../types.ts';
import { useSubmit } from '../use-submit.ts';
import { PageHeader } from './page-header.tsx';

/**
 * The personal API key: generated once, shown in cleartext only in the reveal dialog right after
 * generating, masked (its hint) on every later visit; regenerating revokes the old key at once.
 */
export function ApiAccessPage() {
  const { t } = useTranslation();
  const [key, setKey] = useState<TokenView | null | undefined>(undefined);
  const { busy, error, setError, run } = useSubmit();
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const fieldId = useId();

  const load = useCallback(async () => {
    try {
      const res = await api<{ key: TokenView | null }>('GET', '/v1/me/api-key');
      setKey(res.key);
    } catch (e) {
      setError(e);
    }
  }, [setError]);

  useEffect(() => {
    void load();
  }, [load]);

  const generate = async () => {
    const res = await api<TokenWithSecret>('POST', '/v1/me/api-key');
    const { token, ...view } = res;
    setKey(view);
    setSecret(token);
  };

  const generateNow = () => run(generate);

  const regenerate = async () => {
    await generate();
    setConfirming(false);
  };

  return (
    <>
      <PageHeader title={t('api-access.title')} intro={t('api-access.intro')} />
      <TokenNotices mine />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <section className="card" aria-labelledby={`${fieldId}-heading`}>
        <h2 id={`${fieldId}-heading`}>{t('api-access.personal-key')}</h2>
        {key === undefined ? (
          <output className="block">{t('common.loading')}</output>
        ) : key === null ? (
          <div className="empty-state">
            <p>{t('no-key-text')}</p>
            <button type="button" className="button button-primary" onClick={generateNow} disabled={busy}>
              {t('generate-key-text')}
            </button>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={fieldId}>{t('text-field-label')}</label>
              <input
                id={fieldId}
                className="secret-value masked"
                type="text"
                readOnly
                value={maskedHint(key.hint)}
                aria-describedby={`${fieldId}-masked`}
              />
              <p className="hint" id={`${fieldId}-masked`}>
                {t('api-access.masked-hint')}
              </p>
            </div>
            <dl className="facts">
              <div>
                <dt>{t('tokens.col.status')}</dt>
                <dd>
                  <StatusBadge status={displayStatus(key)} />
                </dd>
              </div>
              <div>
                <dt>{t('tokens.col.created')}</dt>
                <dd>{formatDate(key.created_at)}</dd>
              </div>
              <div>
                <dt>{t('tokens.col.expires')}</dt>
                <dd>{formatDate(key.expires_at, t('tokens.never'))}</dd>
              </div>
              <div>
                <dt>{t('tokens.col.last-used')}</dt>
                <dd>{formatDate(key.last_used_at, t('tokens.never-used'))}</dd>
              </div>
            </dl>
            <div className="button-row">
              <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
                {t('regenerate-button-text')}
              </button>
            </div>
          </>
        )}
      </section>
      <section className="card card-muted" aria-labelledby={`${fieldId}-usage`}>
        <h2 id={`${fieldId}-usage`}>{t('api-access.usage-title')}</h2>
        <p>{t('api-access.usage-text')}</p>
        <pre className="code-block">
          <code>
            {'curl -H "Authorization: Bearer $KEYWARD_TOKEN" '}
            {`${window.location.origin}/v1/me`}
          </code>
        </pre>
      </section>

      <ConfirmDialog
        open={confirming}
        title={t('api-access.confirm-title')}
        message={t('api-access.confirm-text')}
        confirmLabel={t('regenerate-button-text')}
        danger
        onConfirm={regenerate}
        onClose={() => setConfirming(false)}
      />
      <SecretReveal
        secret={secret}
        title={t('api-access.reveal-title')}
        fieldLabel={t('text-field-label')}
        fileName="keyward-api-key.env"
        onDone={() => setSecret(null)}
      />
    </>
  );
}

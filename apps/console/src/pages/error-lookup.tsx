import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { formatDate } from '../format.ts';
import { navigate, usePath } from '../router.tsx';
import type { ErrorRecordView } from '../types.ts';
import { PageHeader } from './page-header.tsx';

const ERROR_ID = /^err_[A-Za-z0-9]+$/;

/** Paste an `err_…` id from a problem response and see the record the server kept for it. */
export function ErrorLookupPage() {
  const { t } = useTranslation();
  const path = usePath();
  const id = useId();
  const fromPath = path.startsWith('/errors/') ? decodeURIComponent(path.slice('/errors/'.length)) : '';
  const [value, setValue] = useState(fromPath);
  const [record, setRecord] = useState<ErrorRecordView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);

  const lookup = useCallback(async (errorId: string) => {
    setBusy(true);
    setError(null);
    setRecord(null);
    try {
      setRecord(await api<ErrorRecordView>('GET', `/v1/errors/${seg(errorId)}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    if (fromPath && ERROR_ID.test(fromPath)) {
      setValue(fromPath);
      void lookup(fromPath);
    }
  }, [fromPath, lookup]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errorId = value.trim();
    if (!ERROR_ID.test(errorId)) return setInvalid(true);
    setInvalid(false);
    if (path === `/errors/${errorId}`) void lookup(errorId);
    else navigate(`/errors/${errorId}`);
  };

  return (
    <>
      <PageHeader title={t('errors.title')} intro={t('errors.intro')} />
      <form className="lookup-form" aria-label={t('errors.title')} onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-input`}>{t('errors.id')}</label>
          <input
            id={`${id}-input`}
            value={value}
            placeholder="err_…"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={invalid || undefined}
            aria-describedby={`${id}-hint`}
            onChange={(e) => setValue(e.target.value)}
          />
          <p className="hint" id={`${id}-hint`} role={invalid ? 'alert' : undefined}>
            {invalid ? t('errors.invalid') : t('errors.hint')}
          </p>
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('errors.lookup')}
        </button>
      </form>
      <ErrorBanner error={error} />
      {record ? (
        <section className="card" aria-labelledby={`${id}-record`}>
          <h2 id={`${id}-record`}>
            {record.status} · {record.title}
          </h2>
          {record.detail && record.detail !== record.title ? <p>{record.detail}</p> : null}
          <dl className="facts facts-grid">
            {(
              [
                [t('errors.error-id'), record.error_id],
                [t('errors.code'), record.code],
                [t('errors.when'), formatDate(record.created_at)],
                [t('errors.request'), `${record.method} ${record.path}`],
                [t('errors.request-id'), record.request_id],
                [t('errors.token'), record.token_id ?? '—'],
                [t('errors.project'), record.project_id ?? '—'],
              ] as const
            ).map(([label, v]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  <code>{v}</code>
                </dd>
              </div>
            ))}
          </dl>
          {Object.keys(record.context).length > 0 ? (
            <>
              <h3>{t('errors.context')}</h3>
              <pre className="code-block">
                <code>{JSON.stringify(record.context, null, 2)}</code>
              </pre>
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

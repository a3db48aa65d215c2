import { KeywardApiError, KeywardUnreachableError } from '@keyward/sdk/management';
import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../router.tsx';
import { SessionContext } from '../session.tsx';

/**
 * An API refusal as the user sees it: what happened and the error id to quote, with a link to
 * look it up only when signed in (the lookup page needs a session).
 */
export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  const { t } = useTranslation();
  const signedIn = useContext(SessionContext) !== null;
  if (!error) return null;
  let title = t('error.generic');
  let detail: string | null = null;
  let errorId: string | null = null;
  let code: string | null = null;
  if (error instanceof KeywardApiError) {
    const problem = error.problem;
    title = problem?.title ?? t('error.status', { status: error.status });
    detail = problem?.detail && problem.detail !== problem.title ? problem.detail : null;
    errorId = problem?.error_id ?? null;
    code = problem?.code ?? null;
  } else if (error instanceof KeywardUnreachableError) {
    title = t('error.unreachable');
  } else if (error instanceof Error) {
    detail = error.message;
  }
  return (
    <div className="banner banner-error" role="alert">
      <div>
        <p className="banner-title">{title}</p>
        {detail ? <p>{detail}</p> : null}
        {errorId ? (
          <p className="banner-meta">
            {t('error.id')}: <code data-testid="error-id">{errorId}</code>
            {code ? (
              <>
                {' · '}
                {t('error.code')}: <code>{code}</code>
              </>
            ) : null}
            {signedIn ? (
              <>
                {' · '}
                <Link to={`/errors/${errorId}`}>{t('error.lookup')}</Link>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
      {onDismiss ? (
        <button type="button" className="icon-button" aria-label={t('error.dismiss')} onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </div>
  );
}

/** A form's own refusal (a check made before asking the API); nothing when the form is fine. */
export function InvalidBanner({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      <p>{message}</p>
    </div>
  );
}

import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, RadioChoices } from '../components/field.tsx';
import { formatDate } from '../format.ts';
import { AuthLayout } from './auth-layout.tsx';

type Invited = { email: string; project: { id: string; name: string }; role: string; expires_at: string };
type Account = 'new' | 'existing';

/** Takes the code out of the address bar at once, so it stays in no history entry or bookmark. */
function takeCodeFromFragment(): string {
  const code = decodeURIComponent(window.location.hash.replace(/^#/, ''));
  if (code) window.history.replaceState(null, '', window.location.pathname);
  return code;
}

/**
 * Redeeming an invitation, signed out: a new account chooses its password here; an existing one
 * joins with its own password. Keyward never says which the email has: the invitee knows.
 */
export function InvitePage({ onJoined }: { onJoined: () => void }) {
  const { t } = useTranslation();
  const [code] = useState(takeCodeFromFragment);
  const [invited, setInvited] = useState<Invited | null>(null);
  const [account, setAccount] = useState<Account>('new');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [joined, setJoined] = useState(false);
  const id = useId();

  useEffect(() => {
    if (!code) return;
    api<Invited>('POST', '/v1/invitations/lookup', { body: { code } }).then(setInvited, setError);
  }, [code]);

  const mismatch = account === 'new' && repeat !== '' && repeat !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (account === 'new' && password !== repeat) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/v1/invitations/redeem', {
        body: { code, account, password, ...(account === 'new' && name.trim() ? { name: name.trim() } : {}) },
      });
      setPassword('');
      setRepeat('');
      setJoined(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (joined && invited) {
    return (
      <AuthLayout
        title={t('invite.joined-title')}
        intro={t('invite.joined', { project: invited.project.name })}
      >
        <button
          type="button"
          className="button button-primary button-block"
          onClick={onJoined}
          data-autofocus
        >
          {t('login.submit')}
        </button>
      </AuthLayout>
    );
  }
  if (!invited) {
    return (
      <AuthLayout title={t('invite.title')} intro={code ? t('common.loading') : t('invite.no-code')}>
        <ErrorBanner error={error} />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title={t('invite.title')}
      intro={t('invite.intro', { email: invited.email, project: invited.project.name, role: invited.role })}
    >
      <form onSubmit={submit} className="form">
        <p className="hint">{t('invite.expires', { date: formatDate(invited.expires_at) })}</p>
        <ErrorBanner error={error} />
        <fieldset className="fieldset">
          <legend>{t('invite.account')}</legend>
          <RadioChoices
            name={`${id}-account`}
            choices={(['new', 'existing'] as const).map((choice) => ({
              value: choice,
              label: t(`invite.account-${choice}`),
            }))}
            value={account}
            onChange={setAccount}
          />
        </fieldset>
        {account === 'new' ? (
          <Field label={t('setup.name')}>
            {({ id }) => (
              <input id={id} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            )}
          </Field>
        ) : null}
        <Field
          label={account === 'new' ? t('invite.new-password') : t('login.password')}
          {...(account === 'new' ? { hint: t('invite.new-password-hint') } : {})}
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              required
              minLength={account === 'new' ? 12 : 1}
              autoComplete={account === 'new' ? 'new-password' : 'current-password'}
              aria-describedby={describedBy}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {account === 'new' ? (
          <Field label={t('invite.repeat-password')} {...(mismatch ? { hint: t('invite.mismatch') } : {})}>
            {({ id, describedBy }) => (
              <input
                id={id}
                type="password"
                required
                autoComplete="new-password"
                aria-invalid={mismatch}
                aria-describedby={describedBy}
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
              />
            )}
          </Field>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={busy || mismatch}>
          {t('invite.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}

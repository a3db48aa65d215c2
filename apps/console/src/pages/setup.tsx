import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { EmailField } from '../components/email-field.tsx';
import { ErrorBanner, InvalidBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { AuthLayout } from './auth-layout.tsx';

type SetupResponse = { user_id: string; project_id: string; csrf_token: string };

const MIN_PASSWORD = 12;

/** First run: the one-time code from the server log, then the first administrator. */
export function SetupPage({ onDone }: { onDone: (csrfToken: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password.length < MIN_PASSWORD)
      return setInvalid(t('setup.password-too-short', { min: MIN_PASSWORD }));
    if (password !== confirm) return setInvalid(t('setup.password-mismatch'));
    setInvalid(null);
    setBusy(true);
    try {
      const res = await api<SetupResponse>('POST', '/v1/setup', {
        body: { setup_code: code.trim(), email, password, ...(name.trim() ? { name: name.trim() } : {}) },
      });
      setPassword('');
      setConfirm('');
      await onDone(res.csrf_token);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('setup.title')} intro={t('setup.intro')}>
      <form onSubmit={submit} className="form">
        <ErrorBanner error={error} />
        <InvalidBanner message={invalid} />
        <Field label={t('setup.code')} hint={t('setup.code-hint')}>
          {({ id, describedBy }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              required
              autoComplete="one-time-code"
              autoCapitalize="characters"
              spellCheck={false}
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
        </Field>
        <EmailField label={t('setup.email')} autoComplete="username" value={email} onChange={setEmail} />
        <Field label={t('setup.name')}>
          {({ id }) => (
            <input id={id} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label={t('setup.password')} hint={t('setup.password-hint', { min: MIN_PASSWORD })}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              required
              minLength={MIN_PASSWORD}
              autoComplete="new-password"
              aria-describedby={describedBy}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('setup.confirm')}>
          {({ id }) => (
            <input
              id={id}
              type="password"
              required
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}

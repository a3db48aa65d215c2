import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { EmailField } from '../components/email-field.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { AuthLayout } from './auth-layout.tsx';

type LoginResponse = { csrf_token: string };

export function LoginPage({ onDone }: { onDone: (csrfToken: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<LoginResponse>('POST', '/v1/auth/login', { body: { email, password } });
      setPassword('');
      await onDone(res.csrf_token);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('login.title')} intro={t('login.intro')}>
      <form onSubmit={submit} className="form">
        <ErrorBanner error={error} />
        <EmailField label={t('login.email')} autoComplete="username" value={email} onChange={setEmail} />
        <Field label={t('login.password')}>
          {({ id }) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? t('login.signing-in') : t('login.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}

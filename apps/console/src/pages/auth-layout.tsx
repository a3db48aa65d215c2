import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSelect } from '../components/language-select.tsx';

/** The frame of the signed-out pages (setup, sign-in). */
export function AuthLayout({
  title,
  intro,
  children,
}: {
  title: string;
  intro: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <header className="auth-top">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            K
          </span>
          {t('app.name')}
        </span>
        <LanguageSelect />
      </header>
      <main id="main" className="auth-card">
        <h1>{title}</h1>
        <p className="muted">{intro}</p>
        {children}
      </main>
    </div>
  );
}

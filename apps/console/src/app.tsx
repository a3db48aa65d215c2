import { type ComponentType, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, setCsrfToken, setProjectId, setSessionLostHandler } from './api.ts';
import { ErrorBanner } from './components/error-banner.tsx';
import { LanguageSelect } from './components/language-select.tsx';
import { ApiAccessPage } from './pages/api-access.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ErrorLookupPage } from './pages/error-lookup.tsx';
import { InvitePage } from './pages/invite.tsx';
import { LoginPage } from './pages/login.tsx';
import { MembersPage } from './pages/members.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ServiceAccountsPage } from './pages/service-accounts.tsx';
import { SetupPage } from './pages/setup.tsx';
import { TokenPoliciesPage } from './pages/token-policies.tsx';
import { TokensPage } from './pages/tokens.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { Link, navigate, usePath } from './router.tsx';
import { makeCan, SessionContext, type SessionContextValue, useSession } from './session.tsx';
import type { SessionView } from './types.ts';

type PageDef = { path: string; label: string; scope: string | null; component: ComponentType };

const PAGES: PageDef[] = [
  { path: '/api-access', label: 'nav.api-access', scope: null, component: ApiAccessPage },
  { path: '/overview', label: 'nav.overview', scope: 'tokens:read', component: OverviewPage },
  { path: '/tokens', label: 'nav.tokens', scope: 'tokens:read', component: TokensPage },
  {
    path: '/service-accounts',
    label: 'nav.service-accounts',
    scope: 'service_accounts:read',
    component: ServiceAccountsPage,
  },
  { path: '/members', label: 'nav.members', scope: 'members:read', component: MembersPage },
  { path: '/audit', label: 'nav.audit', scope: 'audit:read', component: AuditPage },
  { path: '/webhooks', label: 'nav.webhooks', scope: 'projects:admin', component: WebhooksPage },
  // Readers see the policies; the page offers changes only to projects:admin, as the server allows.
  {
    path: '/token-policies',
    label: 'nav.token-policies',
    scope: 'tokens:read',
    component: TokenPoliciesPage,
  },
  { path: '/errors', label: 'nav.errors', scope: null, component: ErrorLookupPage },
];
const HOME = '/api-access';
const INVITE = '/invite';

type Phase =
  | { kind: 'loading' }
  | { kind: 'setup' }
  | { kind: 'login' }
  | { kind: 'ready'; session: SessionView }
  | { kind: 'failed'; error: unknown };

export function App() {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const returnTo = useRef<string>(HOME);
  const path = usePath();

  const loadSession = useCallback(async () => {
    const session = await api<SessionView>('GET', '/v1/auth/session');
    setCsrfToken(session.csrf_token);
    setProjectId(session.project_id);
    setPhase({ kind: 'ready', session });
    return session;
  }, []);

  const toLogin = useCallback(() => {
    setCsrfToken(null);
    setProjectId(null);
    const here = window.location.pathname;
    if (here !== '/login' && here !== '/setup' && here !== INVITE) returnTo.current = here;
    setPhase({ kind: 'login' });
  }, []);

  useEffect(() => {
    setSessionLostHandler(toLogin);
    let cancelled = false;
    (async () => {
      try {
        const setup = await api<{ required: boolean }>('GET', '/v1/setup');
        if (cancelled) return;
        if (setup.required) return setPhase({ kind: 'setup' });
        await loadSession().catch(() => {
          if (!cancelled) toLogin();
        });
      } catch (error) {
        if (!cancelled) setPhase({ kind: 'failed', error });
      }
    })();
    return () => {
      cancelled = true;
      setSessionLostHandler(null);
    };
  }, [loadSession, toLogin]);

  // Keep the address bar in step with what is shown.
  useEffect(() => {
    if (path === INVITE) return;
    if (phase.kind === 'setup') navigate('/setup', { replace: true });
    else if (phase.kind === 'login') navigate('/login', { replace: true });
    else if (phase.kind === 'ready' && (path === '/' || path === '/login' || path === '/setup')) {
      const target = returnTo.current;
      returnTo.current = HOME;
      navigate(target === '/' ? HOME : target, { replace: true });
    }
  }, [phase.kind, path]);

  const signedIn = async (csrfToken: string) => {
    setCsrfToken(csrfToken);
    await loadSession();
  };

  // Redeeming an invitation needs no session (and keeps the one there is).
  if (path === INVITE) {
    return <InvitePage onJoined={() => navigate(phase.kind === 'ready' ? HOME : '/login')} />;
  }
  if (phase.kind === 'loading') {
    return (
      <main className="centered" id="main">
        <output className="block">{t('common.loading')}</output>
      </main>
    );
  }
  if (phase.kind === 'failed') {
    return (
      <main className="centered" id="main">
        <h1>{t('app.name')}</h1>
        <ErrorBanner error={phase.error} />
      </main>
    );
  }
  if (phase.kind === 'setup') return <SetupPage onDone={signedIn} />;
  if (phase.kind === 'login') return <LoginPage onDone={signedIn} />;
  return <Shell session={phase.session} path={path} reload={loadSession} onSignedOut={toLogin} />;
}

type ShellProps = {
  session: SessionView;
  path: string;
  reload: () => Promise<SessionView>;
  onSignedOut: () => void;
};

function Shell({ session, path, reload, onSignedOut }: ShellProps) {
  const { t } = useTranslation();
  const can = useMemo(() => makeCan(session.scopes), [session.scopes]);
  const project = session.projects.find((p) => p.id === session.project_id) ?? null;
  const [signOutError, setSignOutError] = useState<unknown>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const firstRender = useRef(true);

  const value: SessionContextValue = useMemo(
    () => ({
      session,
      project,
      can,
      switchProject: async (projectId: string) => {
        setProjectId(projectId);
        await reload();
      },
      signOut: async () => {
        try {
          await api('POST', '/v1/auth/logout');
          onSignedOut();
        } catch (error) {
          setSignOutError(error);
        }
      },
    }),
    [session, project, can, reload, onSignedOut],
  );

  const page = PAGES.find((p) => path === p.path || path.startsWith(`${p.path}/`));
  const visible = PAGES.filter((p) => p.scope === null || can(p.scope));

  useEffect(() => {
    if (!page) navigate(HOME, { replace: true });
  }, [page]);

  useEffect(() => {
    document.title = page ? `${t(page.label)} · ${t('app.name')}` : t('app.name');
  }, [page, t]);

  // Moving between pages puts focus on the new page's heading, so screen readers announce it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [page?.path]);

  const Page = page?.component;
  return (
    <SessionContext.Provider value={value}>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <div className={menuOpen ? 'shell menu-open' : 'shell'}>
        <header className="topbar">
          <div className="topbar-inner">
            <Link to={HOME} className="brand">
              <img className="brand-mark" src="/favicon.svg" alt="" width="28" height="28" />
              {t('app.name')}
            </Link>
            <button
              type="button"
              className="menu-toggle button button-secondary button-small"
              aria-expanded={menuOpen}
              aria-controls="site-menu site-nav"
              onClick={() => setMenuOpen((open) => !open)}
            >
              <span className="menu-icon" aria-hidden="true" />
              {menuOpen ? t('nav.menu-close') : t('nav.menu')}
            </button>
            <div className="topbar-tools" id="site-menu">
              <ProjectSelect />
              <LanguageSelect />
              <span className="user-email" title={session.user.email}>
                {session.user.email}
              </span>
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => value.signOut()}
              >
                {t('nav.sign-out')}
              </button>
            </div>
          </div>
        </header>
        <div className="layout">
          <nav className="sidenav" id="site-nav" aria-label={t('nav.label')}>
            <ul>
              {visible.map((p) => {
                const current = page?.path === p.path;
                return (
                  <li key={p.path}>
                    <Link
                      to={p.path}
                      aria-current={current ? 'page' : undefined}
                      className={current ? 'active' : undefined}
                      onClick={() => setMenuOpen(false)}
                    >
                      {t(p.label)}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <main id="main" className="content" tabIndex={-1}>
            <ErrorBanner error={signOutError} onDismiss={() => setSignOutError(null)} />
            {Page ? <Page key={`${session.project_id}:${page?.path}`} /> : null}
          </main>
        </div>
      </div>
    </SessionContext.Provider>
  );
}

function ProjectSelect() {
  const { t } = useTranslation();
  const { session, switchProject } = useSession();
  if (session.projects.length < 2) {
    const only = session.projects[0];
    return only ? (
      <span className="project-name">
        <span className="muted">{t('nav.project')}:</span> {only.name}
      </span>
    ) : null;
  }
  return (
    <div className="inline-field">
      <label htmlFor="project-select">{t('nav.project')}</label>
      <select
        id="project-select"
        value={session.project_id}
        onChange={(e) => void switchProject(e.target.value)}
      >
        {session.projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

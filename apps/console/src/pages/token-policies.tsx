import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { RadioChoices } from '../components/field.tsx';
import { useSession } from '../session.tsx';
import type { ProjectView, ReminderSettingsView, UpdateProjectBody } from '../types.ts';
import { useSubmit } from '../use-submit.ts';
import { PageHeader } from './page-header.tsx';
import { ReminderPolicyForm, SaveRow } from './reminder-policy-form.tsx';

type LeakAction = ProjectView['settings']['leak_action'];
const LEAK_ACTIONS: LeakAction[] = ['revoke', 'notify'];

/**
 * The project's token policies: expiry reminders, idle revocation and what a confirmed leak does.
 * Everyone who reads tokens sees them; changing them is the project administrator's (as the server says).
 */
export function TokenPoliciesPage() {
  const { t } = useTranslation();
  const { can, session } = useSession();
  const admin = can('projects:admin');
  const [reminders, setReminders] = useState<ReminderSettingsView | null>(null);
  const [leak, setLeak] = useState<LeakAction | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const projectPath = `/v1/projects/${seg(session.project_id)}`;
    Promise.all([
      api<ReminderSettingsView>('GET', '/v1/reminders/settings'),
      api<ProjectView>('GET', projectPath),
    ]).then(([settings, project]) => {
      setReminders(settings);
      setLeak(project.settings.leak_action);
    }, setError);
  }, [session.project_id]);

  return (
    <>
      <PageHeader title={t('policies.title')} intro={t('policies.intro')} />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {admin ? null : <p className="muted">{t('policies.read-only')}</p>}
      {reminders && leak ? (
        <>
          <section className="card" aria-labelledby="policies-reminders">
            <h2 id="policies-reminders">{t('policies.reminders-heading')}</h2>
            <ReminderPolicyForm saved={reminders} editable={admin} onSaved={setReminders} />
          </section>
          <section className="card" aria-labelledby="policies-leak">
            <h2 id="policies-leak">{t('policies.leak-heading')}</h2>
            <LeakForm projectId={session.project_id} saved={leak} editable={admin} onSaved={setLeak} />
          </section>
        </>
      ) : error ? null : (
        <output className="block">{t('common.loading')}</output>
      )}
    </>
  );
}

type LeakProps = {
  projectId: string;
  saved: LeakAction;
  editable: boolean;
  onSaved: (action: LeakAction) => void;
};

/** Revoke the token a secret-scanning report confirms, or only notify (audit, webhook). */
function LeakForm({ projectId, saved, editable, onSaved }: LeakProps) {
  const { t } = useTranslation();
  const id = useId();
  const [action, setAction] = useState(saved);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const body: UpdateProjectBody = { settings: { leak_action: action } };
      const project = await api<ProjectView>('PATCH', `/v1/projects/${seg(projectId)}`, { body });
      onSaved(project.settings.leak_action);
      setDone(true);
    });
  };

  return (
    <form onSubmit={submit} className="form">
      <fieldset className="fieldset" disabled={!editable}>
        <legend>{t('policies.leak')}</legend>
        <RadioChoices
          name={`${id}-leak`}
          choices={LEAK_ACTIONS.map((value) => ({ value, label: t(`policies.leak-${value}`) }))}
          value={action}
          onChange={(value) => {
            setDone(false);
            setAction(value);
          }}
        />
        <p className="hint">{t('policies.leak-hint')}</p>
      </fieldset>
      <ErrorBanner error={error} />
      {editable ? <SaveRow busy={busy} done={done} /> : null}
    </form>
  );
}

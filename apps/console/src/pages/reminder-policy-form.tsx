import type { TFunction } from 'i18next';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, type FieldIds, RadioChoices } from '../components/field.tsx';
import type { ReminderSettingsView, UpdateReminderSettingsBody } from '../types.ts';
import { useSubmit } from '../use-submit.ts';

/** The server looks for expiring tokens up to a year ahead: a wider threshold would never fire. */
const MAX_REMINDER_DAYS = 365;
const MAX_IDLE_DAYS = 3650;
const MAX_THRESHOLDS = 10;

type Draft = { expiry: string; idle: boolean; idleDays: string; idleReminder: string };
type Invalid = { field: 'expiry' | 'idle-days' | 'idle-reminder'; message: string };

const draftOf = (v: ReminderSettingsView): Draft => ({
  expiry: v.expiry_reminder_days.join(', '),
  idle: v.idle_revoke_days !== null,
  idleDays: String(v.idle_revoke_days ?? 90),
  idleReminder: String(v.idle_reminder_days),
});

const wholeDays = (text: string, max: number) => {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  return n >= 1 && n <= max ? n : null;
};

/** The change to send (only what differs from `saved`), or the first field that is wrong. */
function changesOf(
  draft: Draft,
  saved: ReminderSettingsView,
  t: TFunction,
): { invalid: Invalid } | { body: UpdateReminderSettingsBody } {
  const parts = draft.expiry.split(/[\s,]+/).filter(Boolean);
  const expiry = parts.map((p) => wholeDays(p, MAX_REMINDER_DAYS));
  if (expiry.some((d) => d === null))
    return { invalid: { field: 'expiry', message: t('policies.expiry-range', { max: MAX_REMINDER_DAYS }) } };
  if (new Set(expiry).size !== expiry.length)
    return { invalid: { field: 'expiry', message: t('policies.expiry-unique') } };
  if (expiry.length > MAX_THRESHOLDS)
    return { invalid: { field: 'expiry', message: t('policies.expiry-too-many', { max: MAX_THRESHOLDS }) } };
  const days = (expiry as number[]).sort((a, b) => b - a);
  const body: UpdateReminderSettingsBody = {};
  if (days.join() !== saved.expiry_reminder_days.join()) body.expiry_reminder_days = days;
  if (!draft.idle) {
    if (saved.idle_revoke_days !== null) body.idle_revoke_days = null;
    return { body };
  }
  const revoke = wholeDays(draft.idleDays, MAX_IDLE_DAYS);
  if (revoke === null || revoke < 2)
    return {
      invalid: { field: 'idle-days', message: t('policies.idle-days-range', { max: MAX_IDLE_DAYS }) },
    };
  const remind = wholeDays(draft.idleReminder, MAX_IDLE_DAYS);
  if (remind === null || remind >= revoke)
    return {
      invalid: { field: 'idle-reminder', message: t('policies.idle-reminder-before', { max: revoke - 1 }) },
    };
  if (revoke !== saved.idle_revoke_days) body.idle_revoke_days = revoke;
  if (remind !== saved.idle_reminder_days) body.idle_reminder_days = remind;
  return { body };
}

type Props = { saved: ReminderSettingsView; editable: boolean; onSaved: (v: ReminderSettingsView) => void };

/** Expiry reminder thresholds and "revoke tokens unused for N days, warned K days before". */
export function ReminderPolicyForm({ saved, editable, onSaved }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState(() => draftOf(saved));
  const [invalid, setInvalid] = useState<Invalid | null>(null);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useSubmit();
  const formRef = useRef<HTMLFormElement>(null);
  const edit = (change: Partial<Draft>) => {
    setDone(false);
    setDraft((d) => ({ ...d, ...change }));
  };

  // A refused field takes the focus, so its message is read and it can be fixed at once.
  useEffect(() => {
    if (invalid) formRef.current?.querySelector<HTMLElement>(`[data-field="${invalid.field}"]`)?.focus();
  }, [invalid]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = changesOf(draft, saved, t);
    if ('invalid' in result) return setInvalid(result.invalid);
    setInvalid(null);
    await run(async () => {
      if (Object.keys(result.body).length > 0) {
        const next = await api<ReminderSettingsView>('PATCH', '/v1/reminders/settings', {
          body: result.body,
        });
        setDraft(draftOf(next));
        onSaved(next);
      }
      setDone(true);
    });
  };

  const errorOf = (field: Invalid['field']) => (invalid?.field === field ? invalid.message : null);
  const numberInput =
    (field: 'idle-days' | 'idle-reminder', key: 'idleDays' | 'idleReminder') =>
    ({ id: fid, describedBy, invalid: bad }: FieldIds) => (
      <input
        id={fid}
        inputMode="numeric"
        aria-describedby={describedBy}
        aria-invalid={bad}
        data-field={field}
        value={draft[key]}
        onChange={(e) => edit({ [key]: e.target.value })}
      />
    );

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="form">
      <fieldset className="form plain-fieldset" disabled={!editable}>
        <Field
          label={t('policies.expiry')}
          hint={t('policies.expiry-hint', { max: MAX_REMINDER_DAYS, most: MAX_THRESHOLDS })}
          error={errorOf('expiry')}
        >
          {({ id: fid, describedBy, invalid: bad }) => (
            <input
              id={fid}
              inputMode="numeric"
              autoComplete="off"
              aria-describedby={describedBy}
              aria-invalid={bad}
              data-field="expiry"
              placeholder="14, 7, 1"
              value={draft.expiry}
              onChange={(e) => edit({ expiry: e.target.value })}
            />
          )}
        </Field>
        <fieldset className="fieldset">
          <legend>{t('policies.idle')}</legend>
          <RadioChoices
            name={`${id}-idle`}
            choices={[
              { value: 'off', label: t('policies.idle-off') },
              { value: 'on', label: t('policies.idle-on') },
            ]}
            value={draft.idle ? 'on' : 'off'}
            onChange={(choice) => edit({ idle: choice === 'on' })}
          />
          {draft.idle ? (
            <>
              <Field label={t('policies.idle-days')} error={errorOf('idle-days')}>
                {numberInput('idle-days', 'idleDays')}
              </Field>
              <Field
                label={t('policies.idle-reminder')}
                hint={t('policies.idle-reminder-hint')}
                error={errorOf('idle-reminder')}
              >
                {numberInput('idle-reminder', 'idleReminder')}
              </Field>
            </>
          ) : (
            <p className="hint">{t('policies.idle-off-hint')}</p>
          )}
        </fieldset>
      </fieldset>
      <ErrorBanner error={error} />
      {editable ? <SaveRow busy={busy} done={done} /> : null}
    </form>
  );
}

/** The form's Save button and, once saved, a polite "Saved." beside it. */
export function SaveRow({ busy, done }: { busy: boolean; done: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="button-row">
      <button type="submit" className="button button-primary" disabled={busy}>
        {t('common.save')}
      </button>
      <output aria-live="polite">{done ? t('policies.saved') : ''}</output>
    </div>
  );
}

import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, FieldError, RadioOption } from '../components/field.tsx';
import { grantableScopes, ScopePicker } from '../components/scope-picker.tsx';
import { DAY_MS } from '../format.ts';
import type { Lookups } from '../lookups.ts';
import { holdsAll, MANAGEMENT_SCOPES } from '../scopes.ts';
import { useSession } from '../session.tsx';
import type { TokenReplay, TokenWithSecret } from '../types.ts';
import { useSubmit } from '../use-submit.ts';

const PRESET_DAYS = [7, 30, 60, 90] as const;
type Invalid = { field: 'name' | 'role' | 'scopes' | 'date' | 'ips' | 'metadata'; message: string };
type Expiry = `${(typeof PRESET_DAYS)[number]}` | 'custom' | 'none';

type CreateTokenDialogProps = {
  open: boolean;
  lookups: Lookups;
  onClose: () => void;
  onCreated: (token: TokenWithSecret) => void;
};

function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Name, description, owner, role or scopes (never beyond the user's), and an expiry the project allows. */
export function CreateTokenDialog({ open, lookups, onClose, onCreated }: CreateTokenDialogProps) {
  const { t } = useTranslation();
  const { session, project } = useSession();
  const id = useId();
  const maxSeconds = project?.settings.max_token_lifetime_seconds ?? null;
  const presets = PRESET_DAYS.filter((d) => maxSeconds === null || d * 86_400 <= maxSeconds);
  const defaultExpiry: Expiry = presets.includes(30)
    ? '30'
    : presets[0] !== undefined
      ? `${presets[0]}`
      : 'custom';

  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState<string>('me');
  const [mode, setMode] = useState<'role' | 'scopes'>('scopes');
  const [roleId, setRoleId] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<Expiry>(defaultExpiry);
  const [customDate, setCustomDate] = useState(localDate(Date.now() + 30 * DAY_MS));
  const [allowedIps, setAllowedIps] = useState('');
  const [metadata, setMetadata] = useState('');
  // One key per filled-in form: a double submit or a retry after a lost answer makes one token.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const { busy, error, setError, run } = useSubmit();
  const [invalid, setInvalid] = useState<Invalid | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  // A refused field takes the focus, so its message is read and it can be fixed at once.
  useEffect(() => {
    if (!invalid) return;
    formRef.current?.querySelector<HTMLElement>(`[data-field="${invalid.field}"]`)?.focus();
  }, [invalid]);

  const assignableRoles = useMemo(
    () => lookups.roles.filter((r) => holdsAll(session.scopes, r.scopes)),
    [lookups.roles, session.scopes],
  );
  const scopeOptions = useMemo(
    () =>
      grantableScopes(session.scopes, [
        ...MANAGEMENT_SCOPES,
        ...lookups.roles.flatMap((r) => r.scopes),
        ...session.scopes.filter((s) => !s.includes('*')),
      ]),
    [lookups.roles, session.scopes],
  );
  const accounts = lookups.serviceAccounts.filter((a) => a.active);

  const reset = () => {
    setName('');
    setDescription('');
    setOwner('me');
    setMode('scopes');
    setRoleId('');
    setScopes([]);
    setExpiry(defaultExpiry);
    setAllowedIps('');
    setMetadata('');
    setIdempotencyKey(crypto.randomUUID());
    setError(null);
    setInvalid(null);
  };

  const close = () => {
    reset();
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body: Record<string, unknown> = { name: name.trim() };
    if (!body.name) return setInvalid({ field: 'name', message: t('create.name-required') });
    if (description.trim()) body.description = description.trim();
    if (owner !== 'me') body.service_account_id = owner;
    if (mode === 'role') {
      if (!roleId) return setInvalid({ field: 'role', message: t('create.role-required') });
      body.role_id = roleId;
    } else {
      if (scopes.length === 0) return setInvalid({ field: 'scopes', message: t('create.scopes-required') });
      body.scopes = scopes;
    }
    if (expiry === 'none') body.expires_at = null;
    else if (expiry === 'custom') {
      const at = new Date(`${customDate}T23:59:59`);
      if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now())
        return setInvalid({ field: 'date', message: t('create.date-future') });
      if (maxSeconds !== null && at.getTime() > Date.now() + maxSeconds * 1000) {
        return setInvalid({
          field: 'date',
          message: t('create.date-too-far', { days: Math.floor(maxSeconds / 86_400) }),
        });
      }
      body.expires_at = at.toISOString();
    } else body.expires_in_seconds = Number(expiry) * 86_400;
    const ips = allowedIps
      .split(/[\s,]+/)
      .map((ip) => ip.trim())
      .filter((ip) => ip !== '');
    if (ips.length > 0) body.allowed_ips = ips;
    if (metadata.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(metadata);
      } catch {
        parsed = null;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return setInvalid({ field: 'metadata', message: t('create.metadata-invalid') });
      body.metadata = parsed;
    }
    setInvalid(null);
    await run(async () => {
      const token = await api<TokenWithSecret | TokenReplay>('POST', '/v1/tokens', {
        body,
        headers: { 'idempotency-key': idempotencyKey },
      });
      // A replay: the secret went with the first answer and is never stored, so it cannot be shown.
      if (!('token' in token)) return setError(new Error(t('create.already-delivered')));
      reset();
      onCreated(token);
    });
  };

  return (
    <Dialog open={open} title={t('create.title')} onClose={close} wide>
      <form ref={formRef} onSubmit={submit} noValidate className="form">
        <Field
          label={t('create.name')}
          hint={t('create.name-hint')}
          error={invalid?.field === 'name' ? invalid.message : null}
        >
          {({ id: fid, describedBy, invalid: bad }) => (
            <input
              id={fid}
              required
              maxLength={200}
              autoComplete="off"
              aria-describedby={describedBy}
              aria-invalid={bad}
              data-field="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-autofocus
            />
          )}
        </Field>
        <Field label={t('create.description')}>
          {({ id: fid }) => (
            <textarea
              id={fid}
              rows={2}
              maxLength={1000}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>

        {accounts.length > 0 ? (
          <Field label={t('create.owner')} hint={t('create.owner-hint')}>
            {({ id: fid, describedBy }) => (
              <select
                id={fid}
                aria-describedby={describedBy}
                value={owner}
                onChange={(e) => setOwner(e.target.value)}
              >
                <option value="me">{t('create.owner-me', { email: session.user.email })}</option>
                {accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {t('create.owner-sa', { name: a.name })}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}

        <fieldset className="fieldset">
          <legend>{t('create.permissions')}</legend>
          <div className="radio-row">
            <RadioOption
              id={`${id}-mode-scopes`}
              name={`${id}-mode`}
              label={t('create.mode-scopes')}
              checked={mode === 'scopes'}
              onChange={() => setMode('scopes')}
            />
            <RadioOption
              id={`${id}-mode-role`}
              name={`${id}-mode`}
              label={t('create.mode-role')}
              checked={mode === 'role'}
              disabled={assignableRoles.length === 0}
              onChange={() => setMode('role')}
            />
          </div>
          <p className="hint">{t('create.rights-hint')}</p>
        </fieldset>
        {mode === 'role' ? (
          <Field label={t('create.role')} error={invalid?.field === 'role' ? invalid.message : null}>
            {({ id: fid, describedBy, invalid: bad }) => (
              <select
                id={fid}
                aria-describedby={describedBy}
                aria-invalid={bad}
                data-field="role"
                value={roleId}
                onChange={(e) => setRoleId(e.target.value)}
              >
                <option value="">{t('create.choose-role')}</option>
                {assignableRoles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} — {r.scopes.join(' ')}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <div className="field">
            <ScopePicker
              legend={t('create.scopes')}
              options={scopeOptions}
              granted={session.scopes}
              value={scopes}
              onChange={setScopes}
            />
            {invalid?.field === 'scopes' ? (
              // Focusable so the message takes the focus; the picker's checkboxes follow it.
              <p className="field-error" role="alert" tabIndex={-1} data-field="scopes">
                {invalid.message}
              </p>
            ) : null}
          </div>
        )}

        <fieldset className="fieldset">
          <legend>{t('create.expiry')}</legend>
          <div className="radio-row">
            {presets.map((days) => (
              <RadioOption
                key={days}
                id={`${id}-exp-${days}`}
                name={`${id}-expiry`}
                label={t('create.days', { count: days })}
                checked={expiry === `${days}`}
                onChange={() => setExpiry(`${days}` as Expiry)}
              />
            ))}
            <RadioOption
              id={`${id}-exp-custom`}
              name={`${id}-expiry`}
              label={t('create.custom-date')}
              checked={expiry === 'custom'}
              onChange={() => setExpiry('custom')}
            />
            {maxSeconds === null ? (
              <RadioOption
                id={`${id}-exp-none`}
                name={`${id}-expiry`}
                label={t('create.no-expiry')}
                checked={expiry === 'none'}
                onChange={() => setExpiry('none')}
              />
            ) : null}
          </div>
          {expiry === 'custom' ? (
            <div className="field">
              <label htmlFor={`${id}-date`}>{t('create.expiry-date')}</label>
              <input
                id={`${id}-date`}
                type="date"
                min={localDate(Date.now() + DAY_MS)}
                value={customDate}
                aria-invalid={invalid?.field === 'date' ? true : undefined}
                aria-describedby={invalid?.field === 'date' ? `${id}-date-error` : undefined}
                data-field="date"
                onChange={(e) => setCustomDate(e.target.value)}
              />
              {invalid?.field === 'date' ? (
                <FieldError id={`${id}-date-error`} message={invalid.message} />
              ) : null}
            </div>
          ) : null}
          {maxSeconds !== null ? (
            <p className="hint">{t('create.max-lifetime', { days: Math.floor(maxSeconds / 86_400) })}</p>
          ) : expiry === 'none' ? (
            <p className="hint">{t('create.no-expiry-hint')}</p>
          ) : null}
        </fieldset>

        <Field label={t('create.allowed-ips')} hint={t('create.allowed-ips-hint')}>
          {({ id: fid, describedBy }) => (
            <textarea
              id={fid}
              data-field="ips"
              rows={2}
              aria-describedby={describedBy}
              placeholder="203.0.113.0/24"
              value={allowedIps}
              onChange={(e) => setAllowedIps(e.target.value)}
            />
          )}
        </Field>
        <Field
          label={t('create.metadata')}
          hint={t('create.metadata-hint')}
          error={invalid?.field === 'metadata' ? invalid.message : null}
        >
          {({ id: fid, describedBy, invalid: bad }) => (
            <textarea
              id={fid}
              data-field="metadata"
              aria-invalid={bad}
              rows={2}
              aria-describedby={describedBy}
              placeholder='{"plan": "pro"}'
              value={metadata}
              onChange={(e) => setMetadata(e.target.value)}
            />
          )}
        </Field>

        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('create.submit')} busy={busy} />
      </form>
    </Dialog>
  );
}

import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { EmailField } from '../components/email-field.tsx';
import { ErrorBanner, InvalidBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { RoleSelect } from '../components/role-select.tsx';
import { grantableScopes, ScopePicker } from '../components/scope-picker.tsx';
import { MANAGEMENT_SCOPES } from '../scopes.ts';
import { useSession } from '../session.tsx';
import type { MemberView, RoleView } from '../types.ts';
import { useSubmit } from '../use-submit.ts';

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** The dialogs of the members page: create or edit a role, create an account as a member. */
type RoleDialogProps = {
  role: RoleView | 'new' | null;
  roles: RoleView[];
  onClose: () => void;
  onSaved: (role: RoleView) => void;
};

export function RoleDialog({ role, roles, onClose, onSaved }: RoleDialogProps) {
  const { t } = useTranslation();
  const { session } = useSession();
  const editing = role !== null && role !== 'new' ? role : null;
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const { busy, error, setError, run } = useSubmit();
  const [invalid, setInvalid] = useState<string | null>(null);

  useEffect(() => {
    setName(editing?.name ?? '');
    setDescription(editing?.description ?? '');
    setScopes(editing?.scopes ?? []);
    setError(null);
    setInvalid(null);
  }, [editing, setError]);

  const options = useMemo(
    () => grantableScopes(session.scopes, [...MANAGEMENT_SCOPES, ...roles.flatMap((r) => r.scopes)]),
    [roles, session.scopes],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing && !ROLE_NAME.test(name)) return setInvalid(t('roles.name-invalid'));
    if (scopes.length === 0) return setInvalid(t('create.scopes-required'));
    setInvalid(null);
    await run(async () => {
      const saved = editing
        ? await api<RoleView>('PATCH', `/v1/roles/${seg(editing.id)}`, { body: { description, scopes } })
        : await api<RoleView>('POST', '/v1/roles', { body: { name, description, scopes } });
      onSaved(saved);
    });
  };

  return (
    <Dialog
      open={role !== null}
      title={editing ? t('roles.edit-title', { name: editing.name }) : t('roles.create-title')}
      onClose={onClose}
      wide
    >
      <form onSubmit={submit} className="form" noValidate>
        {editing ? null : (
          <Field label={t('roles.col.name')} hint={t('roles.name-hint')}>
            {({ id, describedBy }) => (
              <input
                id={id}
                required
                aria-describedby={describedBy}
                value={name}
                onChange={(e) => setName(e.target.value)}
                data-autofocus
              />
            )}
          </Field>
        )}
        <Field label={t('create.description')}>
          {({ id }) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <ScopePicker
          legend={t('roles.col.scopes')}
          options={options}
          granted={session.scopes}
          value={scopes}
          onChange={setScopes}
        />
        <InvalidBanner message={invalid} />
        <ErrorBanner error={error} />
        <DialogActions
          onCancel={onClose}
          submitLabel={editing ? t('common.save') : t('roles.create')}
          busy={busy}
        />
      </form>
    </Dialog>
  );
}

type AddMemberProps = {
  open: boolean;
  roles: RoleView[];
  onClose: () => void;
  onAdded: (member: MemberView) => void;
};

export function AddMemberDialog({ open, roles, onClose, onAdded }: AddMemberProps) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [roleId, setRoleId] = useState('');
  const { busy, error, setError, run } = useSubmit();

  const reset = () => {
    setEmail('');
    setName('');
    setPassword('');
    setRoleId('');
    setError(null);
  };

  const close = () => {
    reset();
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const member = await api<MemberView>('POST', '/v1/members', {
        body: {
          email: email.trim(),
          role_id: roleId,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(password ? { password } : {}),
        },
      });
      reset();
      onAdded(member);
    });
  };

  return (
    <Dialog open={open} title={t('members.add-title')} onClose={close}>
      <form onSubmit={submit} className="form">
        <EmailField label={t('members.col.email')} value={email} onChange={setEmail} autoFocus />
        <Field label={t('setup.name')}>
          {({ id }) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('members.password')} hint={t('members.password-hint')}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              minLength={12}
              aria-describedby={describedBy}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <RoleSelect label={t('members.col.role')} roles={roles} value={roleId} onChange={setRoleId} />
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('members.add')} busy={busy} />
      </form>
    </Dialog>
  );
}

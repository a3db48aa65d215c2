import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DateCell } from '../components/date-cell.tsx';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { ErrorBanner, InvalidBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { RoleSelect } from '../components/role-select.tsx';
import { grantableScopes, ScopePicker } from '../components/scope-picker.tsx';
import { ActiveBadge } from '../components/status-badge.tsx';
import type { Column } from '../components/table.tsx';
import { TableSection } from '../components/table-section.tsx';
import { holdsAll, MANAGEMENT_SCOPES } from '../scopes.ts';
import { useSession } from '../session.tsx';
import type { MemberView, RoleView } from '../types.ts';
import { useList } from '../use-list.ts';
import { useSubmit } from '../use-submit.ts';
import { InvitationsSection } from './invitations.tsx';
import { PageHeader } from './page-header.tsx';

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** Members of the project and the roles (named bundles of scopes: client, miner, admin …) they hold. */
export function MembersPage() {
  const { t } = useTranslation();
  const { can, session } = useSession();
  const [roleDialog, setRoleDialog] = useState<RoleView | 'new' | null>(null);
  const [deletingRole, setDeletingRole] = useState<RoleView | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<MemberView | null>(null);
  const id = useId();
  const canMembers = can('members:read');
  const roleList = useList<RoleView>('/v1/roles', can('roles:read'));
  const memberList = useList<MemberView>('/v1/members', canMembers);
  const { rows: roles, setRows: setRoles } = roleList;
  const { rows: members, setRows: setMembers } = memberList;
  const [actionError, setError] = useState<unknown>(null);
  const error = actionError ?? roleList.error ?? memberList.error;
  const dismissError = () => {
    setError(null);
    roleList.setError(null);
    memberList.setError(null);
  };

  const assignable = useMemo(
    () => (roles ?? []).filter((r) => holdsAll(session.scopes, r.scopes)),
    [roles, session.scopes],
  );

  const changeRole = async (member: MemberView, roleId: string) => {
    setError(null);
    try {
      const updated = await api<MemberView>('PATCH', `/v1/members/${seg(member.user_id)}`, {
        body: { role_id: roleId },
      });
      setMembers((prev) => (prev ?? []).map((m) => (m.user_id === updated.user_id ? updated : m)));
    } catch (e) {
      setError(e);
    }
  };

  const roleColumns: Column<RoleView>[] = [
    {
      key: 'name',
      header: t('roles.col.name'),
      render: (r) => (
        <>
          <span className="cell-strong">{r.name}</span>
          {r.builtin ? <span className="badge badge-neutral">{t('roles.builtin')}</span> : null}
          {r.description ? <span className="cell-sub">{r.description}</span> : null}
        </>
      ),
    },
    {
      key: 'scopes',
      header: t('roles.col.scopes'),
      render: (r) => <code className="scopes">{r.scopes.join(' ')}</code>,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      label: t('common.actions'),
      className: 'actions',
      render: (r) =>
        can('roles:write') && !r.builtin ? (
          <div className="row-actions">
            <button
              type="button"
              className="button button-small button-secondary"
              aria-label={t('roles.edit-named', { name: r.name })}
              onClick={() => setRoleDialog(r)}
            >
              {t('roles.edit')}
            </button>
            <button
              type="button"
              className="button button-small button-danger-outline"
              aria-label={t('roles.delete-named', { name: r.name })}
              onClick={() => setDeletingRole(r)}
            >
              {t('roles.delete')}
            </button>
          </div>
        ) : null,
    },
  ];

  const memberColumns: Column<MemberView>[] = [
    {
      key: 'email',
      header: t('members.col.email'),
      render: (m) => (
        <>
          <span className="cell-strong">{m.email}</span>
          {m.name && m.name !== m.email ? <span className="cell-sub">{m.name}</span> : null}
        </>
      ),
    },
    {
      key: 'role',
      header: t('members.col.role'),
      render: (m) =>
        can('members:write') &&
        m.user_id !== session.user.id &&
        assignable.some((r) => r.id === m.role_id) ? (
          <>
            <label className="visually-hidden" htmlFor={`${id}-role-${m.user_id}`}>
              {t('members.role-of', { email: m.email })}
            </label>
            <select
              id={`${id}-role-${m.user_id}`}
              value={m.role_id}
              onChange={(e) => changeRole(m, e.target.value)}
            >
              {assignable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </>
        ) : (
          m.role
        ),
    },
    {
      key: 'status',
      header: t('members.col.status'),
      render: (m) => <ActiveBadge active={m.active} />,
    },
    {
      key: 'added',
      header: t('members.col.added'),
      render: (m) => <DateCell value={m.created_at} fallback="—" />,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      label: t('common.actions'),
      className: 'actions',
      render: (m) =>
        can('members:write') && m.user_id !== session.user.id ? (
          <button
            type="button"
            className="button button-small button-danger-outline"
            aria-label={t('members.remove-named', { email: m.email })}
            onClick={() => setRemoving(m)}
          >
            {t('members.remove')}
          </button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader title={t('members.title')} intro={t('members.intro')} />
      <ErrorBanner error={error} onDismiss={dismissError} />
      <TableSection
        heading={t('members.heading')}
        action={
          // Accounts are instance-wide: only an instance administrator creates one directly.
          can('members:write', 'keyward:admin') ? (
            <button type="button" className="button button-secondary" onClick={() => setAdding(true)}>
              {t('members.add')}
            </button>
          ) : null
        }
        columns={memberColumns}
        rows={members}
        rowKey={(m) => m.user_id}
        loadingText={t('common.loading')}
        emptyText={t('members.empty')}
      />
      {canMembers ? <InvitationsSection roles={assignable} /> : null}
      <TableSection
        heading={t('roles.heading')}
        action={
          can('roles:write') ? (
            <button type="button" className="button button-primary" onClick={() => setRoleDialog('new')}>
              {t('roles.create')}
            </button>
          ) : null
        }
        intro={t('roles.intro')}
        columns={roleColumns}
        rows={roles}
        rowKey={(r) => r.id}
        loadingText={t('common.loading')}
        emptyText={t('roles.empty')}
      />

      <RoleDialog
        role={roleDialog}
        roles={roles ?? []}
        onClose={() => setRoleDialog(null)}
        onSaved={(role) => {
          setRoles((prev) => {
            const list = prev ?? [];
            return list.some((r) => r.id === role.id)
              ? list.map((r) => (r.id === role.id ? role : r))
              : [...list, role];
          });
          setRoleDialog(null);
        }}
      />
      <AddMemberDialog
        open={adding}
        roles={assignable}
        onClose={() => setAdding(false)}
        onAdded={(member) => {
          setMembers((prev) => [...(prev ?? []), member]);
          setAdding(false);
        }}
      />
      <ConfirmDialog
        open={deletingRole !== null}
        title={t('roles.delete-title', { name: deletingRole?.name ?? '' })}
        message={t('roles.delete-text')}
        confirmLabel={t('roles.delete')}
        danger
        onConfirm={async () => {
          if (!deletingRole) return;
          await api('DELETE', `/v1/roles/${seg(deletingRole.id)}`);
          setRoles((prev) => (prev ?? []).filter((r) => r.id !== deletingRole.id));
          setDeletingRole(null);
        }}
        onClose={() => setDeletingRole(null)}
      />
      <ConfirmDialog
        open={removing !== null}
        title={t('members.remove-title', { email: removing?.email ?? '' })}
        message={t('members.remove-text')}
        confirmLabel={t('members.remove')}
        danger
        onConfirm={async () => {
          if (!removing) return;
          await api('DELETE', `/v1/members/${seg(removing.user_id)}`);
          setMembers((prev) => (prev ?? []).filter((m) => m.user_id !== removing.user_id));
          setRemoving(null);
        }}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}

type RoleDialogProps = {
  role: RoleView | 'new' | null;
  roles: RoleView[];
  onClose: () => void;
  onSaved: (role: RoleView) => void;
};

function RoleDialog({ role, roles, onClose, onSaved }: RoleDialogProps) {
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

function AddMemberDialog({ open, roles, onClose, onAdded }: AddMemberProps) {
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
        <Field label={t('members.col.email')}>
          {({ id }) => (
            <input
              id={id}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-autofocus
            />
          )}
        </Field>
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

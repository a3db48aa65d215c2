import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DateCell } from '../components/date-cell.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { ActiveBadge } from '../components/status-badge.tsx';
import type { Column } from '../components/table.tsx';
import { TableSection } from '../components/table-section.tsx';
import { holdsAll } from '../scopes.ts';
import { useSession } from '../session.tsx';
import type { MemberView, RoleView } from '../types.ts';
import { useList } from '../use-list.ts';
import { InvitationsSection } from './invitations.tsx';
import { AddMemberDialog, RoleDialog } from './member-dialogs.tsx';
import { PageHeader } from './page-header.tsx';

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

import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DateCell } from '../components/date-cell.tsx';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { RoleSelect } from '../components/role-select.tsx';
import { ActiveBadge } from '../components/status-badge.tsx';
import { type Column, Table } from '../components/table.tsx';
import { partialId } from '../format.ts';
import { useLookups } from '../lookups.ts';
import { holdsAll } from '../scopes.ts';
import { useSession } from '../session.tsx';
import type { ServiceAccountView } from '../types.ts';
import { useList } from '../use-list.ts';
import { useSubmit } from '../use-submit.ts';
import { PageHeader } from './page-header.tsx';

/** Service accounts: principals for integrations that outlive the person who set them up. */
export function ServiceAccountsPage() {
  const { t } = useTranslation();
  const { can, session } = useSession();
  const lookups = useLookups();
  const writable = can('service_accounts:write');
  const { rows, setRows, error, setError } = useList<ServiceAccountView>('/v1/service-accounts');
  const [creating, setCreating] = useState(false);
  const [deactivating, setDeactivating] = useState<ServiceAccountView | null>(null);

  const setActive = async (account: ServiceAccountView, active: boolean) => {
    const updated = await api<ServiceAccountView>('PATCH', `/v1/service-accounts/${seg(account.id)}`, {
      body: { active },
    });
    setRows((prev) => (prev ?? []).map((a) => (a.id === updated.id ? updated : a)));
  };

  const roleName = (id: string) => lookups.roles.find((r) => r.id === id)?.name ?? id;
  const assignable = useMemo(
    () => lookups.roles.filter((r) => holdsAll(session.scopes, r.scopes)),
    [lookups.roles, session.scopes],
  );

  const columns: Column<ServiceAccountView>[] = [
    {
      key: 'name',
      header: t('sa.col.name'),
      render: (a) => (
        <>
          <span className="cell-strong">{a.name}</span>
          {a.description ? <span className="cell-sub">{a.description}</span> : null}
        </>
      ),
    },
    {
      key: 'id',
      header: t('sa.col.id'),
      render: (a) => (
        <code className="token-id" title={a.id}>
          {partialId(a.id)}
        </code>
      ),
    },
    { key: 'role', header: t('sa.col.role'), render: (a) => roleName(a.role_id) },
    {
      key: 'status',
      header: t('sa.col.status'),
      render: (a) => <ActiveBadge active={a.active} />,
    },
    {
      key: 'created',
      header: t('tokens.col.created'),
      render: (a) => <DateCell value={a.created_at} fallback="—" />,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      label: t('common.actions'),
      className: 'actions',
      render: (a) =>
        writable ? (
          a.active ? (
            <button
              type="button"
              className="button button-small button-danger-outline"
              aria-label={t('sa.deactivate-named', { name: a.name })}
              onClick={() => setDeactivating(a)}
            >
              {t('sa.deactivate')}
            </button>
          ) : (
            <button
              type="button"
              className="button button-small button-secondary"
              aria-label={t('sa.activate-named', { name: a.name })}
              onClick={() => setActive(a, true).catch(setError)}
            >
              {t('sa.activate')}
            </button>
          )
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('sa.title')}
        intro={t('sa.intro')}
        actions={
          writable ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              {t('sa.create')}
            </button>
          ) : null
        }
      />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Table
        caption={t('sa.title')}
        columns={columns}
        rows={rows ?? []}
        rowKey={(a) => a.id}
        busy={rows === null}
        empty={rows === null ? t('common.loading') : t('sa.empty')}
      />
      <CreateServiceAccountDialog
        open={creating}
        roles={assignable}
        onClose={() => setCreating(false)}
        onCreated={(account) => {
          setRows((prev) => [...(prev ?? []), account]);
          setCreating(false);
        }}
      />
      <ConfirmDialog
        open={deactivating !== null}
        title={t('sa.deactivate-title', { name: deactivating?.name ?? '' })}
        message={t('sa.deactivate-text')}
        confirmLabel={t('sa.deactivate')}
        danger
        onConfirm={async () => {
          if (deactivating) await setActive(deactivating, false);
          setDeactivating(null);
        }}
        onClose={() => setDeactivating(null)}
      />
    </>
  );
}

type CreateProps = {
  open: boolean;
  roles: { id: string; name: string; scopes: string[] }[];
  onClose: () => void;
  onCreated: (account: ServiceAccountView) => void;
};

function CreateServiceAccountDialog({ open, roles, onClose, onCreated }: CreateProps) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [roleId, setRoleId] = useState('');
  const { busy, error, setError, run } = useSubmit();

  const close = () => {
    setName('');
    setDescription('');
    setRoleId('');
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const account = await api<ServiceAccountView>('POST', '/v1/service-accounts', {
        body: {
          name: name.trim(),
          role_id: roleId,
          ...(description.trim() ? { description: description.trim() } : {}),
        },
      });
      setName('');
      setDescription('');
      setRoleId('');
      onCreated(account);
    });
  };

  return (
    <Dialog open={open} title={t('sa.create-title')} onClose={close}>
      <form onSubmit={submit} className="form">
        <Field label={t('sa.col.name')}>
          {({ id }) => (
            <input
              id={id}
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-autofocus
            />
          )}
        </Field>
        <Field label={t('create.description')}>
          {({ id }) => (
            <textarea id={id} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          )}
        </Field>
        <RoleSelect
          label={t('sa.col.role')}
          hint={t('sa.role-hint')}
          roles={roles}
          value={roleId}
          onChange={setRoleId}
          withScopes
        />
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('sa.create')} busy={busy} />
      </form>
    </Dialog>
  );
}

import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { type Column, Table } from '../components/table.tsx';
import { formatDate } from '../format.ts';
import { useSession } from '../session.tsx';
import type { InvitationView, RoleView } from '../types.ts';
import { useSubmit } from '../use-submit.ts';

/** The redemption page's address; the code rides in the fragment, which browsers never send. */
const invitationLink = (code: string) => `${window.location.origin}/invite#${code}`;

/** Pending invitations of the project: invite (the link is shown once), list, revoke. */
export function InvitationsSection({ roles }: { roles: RoleView[] }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [invitations, setInvitations] = useState<InvitationView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<InvitationView | null>(null);
  const id = useId();

  const load = useCallback(async () => {
    try {
      setInvitations((await api<{ data: InvitationView[] }>('GET', '/v1/invitations')).data);
    } catch (e) {
      setError(e);
      setInvitations((prev) => prev ?? []);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: Column<InvitationView>[] = [
    {
      key: 'email',
      header: t('members.col.email'),
      render: (i) => <span className="cell-strong">{i.email}</span>,
    },
    { key: 'role', header: t('members.col.role'), render: (i) => i.role },
    { key: 'expires', header: t('invitations.col.expires'), render: (i) => formatDate(i.expires_at) },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'actions',
      render: (i) =>
        can('members:write') ? (
          <button
            type="button"
            className="button button-small button-danger-outline"
            aria-label={t('invitations.revoke-named', { email: i.email })}
            onClick={() => setRevoking(i)}
          >
            {t('invitations.revoke')}
          </button>
        ) : null,
    },
  ];

  return (
    <section aria-labelledby={`${id}-heading`} className="section">
      <div className="section-header">
        <h2 id={`${id}-heading`}>{t('invitations.heading')}</h2>
        {can('members:write') ? (
          <button type="button" className="button button-primary" onClick={() => setInviting(true)}>
            {t('invitations.invite')}
          </button>
        ) : null}
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Table
        caption={t('invitations.heading')}
        columns={columns}
        rows={invitations ?? []}
        rowKey={(i) => i.id}
        busy={invitations === null}
        empty={invitations === null ? t('common.loading') : t('invitations.empty')}
      />
      <InviteDialog
        open={inviting}
        roles={roles}
        onClose={() => setInviting(false)}
        onInvited={(invitation, code) => {
          setInviting(false);
          setInvitations((prev) => [invitation, ...(prev ?? []).filter((i) => i.email !== invitation.email)]);
          setLink(invitationLink(code));
        }}
      />
      <SecretReveal
        secret={link}
        title={t('invitations.link-title')}
        fieldLabel={t('invitations.link')}
        description={t('invitations.link-once')}
        envName={null}
        onDone={() => setLink(null)}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={t('invitations.revoke-title', { email: revoking?.email ?? '' })}
        message={t('invitations.revoke-text')}
        confirmLabel={t('invitations.revoke')}
        danger
        onConfirm={async () => {
          if (!revoking) return;
          await api('DELETE', `/v1/invitations/${seg(revoking.id)}`);
          setInvitations((prev) => (prev ?? []).filter((i) => i.id !== revoking.id));
          setRevoking(null);
        }}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}

type InviteDialogProps = {
  open: boolean;
  roles: RoleView[];
  onClose: () => void;
  onInvited: (invitation: InvitationView, code: string) => void;
};

function InviteDialog({ open, roles, onClose, onInvited }: InviteDialogProps) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [roleId, setRoleId] = useState('');
  const { busy, error, setError, run } = useSubmit();

  const close = () => {
    setEmail('');
    setRoleId('');
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const { code, ...invitation } = await api<InvitationView & { code: string }>(
        'POST',
        '/v1/invitations',
        {
          body: { email: email.trim(), role_id: roleId },
        },
      );
      setEmail('');
      setRoleId('');
      onInvited(invitation, code);
    });
  };

  return (
    <Dialog
      open={open}
      title={t('invitations.invite-title')}
      onClose={close}
      description={t('invitations.intro')}
    >
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
        <Field label={t('members.col.role')}>
          {({ id }) => (
            <select id={id} required value={roleId} onChange={(e) => setRoleId(e.target.value)}>
              <option value="">{t('create.choose-role')}</option>
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('invitations.create')} busy={busy} />
      </form>
    </Dialog>
  );
}

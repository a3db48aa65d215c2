import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DateCell } from '../components/date-cell.tsx';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { EmailField } from '../components/email-field.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { RoleSelect } from '../components/role-select.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import type { Column } from '../components/table.tsx';
import { TableSection } from '../components/table-section.tsx';
import { useSession } from '../session.tsx';
import type { InvitationView, RoleView } from '../types.ts';
import { useList } from '../use-list.ts';
import { useSubmit } from '../use-submit.ts';

/** The redemption page's address; the code rides in the fragment, which browsers never send. */
const invitationLink = (code: string) => `${window.location.origin}/invite#${code}`;

/** Pending invitations of the project: invite (the link is shown once), list, revoke. */
export function InvitationsSection({ roles }: { roles: RoleView[] }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const {
    rows: invitations,
    setRows: setInvitations,
    error,
    setError,
  } = useList<InvitationView>('/v1/invitations');
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<InvitationView | null>(null);

  const columns: Column<InvitationView>[] = [
    {
      key: 'email',
      header: t('members.col.email'),
      render: (i) => <span className="cell-strong">{i.email}</span>,
    },
    { key: 'role', header: t('members.col.role'), render: (i) => i.role },
    {
      key: 'expires',
      header: t('invitations.col.expires'),
      render: (i) => <DateCell value={i.expires_at} fallback="—" />,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      label: t('common.actions'),
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
    <TableSection
      heading={t('invitations.heading')}
      action={
        can('members:write') ? (
          <button type="button" className="button button-primary" onClick={() => setInviting(true)}>
            {t('invitations.invite')}
          </button>
        ) : null
      }
      columns={columns}
      rows={invitations}
      rowKey={(i) => i.id}
      loadingText={t('common.loading')}
      emptyText={t('invitations.empty')}
    >
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
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
    </TableSection>
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
        <EmailField label={t('members.col.email')} value={email} onChange={setEmail} autoFocus />
        <RoleSelect label={t('members.col.role')} roles={roles} value={roleId} onChange={setRoleId} />
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('invitations.create')} busy={busy} />
      </form>
    </Dialog>
  );
}

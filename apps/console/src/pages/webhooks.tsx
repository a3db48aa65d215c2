import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Dialog, DialogActions } from '../components/dialog.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { type Column, Table } from '../components/table.tsx';
import { TokenNotices } from '../components/token-notices.tsx';
import { formatDate } from '../format.ts';
import { useSession } from '../session.tsx';
import { useSubmit } from '../use-submit.ts';
import { PageHeader } from './page-header.tsx';

type WebhookView = {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
};

type DeliveryView = {
  id: string;
  message_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  next_attempt_at: string | null;
  created_at: string;
};

/** Webhook endpoints (signed, Standard Webhooks), their delivery log and redelivery; token notices. */
export function WebhooksPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const admin = can('projects:admin');
  const [rows, setRows] = useState<WebhookView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<WebhookView | null>(null);
  const [open, setOpen] = useState<WebhookView | null>(null);

  const load = useCallback(async () => {
    try {
      setRows((await api<{ data: WebhookView[] }>('GET', '/v1/webhooks')).data);
    } catch (e) {
      setError(e);
      setRows([]);
    }
  }, []);

  useEffect(() => {
    if (admin) void load();
  }, [admin, load]);

  const enable = async (endpoint: WebhookView) => {
    const updated = await api<WebhookView>('PATCH', `/v1/webhooks/${seg(endpoint.id)}`, {
      body: { enabled: true },
    });
    setRows((prev) => (prev ?? []).map((w) => (w.id === updated.id ? updated : w)));
  };

  const columns: Column<WebhookView>[] = [
    {
      key: 'url',
      header: t('webhooks.col.url'),
      render: (w) => (
        <>
          <span className="cell-strong">{w.url}</span>
          {w.description ? <span className="cell-sub">{w.description}</span> : null}
        </>
      ),
    },
    { key: 'events', header: t('webhooks.col.events'), render: (w) => w.events.join(', ') },
    {
      key: 'status',
      header: t('webhooks.col.status'),
      render: (w) =>
        w.enabled ? (
          <span className="badge badge-active">{t('webhooks.enabled')}</span>
        ) : (
          <>
            <span className="badge badge-disabled">{t('webhooks.disabled')}</span>
            <span className="cell-sub">{w.disabled_reason}</span>
          </>
        ),
    },
    {
      key: 'created',
      header: t('tokens.col.created'),
      render: (w) => formatDate(w.created_at),
      className: 'nowrap',
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'actions',
      render: (w) => (
        <>
          <button type="button" className="button button-small button-secondary" onClick={() => setOpen(w)}>
            {t('webhooks.deliveries')}
          </button>
          {!w.enabled ? (
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() => enable(w).catch(setError)}
            >
              {t('webhooks.enable')}
            </button>
          ) : null}
          <button
            type="button"
            className="button button-small button-danger-outline"
            aria-label={t('webhooks.delete-named', { url: w.url })}
            onClick={() => setDeleting(w)}
          >
            {t('webhooks.delete')}
          </button>
        </>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('webhooks.title')}
        intro={t('webhooks.intro')}
        actions={
          admin ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              {t('webhooks.create')}
            </button>
          ) : null
        }
      />
      <TokenNotices />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {admin ? (
        <Table
          caption={t('webhooks.title')}
          columns={columns}
          rows={rows ?? []}
          rowKey={(w) => w.id}
          busy={rows === null}
          empty={rows === null ? t('common.loading') : t('webhooks.empty')}
        />
      ) : (
        <p>{t('webhooks.admin-only')}</p>
      )}
      {open ? <DeliveryLog endpoint={open} onClose={() => setOpen(null)} /> : null}
      <CreateWebhookDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(endpoint, signingSecret) => {
          setCreating(false);
          setRows((prev) => [...(prev ?? []), endpoint]);
          setSecret(signingSecret);
        }}
      />
      <SecretReveal
        secret={secret}
        title={t('webhooks.secret-title')}
        fieldLabel={t('webhooks.secret')}
        envName="KEYWARD_WEBHOOK_SECRET"
        fileName="keyward-webhook.env"
        onDone={() => setSecret(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t('webhooks.delete-title')}
        message={t('webhooks.delete-text', { url: deleting?.url ?? '' })}
        confirmLabel={t('webhooks.delete')}
        danger
        onConfirm={async () => {
          if (!deleting) return;
          await api('DELETE', `/v1/webhooks/${seg(deleting.id)}`);
          setRows((prev) => (prev ?? []).filter((w) => w.id !== deleting.id));
          setDeleting(null);
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function DeliveryLog({ endpoint, onClose }: { endpoint: WebhookView; onClose: () => void }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<DeliveryView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      const path = `/v1/webhooks/${seg(endpoint.id)}/deliveries`;
      setRows((await api<{ data: DeliveryView[] }>('GET', path)).data);
    } catch (e) {
      setError(e);
      setRows([]);
    }
  }, [endpoint.id]);
  useEffect(() => {
    void load();
  }, [load]);
  const redeliver = async (d: DeliveryView) => {
    const updated = await api<DeliveryView>('POST', `/v1/webhook-deliveries/${seg(d.id)}/redeliver`);
    setRows((prev) => (prev ?? []).map((r) => (r.id === updated.id ? updated : r)));
  };
  const columns: Column<DeliveryView>[] = [
    { key: 'event', header: t('webhooks.col.event'), render: (d) => <code>{d.event_type}</code> },
    { key: 'status', header: t('webhooks.col.status'), render: (d) => t(`webhooks.delivery.${d.status}`) },
    { key: 'attempts', header: t('webhooks.col.attempts'), render: (d) => String(d.attempts) },
    {
      key: 'last',
      header: t('webhooks.col.last'),
      render: (d) =>
        `${d.last_status_code ?? d.last_error ?? '-'}${d.last_latency_ms === null ? '' : ` · ${d.last_latency_ms} ms`}`,
    },
    {
      key: 'created',
      header: t('tokens.col.created'),
      render: (d) => formatDate(d.created_at),
      className: 'nowrap',
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'actions',
      render: (d) => (
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={() => redeliver(d).catch(setError)}
        >
          {t('webhooks.redeliver')}
        </button>
      ),
    },
  ];
  return (
    <section className="section" aria-label={t('webhooks.deliveries-of', { url: endpoint.url })}>
      <div className="section-header">
        <h2>{t('webhooks.deliveries-of', { url: endpoint.url })}</h2>
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('dialog.close')}
        </button>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Table
        caption={t('webhooks.deliveries')}
        columns={columns}
        rows={rows ?? []}
        rowKey={(d) => d.id}
        busy={rows === null}
        empty={rows === null ? t('common.loading') : t('webhooks.no-deliveries')}
      />
    </section>
  );
}

type CreateProps = {
  open: boolean;
  onClose: () => void;
  onCreated: (endpoint: WebhookView, secret: string) => void;
};

function CreateWebhookDialog({ open, onClose, onCreated }: CreateProps) {
  const { t } = useTranslation();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('*');
  const { busy, error, setError, run } = useSubmit();
  const close = () => {
    setUrl('');
    setEvents('*');
    setError(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const list = events
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const created = await api<WebhookView & { secret: string }>('POST', '/v1/webhooks', {
        body: { url: url.trim(), events: list },
      });
      const { secret, ...endpoint } = created;
      setUrl('');
      setEvents('*');
      onCreated(endpoint, secret);
    });
  };
  return (
    <Dialog open={open} title={t('webhooks.create-title')} onClose={close}>
      <form onSubmit={submit} className="form">
        <Field label={t('webhooks.col.url')} hint={t('webhooks.url-hint')}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="url"
              required
              aria-describedby={describedBy}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              data-autofocus
            />
          )}
        </Field>
        <Field label={t('webhooks.col.events')} hint={t('webhooks.events-hint')}>
          {({ id, describedBy }) => (
            <input
              id={id}
              required
              aria-describedby={describedBy}
              value={events}
              onChange={(e) => setEvents(e.target.value)}
            />
          )}
        </Field>
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={t('webhooks.create')} busy={busy} />
      </form>
    </Dialog>
  );
}

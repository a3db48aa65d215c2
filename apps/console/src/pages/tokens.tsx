import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DateCell } from '../components/date-cell.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { RadioOption } from '../components/field.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { type Column, Table } from '../components/table.tsx';
import { TableFooter } from '../components/table-footer.tsx';
import { TokenNotices } from '../components/token-notices.tsx';
import { displayStatus, EXPIRING_SOON_MS, formatNumber, partialId } from '../format.ts';
import { ownerLabel, rightsLabel, tokenName, useLookups } from '../lookups.ts';
import { useSession } from '../session.tsx';
import type { Page, TokenStatus, TokenView, TokenWithSecret } from '../types.ts';
import { useCursorPages } from '../use-cursor-pages.ts';
import { PageHeader } from './page-header.tsx';
import { CreateTokenDialog } from './token-create.tsx';
import { TokenDetailsDialog } from './token-details.tsx';

const PAGE_SIZE = 25;
const GRACE_CHOICES = [0, 3_600, 86_400, 604_800] as const;

/** A further page may repeat a token already shown (one created since the first page). */
const appendUnseen = (prev: TokenView[], next: TokenView[]) => [
  ...prev,
  ...next.filter((r) => !prev.some((p) => p.id === r.id)),
];

type Filters = {
  status: '' | TokenStatus | 'expiring';
  ownerType: '' | 'user' | 'service_account';
  search: string;
};

export function TokensPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const lookups = useLookups();
  const writable = can('tokens:write');
  const filterId = useId();

  const [filters, setFilters] = useState<Filters>({ status: '', ownerType: '', search: '' });
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; title: string } | null>(null);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const [reason, setReason] = useState('');
  const [rotating, setRotating] = useState<TokenView | null>(null);
  const [grace, setGrace] = useState<number>(0);
  const [details, setDetails] = useState<TokenView | null>(null);

  const load = useCallback(
    (cursor: string | undefined) =>
      api<Page<TokenView>>('GET', '/v1/tokens', {
        query: {
          limit: PAGE_SIZE,
          cursor,
          // "Expiring soon" is an active token whose expiry falls within the next seven days.
          status: filters.status === 'expiring' ? 'active' : filters.status || undefined,
          expires_before:
            filters.status === 'expiring' ? new Date(Date.now() + EXPIRING_SOON_MS).toISOString() : undefined,
          owner_type: filters.ownerType || undefined,
          search: filters.search || undefined,
        },
      }),
    [filters],
  );
  const { rows, setRows, hasMore, loading, error, setError, loadMore } = useCursorPages(load, appendUnseen);

  // Typing in the search box waits for a pause before asking the server.
  useEffect(() => {
    const timer = setTimeout(
      () => setFilters((f) => (f.search === search.trim() ? f : { ...f, search: search.trim() })),
      300,
    );
    return () => clearTimeout(timer);
  }, [search]);

  const replaceRow = (token: TokenView) =>
    setRows((prev) => prev.map((r) => (r.id === token.id ? token : r)));

  const onCreated = (created: TokenWithSecret) => {
    const { token, ...view } = created;
    setCreating(false);
    setRows((prev) => [view, ...prev.filter((r) => r.id !== view.id)]);
    setSecret({ value: token, title: t('reveal.created-title', { name: tokenName(view) }) });
  };

  const revoke = async () => {
    if (!revoking) return;
    const body = reason.trim() ? { reason: reason.trim() } : {};
    const token = await api<TokenView>('POST', `/v1/tokens/${seg(revoking.id)}/revoke`, { body });
    replaceRow(token);
    setRevoking(null);
    setReason('');
  };

  const rotate = async () => {
    if (!rotating) return;
    const res = await api<TokenWithSecret>('POST', `/v1/tokens/${seg(rotating.id)}/rotate`, {
      body: { grace_period_seconds: grace },
    });
    const { token, ...view } = res;
    replaceRow(view);
    setRotating(null);
    setGrace(0);
    setSecret({ value: token, title: t('reveal.rotated-title', { name: tokenName(view) }) });
  };

  const columns: Column<TokenView>[] = [
    {
      key: 'id',
      header: t('tokens.col.id'),
      className: 'col-id',
      render: (r) => (
        <code className="token-id" title={r.id}>
          {partialId(r.id)}
        </code>
      ),
    },
    {
      key: 'name',
      header: t('tokens.col.name'),
      className: 'col-name',
      render: (r) => (
        <>
          <button
            type="button"
            className="link-button cell-strong"
            aria-label={t('tokens.details-named', { name: tokenName(r) })}
            onClick={() => setDetails(r)}
          >
            {tokenName(r)}
          </button>
          {r.description ? <span className="cell-sub">{r.description}</span> : null}
          <span className="cell-sub">
            <code>{r.hint}</code>
          </span>
          {/* Where the id column is left out for room (laptops), the id is shown here instead. */}
          <code className="cell-sub id-inline" title={r.id}>
            {partialId(r.id)}
          </code>
        </>
      ),
    },
    {
      key: 'owner',
      header: t('tokens.col.owner'),
      render: (r) => (
        <>
          <span>{ownerLabel(r, lookups)}</span>
          <span className="cell-sub">{t(`owner.${r.owner.type}`)}</span>
        </>
      ),
    },
    {
      key: 'rights',
      header: t('tokens.col.rights'),
      render: (r) => (
        <span className="scopes">
          {r.role_id ? <span className="cell-sub">{t('tokens.role')}</span> : null}
          <code>{rightsLabel(r, lookups)}</code>
        </span>
      ),
    },
    {
      key: 'status',
      header: t('tokens.col.status-expiry'),
      render: (r) => (
        <>
          <StatusBadge status={displayStatus(r)} />
          {r.expires_at ? (
            <span className="cell-sub status-expiry">
              {t('tokens.expires-on')} <DateCell value={r.expires_at} fallback="" />
            </span>
          ) : (
            <span className="cell-sub">{t('tokens.no-expiry')}</span>
          )}
        </>
      ),
    },
    {
      key: 'created',
      header: t('tokens.col.created-local'),
      render: (r) => <DateCell value={r.created_at} fallback="—" />,
    },
    {
      key: 'last-used',
      header: t('tokens.col.last-used'),
      render: (r) => (
        <>
          <DateCell value={r.last_used_at} fallback={t('tokens.never-used')} />
          <span className="cell-sub">
            {t('tokens.uses', { count: r.usage.admitted, formatted: formatNumber(r.usage.admitted) })}
          </span>
          {r.usage.refused > 0 ? (
            <span className="cell-sub">
              {t('tokens.refused', { formatted: formatNumber(r.usage.refused) })}
            </span>
          ) : null}
        </>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      label: t('common.actions'),
      className: 'actions',
      render: (r) => {
        const live = r.status === 'active' || r.status === 'disabled';
        return (
          <div className="row-actions">
            {writable && live ? (
              <>
                <button
                  type="button"
                  className="button button-small button-secondary"
                  aria-label={t('tokens.rotate-named', { name: tokenName(r) })}
                  onClick={() => setRotating(r)}
                >
                  {t('tokens.rotate')}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger-outline"
                  aria-label={t('tokens.revoke-named', { name: tokenName(r) })}
                  onClick={() => setRevoking(r)}
                >
                  {t('tokens.revoke')}
                </button>
              </>
            ) : null}
          </div>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title={t('tokens.title')}
        intro={t('tokens.intro')}
        actions={
          writable ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              {t('tokens.create')}
            </button>
          ) : null
        }
      />
      <TokenNotices />
      <form className="filters" aria-label={t('tokens.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${filterId}-search`}>{t('tokens.search')}</label>
          <input
            id={`${filterId}-search`}
            type="search"
            value={search}
            placeholder={t('tokens.search-placeholder')}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${filterId}-status`}>{t('tokens.col.status')}</label>
          <select
            id={`${filterId}-status`}
            value={filters.status}
            onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as Filters['status'] }))}
          >
            <option value="">{t('tokens.all')}</option>
            {(['active', 'expiring', 'expired', 'revoked', 'disabled', 'owner_inactive'] as const).map(
              (s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ),
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${filterId}-owner`}>{t('tokens.owner-type')}</label>
          <select
            id={`${filterId}-owner`}
            value={filters.ownerType}
            onChange={(e) => setFilters((f) => ({ ...f, ownerType: e.target.value as Filters['ownerType'] }))}
          >
            <option value="">{t('tokens.all')}</option>
            <option value="user">{t('owner.user')}</option>
            <option value="service_account">{t('owner.service_account')}</option>
          </select>
        </div>
      </form>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Table
        caption={t('tokens.title')}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        busy={loading}
        empty={loading ? t('common.loading') : t('tokens.empty')}
      />
      <TableFooter
        showing={t('tokens.showing', { count: rows.length })}
        hasMore={hasMore}
        loading={loading}
        onLoadMore={loadMore}
      />

      <CreateTokenDialog
        open={creating}
        lookups={lookups}
        onClose={() => setCreating(false)}
        onCreated={onCreated}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={t('revoke.title', { name: revoking ? tokenName(revoking) : '' })}
        message={t('revoke.text')}
        confirmLabel={t('tokens.revoke')}
        danger
        onConfirm={revoke}
        onClose={() => {
          setRevoking(null);
          setReason('');
        }}
      >
        <div className="field">
          <label htmlFor={`${filterId}-reason`}>{t('revoke.reason')}</label>
          <textarea
            id={`${filterId}-reason`}
            rows={2}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={rotating !== null}
        title={t('rotate.title', { name: rotating ? tokenName(rotating) : '' })}
        message={t('rotate.text')}
        confirmLabel={t('tokens.rotate')}
        onConfirm={rotate}
        onClose={() => {
          setRotating(null);
          setGrace(0);
        }}
      >
        <fieldset className="fieldset">
          <legend>{t('rotate.grace')}</legend>
          <div className="radio-row">
            {GRACE_CHOICES.map((seconds) => (
              <RadioOption
                key={seconds}
                id={`${filterId}-grace-${seconds}`}
                name={`${filterId}-grace`}
                label={t(`rotate.grace-${seconds}`)}
                checked={grace === seconds}
                onChange={() => setGrace(seconds)}
              />
            ))}
          </div>
        </fieldset>
      </ConfirmDialog>
      <TokenDetailsDialog
        token={details}
        lookups={lookups}
        writable={writable}
        onChanged={(token) => {
          replaceRow(token);
          setDetails(token);
        }}
        onClose={() => setDetails(null)}
      />
      <SecretReveal
        secret={secret?.value ?? null}
        title={secret?.title ?? ''}
        fieldLabel={t('reveal.field')}
        onDone={() => setSecret(null)}
      />
    </>
  );
}

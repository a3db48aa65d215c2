import { type FormEvent, useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { DateCell } from '../components/date-cell.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { type Column, Table } from '../components/table.tsx';
import { TableFooter } from '../components/table-footer.tsx';
import { formatChangeValue, partialId } from '../format.ts';
import { useLookups } from '../lookups.ts';
import type { AuditEventView, Page } from '../types.ts';
import { useCursorPages } from '../use-cursor-pages.ts';
import { PageHeader } from './page-header.tsx';

const PAGE_SIZE = 50;

type Filters = { action: string; actorId: string; targetId: string; from: string; to: string };
const EMPTY: Filters = { action: '', actorId: '', targetId: '', from: '', to: '' };

/** `datetime-local` values are local time; the API wants ISO timestamps. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Each changed field as "field: before → after", timestamps as local dates. */
function describeChanges(changes: Record<string, unknown> | null): string[] {
  if (!changes) return [];
  return Object.entries(changes).map(([field, change]) => {
    const c = change as { before?: unknown; after?: unknown } | null;
    if (c && typeof c === 'object' && ('before' in c || 'after' in c)) {
      return `${field}: ${formatChangeValue(field, c.before)} → ${formatChangeValue(field, c.after)}`;
    }
    return `${field}: ${formatChangeValue(field, change)}`;
  });
}

export function AuditPage() {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const lookups = useLookups();
  const actorName = (e: AuditEventView) => {
    if (!e.actor.id) return e.actor.type;
    if (e.actor.type === 'user')
      return lookups.members.find((m) => m.user_id === e.actor.id)?.email ?? partialId(e.actor.id);
    if (e.actor.type === 'service_account') {
      return lookups.serviceAccounts.find((a) => a.id === e.actor.id)?.name ?? partialId(e.actor.id);
    }
    return partialId(e.actor.id);
  };

  const load = useCallback(
    (cursor: string | undefined) =>
      api<Page<AuditEventView>>('GET', '/v1/audit', {
        query: {
          limit: PAGE_SIZE,
          cursor,
          action: filters.action || undefined,
          actor_id: filters.actorId || undefined,
          target_id: filters.targetId || undefined,
          from: toIso(filters.from),
          to: toIso(filters.to),
        },
      }),
    [filters],
  );
  const { rows, hasMore, loading, error, setError, loadMore } = useCursorPages(load);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters({
      ...draft,
      action: draft.action.trim(),
      actorId: draft.actorId.trim(),
      targetId: draft.targetId.trim(),
    });
  };

  const field = (key: keyof Filters, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={type}
        value={draft[key]}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
      />
    </div>
  );

  const columns: Column<AuditEventView>[] = [
    {
      key: 'when',
      header: t('audit.col.when'),
      render: (e) => <DateCell value={e.occurred_at} fallback="—" />,
    },
    { key: 'action', header: t('audit.col.action'), render: (e) => <code>{e.action}</code> },
    {
      key: 'actor',
      header: t('audit.col.actor'),
      render: (e) => (
        <>
          <span title={e.actor.id ?? undefined}>{actorName(e)}</span>
          <span className="cell-sub">
            {e.actor.type}
            {e.actor.via_token_id ? ` · ${t('audit.via', { token: e.actor.via_token_id })}` : ''}
          </span>
        </>
      ),
    },
    {
      key: 'target',
      header: t('audit.col.target'),
      render: (e) =>
        e.target.id ? (
          <>
            <code title={e.target.id}>{partialId(e.target.id)}</code>
            {e.target.type ? <span className="cell-sub">{e.target.type}</span> : null}
          </>
        ) : (
          '—'
        ),
    },
    {
      key: 'changes',
      header: t('audit.col.changes'),
      className: 'col-changes',
      render: (e) => (
        <ul className="changes">
          {describeChanges(e.changes).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ),
    },
    { key: 'ip', header: t('audit.col.ip'), render: (e) => e.ip ?? '—' },
  ];

  return (
    <>
      <PageHeader title={t('audit.title')} intro={t('audit.intro')} />
      <form className="filters" aria-label={t('audit.filters')} onSubmit={apply}>
        {field('action', t('audit.col.action'))}
        {field('actorId', t('audit.actor-id'))}
        {field('targetId', t('audit.target-id'))}
        {field('from', t('audit.from'), 'datetime-local')}
        {field('to', t('audit.to'), 'datetime-local')}
        <div className="filters-actions">
          <button type="submit" className="button button-primary">
            {t('audit.apply')}
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            {t('audit.reset')}
          </button>
        </div>
      </form>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Table
        caption={t('audit.title')}
        columns={columns}
        rows={rows}
        rowKey={(e) => e.id}
        busy={loading}
        empty={loading ? t('common.loading') : t('audit.empty')}
      />
      <TableFooter
        showing={t('audit.showing', { count: rows.length })}
        hasMore={hasMore}
        loading={loading}
        onLoadMore={loadMore}
      />
    </>
  );
}

import { type ReactNode, useId } from 'react';
import { type Column, Table } from './table.tsx';

type TableSectionProps<T> = {
  heading: string;
  /** The section's action (Invite, Add member, Create role …), next to its heading. */
  action?: ReactNode;
  intro?: ReactNode;
  columns: Column<T>[];
  /** null while loading. */
  rows: T[] | null;
  rowKey: (row: T) => string;
  loadingText: string;
  emptyText: string;
  children?: ReactNode;
};

/** A titled part of a page holding one table: members, invitations, roles, service accounts. */
export function TableSection<T>({
  heading,
  action,
  intro,
  columns,
  rows,
  rowKey,
  loadingText,
  emptyText,
  children,
}: TableSectionProps<T>) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="section">
      <div className="section-header">
        <h2 id={id}>{heading}</h2>
        {action}
      </div>
      {intro ? <p className="muted">{intro}</p> : null}
      {children}
      <Table
        caption={heading}
        columns={columns}
        rows={rows ?? []}
        rowKey={rowKey}
        busy={rows === null}
        empty={rows === null ? loadingText : emptyText}
      />
    </section>
  );
}

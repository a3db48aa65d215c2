import type { ReactNode } from 'react';

export type Column<T> = {
  key: string;
  header: ReactNode;
  /** The column's name beside each value when rows become cards on phones (defaults to a text header). */
  label?: string;
  render: (row: T) => ReactNode;
  className?: string;
};

type TableProps<T> = {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  busy?: boolean;
  /** On phones each row becomes a card with labelled values (off for tables that stay compact). */
  cards?: boolean;
};

/**
 * A plain, screen-reader friendly data table (caption, column headers, busy state). On laptops a
 * wide table scrolls inside its own frame; on phones its rows become cards.
 */
export function Table<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
  busy = false,
  cards = true,
}: TableProps<T>) {
  return (
    // Focusable region: wide tables scroll sideways, and keyboard users must be able to scroll them too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region needs keyboard access
    <section className={cards ? 'table-wrap table-cards' : 'table-wrap'} aria-label={caption} tabIndex={0}>
      <table aria-busy={busy}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="table-empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td
                    key={c.key}
                    className={c.className}
                    data-label={c.label ?? (typeof c.header === 'string' ? c.header : undefined)}
                  >
                    {/* One box per value: as a card on phones, the label sits beside it. */}
                    <div className="cell-content">{c.render(row)}</div>
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

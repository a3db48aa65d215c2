import { formatDate, formatRelative } from '../format.ts';

/** A point in time in local time (four-digit year and time), with "3 days ago" under it. */
export function DateCell({ value, fallback }: { value: string | null; fallback: string }) {
  if (!value) return <span className="muted">{fallback}</span>;
  return (
    <span className="date-cell">
      <time dateTime={value} className="block">
        {formatDate(value)}
      </time>
      <span className="cell-sub">{formatRelative(value)}</span>
    </span>
  );
}

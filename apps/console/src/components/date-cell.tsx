import { formatDate, formatDayAndTime, formatRelative } from '../format.ts';

/**
 * A point in time in local time, four-digit year and time, with "3 days ago" under it. The day
 * and the time sit on their own lines so that a table of dates stays narrow.
 */
export function DateCell({ value, fallback }: { value: string | null; fallback: string }) {
  const parts = value ? formatDayAndTime(value) : null;
  if (!value || !parts) return <span className="muted">{value ?? fallback}</span>;
  return (
    <span className="date-cell">
      <time dateTime={value} title={formatDate(value)} className="block">
        <span className="date-day">{parts.day}</span> <span className="date-time">{parts.time}</span>
      </time>
      <span className="cell-sub">{formatRelative(value)}</span>
    </span>
  );
}

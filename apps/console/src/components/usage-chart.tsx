import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../format.ts';

type Point = { label: string; value: number };

const LABEL_KEYS = ['bucket', 'period', 'start', 'at', 'date', 'time', 'day', 'hour', 'window_start'];
const VALUE_KEYS = ['count', 'requests', 'value', 'total', 'usage', 'calls'];

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Reads a series from a usage answer whose exact shape the console does not depend on. */
function seriesOf(data: unknown): Point[] {
  const root = asRecord(data);
  const list = Array.isArray(data)
    ? data
    : (['data', 'buckets', 'series', 'points', 'usage'].map((k) => root?.[k]).find(Array.isArray) as
        | unknown[]
        | undefined);
  if (!list) return [];
  const points: Point[] = [];
  for (const item of list) {
    const row = asRecord(item);
    if (!row) continue;
    const labelKey = LABEL_KEYS.find((k) => typeof row[k] === 'string' || typeof row[k] === 'number');
    const valueKey = VALUE_KEYS.find((k) => typeof row[k] === 'number');
    if (!valueKey) continue;
    const raw = labelKey ? row[labelKey] : points.length + 1;
    const label = typeof raw === 'string' && !Number.isNaN(Date.parse(raw)) ? formatDate(raw) : String(raw);
    points.push({ label, value: row[valueKey] as number });
  }
  return points;
}

/** Numbers at the top level (totals), shown as facts. */
function totalsOf(data: unknown): [string, number][] {
  const root = asRecord(data);
  if (!root) return [];
  return Object.entries(root).filter((e): e is [string, number] => typeof e[1] === 'number');
}

/** A bar chart of usage built from plain elements (no canvas, readable as a table by screen readers). */
export function UsageChart({ data }: { data: unknown }) {
  const { t } = useTranslation();
  const points = seriesOf(data);
  const totals = totalsOf(data);
  const max = Math.max(1, ...points.map((p) => p.value));
  if (points.length === 0 && totals.length === 0) return <p className="muted">{t('details.no-usage')}</p>;
  return (
    <>
      {totals.length > 0 ? (
        <dl className="facts">
          {totals.map(([key, value]) => (
            <div key={key}>
              <dt>{key.replaceAll('_', ' ')}</dt>
              <dd>{formatNumber(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {points.length > 0 ? (
        <table className="usage-chart">
          <caption className="visually-hidden">{t('details.usage')}</caption>
          <thead className="visually-hidden">
            <tr>
              <th scope="col">{t('details.period')}</th>
              <th scope="col">{t('details.requests')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td>
                  <meter className="usage-bar" min={0} max={max} value={p.value} aria-hidden="true" />
                  <span>{formatNumber(p.value)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDate, formatNumber } from '../format.ts';
import i18n from '../i18n/index.ts';
import { ADMITTED, bucketSize, bucketStarts, orderedSeries, totalsOf, type UsageWindow } from '../usage.ts';
import { outcomeColour, outcomeLabel } from './usage-outcomes.tsx';

function bucketLabel(start: number, granularity: UsageWindow['granularity']): string {
  const options: Intl.DateTimeFormatOptions =
    granularity === 'hour' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(i18n.language, options).format(new Date(start));
}

/**
 * A bucket in the tooltip and the table: its start and end in local time
 * ("Dec 6, 2026, 14:00 – 15:00").
 */
function bucketRange(start: number, granularity: UsageWindow['granularity']): string {
  if (granularity === 'day')
    return new Intl.DateTimeFormat(i18n.language, { year: 'numeric', month: 'short', day: 'numeric' }).format(
      new Date(start),
    );
  const end = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(
    new Date(start + bucketSize(granularity)),
  );
  return `${formatDate(start)} – ${end}`;
}

const HEIGHT = 200;
/** Recharts sets tick colours as style properties, so they are given here rather than in CSS. */
const TICK = { fill: 'var(--text-muted)', fontSize: 11 };
const TOOLTIP_STYLE = {
  fontSize: '0.85rem',
  borderColor: 'var(--border-strong)',
  borderRadius: 'var(--radius-small)',
  boxShadow: 'var(--shadow)',
};

/** One bucket of the window: its start (ms) and its requests by outcome. */
type Row = { start: number; counts: Record<string, number>; total: number };

/**
 * Requests per hour or day, stacked by outcome (Recharts), with a legend and a time axis. Keyboard
 * users move through the buckets with the arrow keys (Recharts' accessibility layer, its tooltip
 * is a live region); the same numbers are in a table ("Show as table").
 */
export function UsageChart({ usage, caption }: { usage: UsageWindow; caption: string }) {
  const { t } = useTranslation();
  const tableId = useId();
  const series = orderedSeries(usage.series);
  const counts = new Map<string, Map<number, number>>(
    series.map((s) => [s.outcome, new Map(s.points.map((p) => [Date.parse(p.start), p.count]))]),
  );
  const rows: Row[] = bucketStarts(usage).map((start) => {
    const row: Row = { start, counts: {}, total: 0 };
    for (const s of series) {
      const count = counts.get(s.outcome)?.get(start) ?? 0;
      row.counts[s.outcome] = count;
      row.total += count;
    }
    return row;
  });
  const used = rows.filter((row) => row.total > 0);
  const totals = totalsOf(series);

  const summary = t('usage.summary', {
    admitted: formatNumber(totals.admitted),
    refused: formatNumber(totals.refused),
    period: usage.granularity === 'hour' ? t('usage.last-24h') : t('usage.last-30d'),
  });

  return (
    <div className="usage">
      <dl className="usage-totals">
        <div>
          <dt>{t('usage.admitted')}</dt>
          <dd>{formatNumber(totals.admitted)}</dd>
        </div>
        <div>
          <dt>{t('usage.refused')}</dt>
          <dd>{formatNumber(totals.refused)}</dd>
        </div>
      </dl>
      <BarChart
        className="chart"
        data={rows}
        responsive
        style={{ width: '100%', height: HEIGHT }}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        barCategoryGap="28%"
        accessibilityLayer
        aria-label={`${caption}: ${summary}`}
        aria-describedby={tableId}
      >
        <CartesianGrid vertical={false} />
        <XAxis
          dataKey="start"
          tickFormatter={(start: number) => bucketLabel(start, usage.granularity)}
          interval="preserveStartEnd"
          minTickGap={12}
          tick={TICK}
          tickLine={false}
        />
        <YAxis
          width={40}
          allowDecimals={false}
          tickFormatter={(value: number) => formatNumber(value)}
          tick={TICK}
          axisLine={false}
          tickLine={false}
        />
        <Tooltip
          cursor={{ className: 'chart-cursor' }}
          labelFormatter={(start) => bucketRange(Number(start), usage.granularity)}
          formatter={(count) => formatNumber(Number(count))}
          contentStyle={TOOLTIP_STYLE}
        />
        {series.map((s, k) => (
          <Bar
            key={s.outcome}
            dataKey={`counts.${s.outcome}`}
            name={outcomeLabel(s.outcome)}
            stackId="outcomes"
            fill={outcomeColour(s.outcome, k)}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
      {series.length > 0 ? (
        <ul className="legend" aria-label={t('usage.legend')}>
          {series.map((s, k) => (
            <li key={s.outcome}>
              <svg className="legend-swatch" viewBox="0 0 12 12" aria-hidden="true">
                <rect width="12" height="12" rx="3" fill={outcomeColour(s.outcome, k)} />
              </svg>
              {outcomeLabel(s.outcome)}
              <span className="muted">{formatNumber(s.total)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('usage.none')}</p>
      )}
      <details className="chart-table" id={tableId}>
        <summary>{t('usage.show-table')}</summary>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region needs keyboard access */}
        <section className="table-wrap" tabIndex={0} aria-label={caption}>
          <table>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{usage.granularity === 'hour' ? t('usage.hour') : t('usage.day')}</th>
                {series.map((s) => (
                  <th scope="col" key={s.outcome}>
                    {outcomeLabel(s.outcome)}
                  </th>
                ))}
                <th scope="col">{t('usage.total')}</th>
              </tr>
            </thead>
            <tbody>
              {used.length === 0 ? (
                <tr>
                  <td colSpan={series.length + 2} className="table-empty">
                    {t('usage.none')}
                  </td>
                </tr>
              ) : (
                used.map((row) => (
                  <tr key={row.start}>
                    <th scope="row">
                      <time dateTime={new Date(row.start).toISOString()}>
                        {bucketRange(row.start, usage.granularity)}
                      </time>
                    </th>
                    {series.map((s) => (
                      <td key={s.outcome}>{formatNumber(row.counts[s.outcome] ?? 0)}</td>
                    ))}
                    <td>{formatNumber(row.total)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
      </details>
      {series.some((s) => s.outcome !== ADMITTED) ? <p className="hint">{t('usage.refused-hint')}</p> : null}
    </div>
  );
}

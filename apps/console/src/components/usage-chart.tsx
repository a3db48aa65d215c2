import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../format.ts';
import i18n from '../i18n/index.ts';
import { ADMITTED, bucketSize, bucketStarts, orderedSeries, totalsOf, type UsageWindow } from '../usage.ts';

/** Bar colours keep at least 3:1 against white (WCAG non-text contrast); the legend names each. */
const OUTCOME_COLOURS: Record<string, string> = {
  VALID: '#1b7a43',
  REVOKED: '#b42318',
  EXPIRED: '#8a5a00',
  RATE_LIMITED: '#c2410c',
  INSUFFICIENT_SCOPE: '#6d28d9',
  DISABLED: '#475467',
  ROTATED: '#0e7490',
  OWNER_INACTIVE: '#9d174d',
  IP_NOT_ALLOWED: '#1d4ed8',
  NOT_FOUND: '#57534e',
  MALFORMED: '#3f3f46',
};
const FALLBACK_COLOURS = ['#0f766e', '#a21caf', '#4338ca', '#854d0e'];

export function outcomeColour(outcome: string, index = 0): string {
  return OUTCOME_COLOURS[outcome] ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length] ?? '#3f3f46';
}

/** "Admitted", "Revoked" …; an outcome the console does not know keeps its code. */
export function outcomeLabel(outcome: string): string {
  const key = `usage.outcome.${outcome}`;
  return i18n.exists(key) ? i18n.t(key) : outcome;
}

function bucketLabel(start: number, granularity: UsageWindow['granularity']): string {
  const options: Intl.DateTimeFormatOptions =
    granularity === 'hour' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(i18n.language, options).format(new Date(start));
}

/** The label of a bucket in the table: its start and end in local time ("Dec 6, 2026, 14:00 – 15:00"). */
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

function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(200, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/** A round upper bound for the y axis (1, 2, 5 × 10ⁿ). */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

const HEIGHT = 200;
const MARGIN = { top: 8, right: 8, bottom: 28, left: 40 };

/**
 * Requests per hour or day, stacked by outcome, with a legend and a time axis. The SVG is a
 * picture for the eye; the same numbers are in a table (keyboard: open "Show as table").
 */
export function UsageChart({ usage, caption }: { usage: UsageWindow; caption: string }) {
  const { t } = useTranslation();
  const [ref, width] = useWidth<HTMLDivElement>();
  const tableId = useId();
  const series = orderedSeries(usage.series);
  const starts = bucketStarts(usage);
  const counts = new Map<string, Map<number, number>>(
    series.map((s) => [s.outcome, new Map(s.points.map((p) => [Date.parse(p.start), p.count]))]),
  );
  const bucketTotal = (start: number) =>
    series.reduce((n, s) => n + (counts.get(s.outcome)?.get(start) ?? 0), 0);
  const max = niceMax(Math.max(0, ...starts.map(bucketTotal)));
  const totals = totalsOf(series);

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, starts.length);
  const barWidth = Math.max(1, slot * 0.72);
  const y = (value: number) => MARGIN.top + plotHeight - (value / max) * plotHeight;
  // As many time labels as fit, each about 56 px wide.
  const labelEvery = Math.max(1, Math.ceil(starts.length / Math.max(1, Math.floor(plotWidth / 56))));
  const ticks = [0, max / 2, max];
  const used = starts.filter((s) => bucketTotal(s) > 0);

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
      <div ref={ref}>
        <svg
          className="chart"
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-label={`${caption}: ${summary}`}
          aria-describedby={tableId}
        >
          {ticks.map((tick) => (
            <g key={tick}>
              <line
                className="grid-line"
                x1={MARGIN.left}
                x2={width - MARGIN.right}
                y1={y(tick)}
                y2={y(tick)}
              />
              <text x={MARGIN.left - 6} y={y(tick) + 4} textAnchor="end">
                {formatNumber(tick)}
              </text>
            </g>
          ))}
          {starts.map((start, i) => {
            let base = 0;
            const x = MARGIN.left + i * slot + (slot - barWidth) / 2;
            return (
              <g key={start}>
                {series.map((s, k) => {
                  const count = counts.get(s.outcome)?.get(start) ?? 0;
                  if (count === 0) return null;
                  const top = y(base + count);
                  const height = y(base) - top;
                  base += count;
                  return (
                    <rect
                      key={s.outcome}
                      x={x}
                      y={top}
                      width={barWidth}
                      height={height}
                      fill={outcomeColour(s.outcome, k)}
                    >
                      <title>{`${bucketRange(start, usage.granularity)}: ${outcomeLabel(s.outcome)} ${formatNumber(count)}`}</title>
                    </rect>
                  );
                })}
                {i % labelEvery === 0 ? (
                  <text x={MARGIN.left + i * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle">
                    {bucketLabel(start, usage.granularity)}
                  </text>
                ) : null}
              </g>
            );
          })}
          <line className="axis-line" x1={MARGIN.left} x2={width - MARGIN.right} y1={y(0)} y2={y(0)} />
        </svg>
      </div>
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
                used.map((start) => (
                  <tr key={start}>
                    <th scope="row">
                      <time dateTime={new Date(start).toISOString()}>
                        {bucketRange(start, usage.granularity)}
                      </time>
                    </th>
                    {series.map((s) => (
                      <td key={s.outcome}>{formatNumber(counts.get(s.outcome)?.get(start) ?? 0)}</td>
                    ))}
                    <td>{formatNumber(bucketTotal(start))}</td>
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

/** The "Last 24 hours / Last 30 days" switch above a chart. */
export function GranularitySwitch({
  value,
  onChange,
}: {
  value: UsageWindow['granularity'];
  onChange: (value: UsageWindow['granularity']) => void;
}) {
  const { t } = useTranslation();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="segmented" role="group" aria-label={t('usage.period')}>
      {(['hour', 'day'] as const).map((g) => (
        <button key={g} type="button" aria-pressed={value === g} onClick={() => onChange(g)}>
          {g === 'hour' ? t('usage.last-24h') : t('usage.last-30d')}
        </button>
      ))}
    </div>
  );
}

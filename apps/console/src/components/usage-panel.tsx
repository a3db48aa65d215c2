import { lazy, type ReactNode, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type UsageGranularity, type UsageWindow, useUsage } from '../usage.ts';
import { ErrorBanner } from './error-banner.tsx';
import { GranularitySwitch } from './usage-outcomes.tsx';

// Recharts is most of the console's code: loaded with the first chart, not with every page.
const UsageChart = lazy(() => import('./usage-chart.tsx').then((m) => ({ default: m.UsageChart })));

type UsagePanelProps<T extends UsageWindow> = {
  /** The usage endpoint (a token's or the project's). */
  path: string;
  heading: string;
  headingLevel?: 2 | 3;
  /** More views of the same answer (the busiest tokens, refusals by code). */
  children?: (usage: T) => ReactNode;
};

/** A usage chart with its period switch: the last 24 hours by hour or the last 30 days by day. */
export function UsagePanel<T extends UsageWindow>({
  path,
  heading,
  headingLevel = 2,
  children,
}: UsagePanelProps<T>) {
  const { t } = useTranslation();
  const [granularity, setGranularity] = useState<UsageGranularity>('hour');
  const { data, error, loading } = useUsage<T>(path, granularity);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <>
      <div className="usage-controls">
        <Heading>{heading}</Heading>
        <GranularitySwitch value={granularity} onChange={setGranularity} />
      </div>
      <ErrorBanner error={error} />
      {data ? (
        <>
          <Suspense fallback={<output className="block muted">{t('common.loading')}</output>}>
            <UsageChart usage={data} caption={heading} />
          </Suspense>
          {children?.(data)}
        </>
      ) : loading ? (
        <output className="block muted">{t('common.loading')}</output>
      ) : null}
    </>
  );
}

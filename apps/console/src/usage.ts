import { useEffect, useState } from 'react';
import { api } from './api.ts';

/** The usage answers as the API sends them (GET /v1/tokens/{id}/usage, GET /v1/projects/{id}/usage). */
export type UsageGranularity = 'hour' | 'day';
export type UsageSeries = { outcome: string; total: number; points: { start: string; count: number }[] };
export type UsageWindow = { granularity: UsageGranularity; from: string; to: string; series: UsageSeries[] };
export type BusyToken = {
  token_id: string;
  name: string;
  kind: string;
  total: number;
  admitted: number;
  refused: number;
};
export type ProjectUsageView = UsageWindow & { project_id: string; busiest_tokens: BusyToken[] };

/** The outcome of an admitted request; every other outcome is a refusal. */
export const ADMITTED = 'VALID';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const bucketSize = (granularity: UsageGranularity) => (granularity === 'hour' ? HOUR_MS : DAY_MS);

/** Every bucket of the window, empty ones included, so the time axis has no gaps. */
export function bucketStarts(window: Pick<UsageWindow, 'granularity' | 'from' | 'to'>): number[] {
  const size = bucketSize(window.granularity);
  const starts: number[] = [];
  for (let at = Date.parse(window.from); at < Date.parse(window.to); at += size) starts.push(at);
  return starts;
}

/** The outcomes in display order: admitted first, then refusals, most frequent first. */
export function orderedSeries(series: UsageSeries[]): UsageSeries[] {
  return [...series].sort((a, b) =>
    a.outcome === ADMITTED
      ? -1
      : b.outcome === ADMITTED
        ? 1
        : b.total - a.total || a.outcome.localeCompare(b.outcome),
  );
}

export function totalsOf(series: UsageSeries[]): { admitted: number; refused: number } {
  let admitted = 0;
  let refused = 0;
  for (const s of series) {
    if (s.outcome === ADMITTED) admitted += s.total;
    else refused += s.total;
  }
  return { admitted, refused };
}

type UsageState<T> = { data: T | null; error: unknown; loading: boolean };

/** Loads a usage window (the last 24 hours by hour, or the last 30 days by day). */
export function useUsage<T extends UsageWindow>(path: string | null, granularity: UsageGranularity) {
  const [state, setState] = useState<UsageState<T>>({ data: null, error: null, loading: path !== null });
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>('GET', path, { query: { granularity } }).then(
      (data) => {
        if (!cancelled) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!cancelled) setState({ data: null, error, loading: false });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [path, granularity]);
  return state;
}

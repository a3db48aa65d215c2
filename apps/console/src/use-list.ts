import { type Dispatch, type SetStateAction, useCallback, useEffect, useState } from 'react';
import { api } from './api.ts';

export type ListState<T> = {
  /** null while the first answer is awaited. */
  rows: T[] | null;
  setRows: Dispatch<SetStateAction<T[] | null>>;
  error: unknown;
  setError: (error: unknown) => void;
  reload: () => Promise<void>;
};

/** A whole list from the API (`{ data: [...] }`), loaded once; a refusal is kept for an ErrorBanner. */
export function useList<T>(path: string, enabled = true): ListState<T> {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    if (!enabled) return setRows([]);
    try {
      setRows((await api<{ data: T[] }>('GET', path)).data);
    } catch (e) {
      setError(e);
      setRows((prev) => prev ?? []);
    }
  }, [path, enabled]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { rows, setRows, error, setError, reload };
}

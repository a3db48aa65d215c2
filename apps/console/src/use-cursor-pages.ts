import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from './types.ts';

const appendAll = <T>(prev: T[], next: T[]) => [...prev, ...next];

/**
 * Rows of a cursor-paged list: the first page whenever `load` changes (memoise it on the
 * filters), the next ones on `loadMore`. An answer to a superseded request is dropped.
 * `append` joins a further page to the rows shown; it must be stable (defined at module level).
 */
export function useCursorPages<T>(
  load: (cursor: string | undefined) => Promise<Page<T>>,
  append: (prev: T[], next: T[]) => T[] = appendAll,
) {
  const [rows, setRows] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const res = await load(after ?? undefined);
        if (mine !== generation.current) return;
        setRows((prev) => (after ? append(prev, res.data) : res.data));
        setCursor(res.next_cursor);
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(e);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [load, append],
  );

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage]);

  const loadMore = () => {
    if (cursor) void fetchPage(cursor);
  };

  return { rows, setRows, hasMore: Boolean(cursor), loading, error, setError, loadMore };
}

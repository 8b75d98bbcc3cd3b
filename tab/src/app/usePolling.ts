import { useCallback, useEffect, useRef, useState } from 'react';
import { useVisibleInterval } from './useVisibleInterval';

/** Loads now and every `intervalMs` while mounted and the tab is visible; `reload` fetches at once. */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [at, setAt] = useState<Date | null>(null);
  const [loading, setLoading] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const value = await loadRef.current();
      setData(value);
      setError(null);
      setAt(new Date());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => void reload(), [reload]);
  useVisibleInterval(reload, intervalMs);

  return { data, error, at, loading, reload, setData };
}

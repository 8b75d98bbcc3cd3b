import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallFilter, CallItem, CallsResponse } from '../../../../shared/api/contract';
import type { ApiClient } from '../../api/client';

export const PAGE_SIZE = 100;
/**
 * A page holds the matches among one CloudLink read, so a search or a rare filter can bring back few rows or none.
 * Until the list holds this many (or the history ends) the next page is fetched at once, without waiting for a scroll.
 */
export const FILL_ROWS = 40;

/**
 * The cursor of the next page, or undefined at the end. Only a non-empty string is a cursor: a `null` (JSON from a
 * proxy or another server version) asked again as `cursor=null` and, answered the same, looped without end.
 */
function nextCursorOf(page: CallsResponse): string | undefined {
  const next: unknown = page.nextCursor;
  return typeof next === 'string' && next !== '' ? next : undefined;
}

export interface CallHistoryState {
  items: CallItem[];
  /** The search these items answer (the page may already show newer input while they load). */
  q: string;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
}

/**
 * Pages through /api/me/calls with the server's opaque cursor, to the oldest call the PBX keeps. A new filter or
 * search starts over and answers to older requests are dropped. A call already listed (it can come again when a
 * call that started earlier ended meanwhile and moved the server's pages by one) is not listed twice.
 */
export function useCallHistory(api: ApiClient, filter: CallFilter, q: string) {
  const [state, setState] = useState<CallHistoryState>({
    items: [],
    q,
    status: 'loading',
    error: null,
    hasMore: false,
    loadingMore: false,
  });
  const generation = useRef(0);
  const cursor = useRef<string | undefined>(undefined);
  // Call ids listed so far in this generation; its size is how many rows the list holds.
  const seen = useRef(new Set<string>());
  const fresh = useCallback((items: CallItem[]) => {
    const out = items.filter((c) => !seen.current.has(c.callId));
    for (const c of out) seen.current.add(c.callId);
    return out;
  }, []);

  const loadMore = useCallback(async (): Promise<void> => {
    const from = cursor.current;
    if (from === undefined) return;
    const mine = generation.current;
    cursor.current = undefined; // one page request at a time
    setState((s) => ({ ...s, loadingMore: true, error: null }));
    try {
      const page = await api.calls({ cursor: from });
      if (mine !== generation.current) return;
      cursor.current = nextCursorOf(page);
      const added = fresh(page.items);
      setState((s) => ({
        ...s,
        items: added.length ? [...s.items, ...added] : s.items,
        hasMore: cursor.current !== undefined,
        loadingMore: false,
      }));
      if (cursor.current !== undefined && seen.current.size < FILL_ROWS) await loadMore();
    } catch (error) {
      if (mine !== generation.current) return;
      cursor.current = from;
      setState((s) => ({ ...s, loadingMore: false, error }));
    }
  }, [api, fresh]);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    cursor.current = undefined;
    seen.current = new Set();
    setState({ items: [], q, status: 'loading', error: null, hasMore: false, loadingMore: false });
    try {
      const page = await api.calls({ filter, q, top: PAGE_SIZE });
      if (mine !== generation.current) return;
      cursor.current = nextCursorOf(page);
      setState({
        items: fresh(page.items),
        q,
        status: 'ready',
        error: null,
        hasMore: cursor.current !== undefined,
        loadingMore: false,
      });
      if (cursor.current !== undefined && seen.current.size < FILL_ROWS) await loadMore();
    } catch (error) {
      if (mine === generation.current)
        setState({ items: [], q, status: 'error', error, hasMore: false, loadingMore: false });
    }
  }, [api, filter, q, loadMore, fresh]);

  useEffect(() => void load(), [load]);

  return { ...state, reload: load, loadMore };
}

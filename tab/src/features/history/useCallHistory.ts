import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallFilter, CallItem } from '../../../../shared/api/contract';
import type { ApiClient } from '../../api/client';

export const PAGE_SIZE = 100;

export interface CallHistoryState {
  items: CallItem[];
  /** The search these items answer (the page may already show newer input while they load). */
  q: string;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
}

/** Pages through /api/me/calls; a new filter or search starts over and answers to older requests are dropped. */
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
  const nextSkip = useRef<number | undefined>(undefined);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setState({ items: [], q, status: 'loading', error: null, hasMore: false, loadingMore: false });
    try {
      const page = await api.calls({ filter, q, top: PAGE_SIZE, skip: 0 });
      if (mine !== generation.current) return;
      nextSkip.current = page.nextSkip;
      setState({
        items: page.items,
        q,
        status: 'ready',
        error: null,
        hasMore: page.nextSkip !== undefined,
        loadingMore: false,
      });
    } catch (error) {
      if (mine === generation.current)
        setState({ items: [], q, status: 'error', error, hasMore: false, loadingMore: false });
    }
  }, [api, filter, q]);

  useEffect(() => void load(), [load]);

  const loadMore = useCallback(async () => {
    const skip = nextSkip.current;
    if (skip === undefined) return;
    const mine = generation.current;
    nextSkip.current = undefined; // one page request at a time
    setState((s) => ({ ...s, loadingMore: true, error: null }));
    try {
      const page = await api.calls({ filter, q, top: PAGE_SIZE, skip });
      if (mine !== generation.current) return;
      nextSkip.current = page.nextSkip;
      setState((s) => ({
        ...s,
        items: [...s.items, ...page.items],
        hasMore: page.nextSkip !== undefined,
        loadingMore: false,
      }));
    } catch (error) {
      if (mine !== generation.current) return;
      nextSkip.current = skip;
      setState((s) => ({ ...s, loadingMore: false, error }));
    }
  }, [api, filter, q]);

  return { ...state, reload: load, loadMore };
}

import type { CallFilter } from '../../../shared/api/contract';
import type { ApiClient } from '../api/client';
import { useVisibleInterval } from './useVisibleInterval';

/** A call shows up in the open list within this time, while the tab is visible; a hidden tab asks nothing. */
export const CALLS_REFRESH_MS = 15_000;

/**
 * Keeps an open call list current: while the tab is visible it asks for the newest call of the same filter and
 * search, and reloads the list only when that call is not the one at its top, so an unchanged list is never
 * re-rendered or scrolled. A failed check changes nothing: the list keeps what it shows, and its own loads report
 * errors.
 */
export function useNewCallsRefresh(options: {
  api: ApiClient;
  filter: CallFilter;
  q: string;
  /** The call at the top of the list now; undefined when the list is empty. */
  newestCallId: string | undefined;
  /** Only a list that finished loading is compared; one still loading will be current anyway. */
  ready: boolean;
  reload: () => unknown;
}): void {
  useVisibleInterval(async () => {
    if (!options.ready) return;
    try {
      const page = await options.api.calls({ filter: options.filter, q: options.q, top: 1 });
      const newest = page.items[0]?.callId;
      if (newest !== undefined && newest !== options.newestCallId) await options.reload();
    } catch {
      // Nothing to show: see above.
    }
  }, CALLS_REFRESH_MS);
}

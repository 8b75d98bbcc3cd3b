import { act, screen, waitFor } from '@testing-library/react';
import type { CallItem } from '../../shared/api/contract';
import { CALLS_REFRESH_MS } from '../../tab/src/app/useNewCallsRefresh';
import { me, renderShell } from './harness';

jest.setTimeout(240_000);

const call = (callId: string, name: string, minutesAgo: number): CallItem => ({
  callId,
  direction: 'inbound',
  missed: false,
  number: '+4930123456',
  name,
  startedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  endedAt: new Date(Date.now() - minutesAgo * 60_000 + 30_000).toISOString(),
  durationSeconds: 30,
  ringSeconds: 3,
});

describe('the call list keeps itself current', () => {
  it('shows a new call without switching tabs, and asks nothing while the tab is hidden', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let all = [call('c1', 'Bea Caller', 30)];
      let reads = 0;
      renderShell({
        routes: {
          'GET /api/me': () => ({ body: me() }),
          'GET /api/me/calls': (r) => {
            reads += 1;
            return { body: { items: all.slice(0, Number(r.query.get('top') ?? 100)) } };
          },
        },
      });
      expect(await screen.findByText('Bea Caller')).toBeInTheDocument();

      // Nothing new: the check reads one call and leaves the list alone.
      const before = reads;
      await act(async () => void jest.advanceTimersByTime(CALLS_REFRESH_MS));
      await waitFor(() => expect(reads).toBe(before + 1));

      all = [call('c2', 'Dora Newcall', 0), ...all];
      await act(async () => void jest.advanceTimersByTime(CALLS_REFRESH_MS));
      expect(await screen.findByText('Dora Newcall')).toBeInTheDocument();
      expect(screen.getByText('Bea Caller')).toBeInTheDocument();

      const visibility = jest.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
      act(() => void document.dispatchEvent(new Event('visibilitychange')));
      const hiddenAt = reads;
      await act(async () => void jest.advanceTimersByTime(CALLS_REFRESH_MS * 4));
      expect(reads).toBe(hiddenAt);
      visibility.mockRestore();
    } finally {
      jest.useRealTimers();
    }
  });
});

import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SYNC_REFRESH_MS } from '../../tab/src/features/sync-status/SyncStatusPage';
import { me, renderShell, syncStatus } from './harness';

/** What a browser's fetch does when the server is down: it rejects with a TypeError, not an HTTP answer. */
const serverDown = () => {
  throw new TypeError('Failed to fetch');
};

describe('the sync page as people meet it', () => {
  it('with the server down shows one message in the user’s words, no "All good", and a retry that recovers', async () => {
    let up = false;
    renderShell({
      page: 'sync',
      context: { locale: 'de-DE' },
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => (up ? { body: syncStatus() } : serverDown()),
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihr Sync-Status kann nicht angezeigt werden.');
    expect(alert).toHaveTextContent(/nicht erreichbar/);
    expect(document.body.textContent).not.toMatch(/TypeError|Failed to fetch|Something went wrong/);
    expect(screen.queryByText(/Alles in Ordnung/)).toBeNull();
    expect(screen.getAllByRole('alert')).toHaveLength(1);

    up = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Erneut versuchen' }));
    expect(await screen.findByText(/Alles in Ordnung/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('before both sides were read it says the first sync is awaited, not "All good", until it has happened', async () => {
    let status = syncStatus({ pbx: null, lastAssertion: null, lastSyncAt: null });
    const routes = {
      'GET /api/me': () => ({ body: me() }),
      'GET /api/me/sync': () => ({ body: status }),
      'POST /api/me/sync': () => ({ body: (status = syncStatus()) }),
    };
    const en = renderShell({ page: 'sync', routes });
    expect(
      await screen.findByText('Not synced yet: waiting for the first sync of your Teams and phone status.'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/All good/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(await screen.findByText(/^All good/)).toBeInTheDocument();
    expect(screen.queryByText(/Not synced yet/)).toBeNull();
    en.unmount();

    // Teams read but the phone not yet: still waiting, in German too.
    status = syncStatus({ pbx: null, lastSyncAt: null });
    renderShell({ page: 'sync', routes, context: { locale: 'de-DE' } });
    expect(
      await screen.findByText(
        'Noch nicht abgeglichen: Warten auf den ersten Abgleich Ihres Teams- und Telefonstatus.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Alles in Ordnung/)).toBeNull();
  });

  it('shows Graph presence and the call state in words, in English and German', async () => {
    const status = syncStatus({
      teams: { availability: 'BeRightBack', activity: 'BeRightBack', at: new Date().toISOString() },
      pbx: { callState: 'idle', dnd: false, statusText: null, at: null },
      lastAssertion: { side: 'teams', what: 'cleared our session', at: new Date().toISOString() },
    });
    const routes = { 'GET /api/me': () => ({ body: me() }), 'GET /api/me/sync': () => ({ body: status }) };
    const en = renderShell({ page: 'sync', routes });
    expect(await screen.findByText('Be right back')).toBeInTheDocument();
    expect(screen.getByText('Not on a call')).toBeInTheDocument();
    expect(screen.getByText('Switchboard’s status in Teams removed')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/BeRightBack|idle|cleared our session/);
    en.unmount();

    renderShell({ page: 'sync', routes, context: { locale: 'de-DE' } });
    expect(await screen.findByText('Bin gleich zurück')).toBeInTheDocument();
    expect(screen.getByText('Kein Gespräch')).toBeInTheDocument();
  });

  it('"Sync now" shows that it runs and then when it finished; "Last sync" reads as a relative time', async () => {
    let finish: () => void = () => undefined;
    const lastSyncAt = new Date(Date.now() - 42_000).toISOString();
    renderShell({
      page: 'sync',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => ({ body: syncStatus({ lastSyncAt }) }),
        'POST /api/me/sync': () =>
          new Promise((resolve) => {
            finish = () => resolve({ body: syncStatus({ lastSyncAt: new Date().toISOString() }) });
          }),
      },
    });
    expect(await screen.findByText(/Last sync: 4\d seconds ago \(/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    const running = await screen.findByRole('button', { name: /Syncing/ });
    expect(running).toBeDisabled();
    act(() => finish());
    expect(await screen.findByText(/^Synced at \d{1,2}:\d{2}:\d{2}\s?[AP]M\.$/)).toBeInTheDocument();
    expect(screen.getByText(/Last sync: now/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeEnabled();
  });

  it('refreshes by itself while the tab is visible, and not while it is hidden', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let reads = 0;
      renderShell({
        page: 'sync',
        routes: {
          'GET /api/me': () => ({ body: me() }),
          'GET /api/me/sync': () => {
            reads += 1;
            return {
              body: syncStatus(
                reads > 1 ? { pbx: { callState: 'ringing', dnd: false, statusText: null, at: null } } : {},
              ),
            };
          },
        },
      });
      expect(await screen.findByText('On a call')).toBeInTheDocument();
      await act(async () => void jest.advanceTimersByTime(SYNC_REFRESH_MS));
      expect(await screen.findByText('Ringing')).toBeInTheDocument();

      const visibility = jest.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
      act(() => void document.dispatchEvent(new Event('visibilitychange')));
      const hiddenAt = reads;
      await act(async () => void jest.advanceTimersByTime(SYNC_REFRESH_MS * 3));
      expect(reads).toBe(hiddenAt);
      visibility.mockReturnValue('visible');
      act(() => void document.dispatchEvent(new Event('visibilitychange')));
      await waitFor(() => expect(reads).toBe(hiddenAt + 1));
      visibility.mockRestore();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('a sync problem the server wrote, in the reader’s language', () => {
  const routesFor = (problem: import('../../shared/api/contract').Problem) => ({
    'GET /api/me': () => ({ body: me() }),
    'GET /api/me/sync': () => ({ body: syncStatus({ problem }) }),
  });

  it('shows a refused write and its fix in German in a German tab; Graph’s own words stay as Graph wrote them', async () => {
    renderShell({
      page: 'sync',
      context: { locale: 'de-DE' },
      routes: routesFor({
        message: 'Microsoft Graph refused: Insufficient privileges to complete the operation.',
        fix: 'Grant admin consent for Presence.ReadWrite.All and Presence.Read.All (application) in Entra ID. Switchboard tries again every 15 minutes.',
        messageText: {
          code: 'sync.refused',
          params: { system: 'Microsoft Graph', detail: 'Insufficient privileges to complete the operation.' },
        },
        fixText: { code: 'fix.retriesEvery', params: { fix: { code: 'fix.graphConsent' }, minutes: 15 } },
      }),
    });
    expect(
      await screen.findByText(
        'Microsoft Graph hat abgelehnt: Insufficient privileges to complete the operation.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Erteilen Sie in Entra ID die Administratorzustimmung für Presence.ReadWrite.All und Presence.Read.All (Anwendung). Switchboard versucht es alle 15 Minuten erneut.',
      ),
    ).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/refused|Grant admin consent|tries again/);
  });

  it('shows a problem stored before codes existed as it was written, and a newer server’s unknown code in its English', async () => {
    const old = renderShell({
      page: 'sync',
      context: { locale: 'de-DE' },
      routes: routesFor({
        message: 'Microsoft Graph is throttling',
        fix: 'See the trace for details.',
        fixText: { code: 'fix.seeTrace' },
      }),
    });
    expect(await screen.findByText('Microsoft Graph is throttling')).toBeInTheDocument();
    expect(screen.getByText('Die Einzelheiten stehen im Verlauf.')).toBeInTheDocument();
    old.unmount();

    renderShell({
      page: 'sync',
      context: { locale: 'de-DE' },
      routes: routesFor({
        message: 'The phone system is being upgraded.',
        fix: 'Wait for the upgrade to finish.',
        messageText: { code: 'sync.pbxUpgrading' },
        fixText: { code: 'fix.retriesEvery', params: { fix: { code: 'fix.waitForUpgrade' }, minutes: 5 } },
      }),
    });
    expect(await screen.findByText('The phone system is being upgraded.')).toBeInTheDocument();
    expect(screen.getByText('Wait for the upgrade to finish.')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/sync\.pbxUpgrading|fix\.waitForUpgrade|\{fix\}/);
  });
});

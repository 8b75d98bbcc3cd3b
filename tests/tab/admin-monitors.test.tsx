import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { MonitorView } from '../../shared/api/contract';
import { me, quietHealth, renderShell } from './harness';

const monitor = (over: Partial<MonitorView> = {}): MonitorView => ({
  monitorId: 'm1',
  username: 'monitor1@contoso.example',
  state: 'new',
  userCount: 0,
  subscriptionExpiresAt: null,
  passwordExpiresAt: null,
  lastError: null,
  ...over,
});

/** After "Authorize": the sign-in worked, or the server answered with the monitor failed and why. */
const AUTHORIZED: Partial<MonitorView> = { state: 'active', userCount: 10 };

function monitorServer(initial: MonitorView[], afterAuthorize: Partial<MonitorView> = AUTHORIZED) {
  let items = initial;
  let releaseAuthorize: () => void = () => undefined;
  const deletes: string[] = [];
  const routes = {
    'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
    'GET /api/admin/health': () => ({ body: quietHealth }),
    'GET /api/admin/problems': () => ({ body: { items: [] } }),
    'GET /api/admin/monitors': () => ({ body: { items, needed: 1, syncedUsers: 10 } }),
    'POST /api/admin/monitors/m1/authorize': () =>
      new Promise<{ body: MonitorView }>((resolve) => {
        releaseAuthorize = () => {
          items = items.map((m) => (m.monitorId === 'm1' ? { ...m, ...afterAuthorize } : m));
          resolve({ body: items[0]! });
        };
      }),
    'DELETE /api/admin/monitors/m1': () => {
      deletes.push('m1');
      items = items.filter((m) => m.monitorId !== 'm1');
      return { status: 204 };
    },
  };
  return { routes, deletes, releaseAuthorize: () => releaseAuthorize() };
}

async function openMonitors(locale = 'en-US', afterAuthorize?: Partial<MonitorView>) {
  const server = monitorServer([monitor()], afterAuthorize);
  renderShell({ routes: server.routes, context: { locale } });
  await userEvent.click(
    await screen.findByRole('tab', { name: locale === 'de-DE' ? 'Verwaltung' : 'Admin' }),
  );
  await userEvent.click(
    await screen.findByRole(
      'tab',
      { name: locale === 'de-DE' ? 'Presence-Monitore' : 'Presence monitors' },
      { timeout: 5000 },
    ),
  );
  await screen.findAllByTestId('monitor-row');
  return server;
}

// Fluent in jsdom beside the rest of the suite on 2 cores: one of these tests took 48 s alone and ran past 60 s in a
// clean CI run. The limit guards against a hang, not speed (the config's comment says so).
jest.setTimeout(180_000);

describe('presence monitors', () => {
  it('asks before deleting, deletes nothing on Cancel, and removes the monitor after confirming', async () => {
    const server = await openMonitors();
    await userEvent.click(screen.getByRole('button', { name: 'Delete monitor1@contoso.example' }));
    // Fluent's focus trap marks the surface aria-hidden in jsdom while it settles (no layout, no animation end);
    // the browser test finds it by role as a screen reader does.
    const dialog = await screen.findByRole('dialog', { hidden: true });
    expect(dialog).toHaveTextContent('Delete the monitor monitor1@contoso.example?');
    await userEvent.click(within(dialog).getByText('Cancel', { selector: 'button' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    expect(server.deletes).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Delete monitor1@contoso.example' }));
    await userEvent.click(
      within(await screen.findByRole('dialog', { hidden: true })).getByText('Delete', { selector: 'button' }),
    );
    expect(await screen.findByText('monitor1@contoso.example: deleted.')).toBeInTheDocument();
    expect(server.deletes).toEqual(['m1']);
    expect(screen.queryAllByTestId('monitor-row')).toHaveLength(0);
  });

  it('"Authorize" shows that it runs, then the result and the new state, in words', async () => {
    const server = await openMonitors();
    const row = screen.getByTestId('monitor-row');
    expect(within(row).getByText('Not authorized yet')).toBeInTheDocument();
    expect(row).not.toHaveTextContent(/\bnew\b/);
    await userEvent.click(within(row).getByRole('button', { name: 'Authorize monitor1@contoso.example' }));
    expect(await screen.findByText('Working…')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Renew monitor1@contoso.example' })).toBeDisabled();
    server.releaseAuthorize();
    expect(
      await screen.findByText('monitor1@contoso.example: authorized. State now: Active.'),
    ).toBeInTheDocument();
    expect(within(screen.getByTestId('monitor-row')).getByText('Active')).toBeInTheDocument();
    expect(screen.queryByText('Working…')).toBeNull();
  });

  it('"Authorize" that ends with the monitor failed says it did not work, and why, never "authorized"', async () => {
    const reason = 'Entra refused the sign-in: the user name or password is wrong.';
    const server = await openMonitors('en-US', { state: 'failed', lastError: reason });
    await userEvent.click(screen.getByRole('button', { name: 'Authorize monitor1@contoso.example' }));
    server.releaseAuthorize();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      `monitor1@contoso.example: Authorize did not work. State now: Failed. ${reason}`,
    );
    expect(screen.queryByText(/authorized\./)).toBeNull();
  });

  it('says in German what the state is', async () => {
    await openMonitors('de-DE');
    expect(within(screen.getByTestId('monitor-row')).getByText('Noch nicht autorisiert')).toBeInTheDocument();
  });
});

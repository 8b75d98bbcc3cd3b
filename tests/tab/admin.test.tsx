import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobView, MonitorsResponse } from '../../shared/api/contract';
import { me, renderShell, quietHealth } from './harness';

const health = quietHealth;
const adminRoutes = {
  'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
  'GET /api/admin/health': () => ({ body: health }),
  'GET /api/admin/problems': () => ({ body: { items: [] } }),
};

async function openSection(name: string) {
  await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
  // The admin pages are a lazily loaded chunk: the first import takes a moment.
  await userEvent.click(await screen.findByRole('tab', { name }, { timeout: 5000 }));
}

describe('admin pages', () => {
  it('runs the configuration check with live progress and shows each failure with its fix', async () => {
    let polls = 0;
    const step = (state: string, extra = {}) => ({
      id: 'graph',
      title: 'Graph permissions granted',
      state,
      ...extra,
    });
    const job = (over: Partial<JobView>): JobView => ({
      jobId: 'j1',
      kind: 'configurationCheck',
      state: 'running',
      done: 0,
      total: 2,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      ...over,
    });
    renderShell({
      routes: {
        ...adminRoutes,
        'POST /api/admin/check': () => ({
          status: 202,
          body: job({
            steps: [
              { id: 'token', title: 'App token', state: 'running' },
              step('pending'),
            ] as JobView['steps'],
          }),
        }),
        'GET /api/admin/jobs/j1': () => {
          polls += 1;
          return polls < 2
            ? {
                body: job({
                  done: 1,
                  steps: [
                    { id: 'token', title: 'App token', state: 'passed' },
                    step('running'),
                  ] as JobView['steps'],
                }),
              }
            : {
                body: job({
                  state: 'succeeded',
                  done: 2,
                  summary: '1 of 2 checks failed; each names its fix.',
                  steps: [
                    { id: 'token', title: 'App token', state: 'passed' },
                    step('failed', {
                      detail: 'Presence.ReadWrite.All is missing',
                      fix: 'Grant admin consent in Entra ID.',
                    }),
                  ] as JobView['steps'],
                }),
              };
        },
      },
    });
    await openSection('Configuration check');
    await userEvent.click(screen.getByRole('button', { name: 'Run configuration check' }));
    expect(await screen.findByText('Checking… 0 of 2')).toBeInTheDocument();
    expect(
      await screen.findByText('Grant admin consent in Entra ID.', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('Presence.ReadWrite.All is missing')).toBeInTheDocument();
    expect(screen.getByText('1 of 2 checks failed; each names its fix.')).toBeInTheDocument();
  });

  it('starts a resync, and a thorough one that re-reads every phone only when asked', async () => {
    const bodies: unknown[] = [];
    const job = (over: Partial<JobView>): JobView => ({
      jobId: 'r1',
      kind: 'resyncAll',
      state: 'succeeded',
      done: 40,
      total: 40,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      ...over,
    });
    renderShell({
      routes: {
        ...adminRoutes,
        'POST /api/admin/resync-all': (r) => {
          bodies.push(r.body);
          return { status: 202, body: job({ summary: `run ${bodies.length}` }) };
        },
      },
    });
    await openSection('Sync all');
    await userEvent.click(screen.getByRole('button', { name: 'Sync all users now' }));
    expect(await screen.findByText('run 1')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('checkbox', { name: /read every phone again/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Sync all users now' }));
    expect(await screen.findByText('run 2')).toBeInTheDocument();
    expect(bodies).toEqual([{ readEveryPbx: false }, { readEveryPbx: true }]);
  });

  it('shows how many monitor accounts are needed and warns when there are too few', async () => {
    const monitors: MonitorsResponse = {
      items: [
        {
          monitorId: 'm1',
          username: 'monitor1@contoso.example',
          state: 'active',
          userCount: 650,
          subscriptionExpiresAt: null,
          passwordExpiresAt: null,
          lastError: null,
        },
      ],
      needed: 2,
      syncedUsers: 900,
    };
    renderShell({ routes: { ...adminRoutes, 'GET /api/admin/monitors': () => ({ body: monitors }) } });
    await openSection('Presence monitors');
    expect(
      await screen.findByText('2 monitor account(s) needed for 900 synced users (each watches up to 650).'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Add 1 more monitor account/)).toBeInTheDocument();
    expect(screen.getByText('monitor1@contoso.example').closest('td')).toBeInTheDocument();
  });

  it('shows each CloudLink subscription with its state, and says when this server is on standby', async () => {
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({
          body: {
            ...health,
            cloudlinkSubscriptions: [
              {
                topic: 'platform-api-presence',
                subscriptionId: 's1',
                state: 'active',
                since: '2026-03-01T10:00:00.000Z',
                problem: null,
              },
              {
                topic: 'platform-api-media',
                subscriptionId: null,
                state: 'failed',
                since: null,
                problem: 'CloudLink refused the subscription: 403',
              },
            ],
            syncOwnership: {
              state: 'standby',
              detail: 'Another Switchboard process owns this tenant’s sync.',
            },
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    const list = await screen.findByRole('list', { name: 'CloudLink subscriptions' }, { timeout: 5000 });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent(/Phone presence: active since/);
    expect(items[1]).toHaveTextContent(
      'Calls (missed-call notices, call state): not subscribed: CloudLink refused the subscription: 403',
    );
    expect(
      screen.getByText(/This server does not run the presence sync: Another Switchboard process owns/),
    ).toBeInTheDocument();
  });

  it('lists recent problems in German by their event, with German field names; an unknown event as logged', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: {
        ...adminRoutes,
        'GET /api/admin/problems': () => ({
          body: {
            items: [
              {
                at: '2026-12-02T08:00:01.000Z',
                level: 'error',
                event: 'credentials.refused',
                message: "Entra ID refused the app's secret",
                detail: {
                  service: 'entra',
                  operation: 'token.client_credentials',
                  status: 401,
                  code: 'AADSTS7000215',
                },
              },
              {
                at: '2026-12-02T08:00:00.000Z',
                level: 'warn',
                event: 'something.new',
                message: 'a line from a newer server',
                detail: { requestId: 'r-1' },
              },
            ],
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
    const list = await screen.findByRole('list', { name: 'Letzte Probleme' }, { timeout: 5000 });
    // The list is there before the problems are loaded: wait for its items.
    const [refused, unknown] = await within(list).findAllByRole('listitem', {}, { timeout: 5000 });
    expect(refused).toHaveTextContent(/^Fehler .*: Entra ID hat eine Tokenanfrage abgelehnt\./);
    expect(refused).toHaveTextContent(
      'Dienst: Entra ID · Vorgang: token.client_credentials · Status: 401 · Code: AADSTS7000215',
    );
    expect(refused).not.toHaveTextContent(/refused the app|service:|operation:/);
    expect(unknown).toHaveTextContent(/^Warnung .*: a line from a newer server Anfrage-ID: r-1$/);
  });

  it('counts the presence subscriptions by monitor state in words, in German too, not raw tokens', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({ body: { ...health, subscriptions: { active: 1, standby: 1 } } }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
    expect(await screen.findByText('Aktiv: 1, In Reserve: 1', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByText(/active: 1|standby/)).toBeNull();
  });

  it('says how Teams presence reaches the phones: hybrid with its sweep time and budget share', async () => {
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({
          body: {
            ...health,
            teamsReads: { mode: 'hybrid', intervalMs: 1200, readsPer30s: 240, budgetShare: 0.178 },
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    expect(
      await screen.findByText(
        'Notifications and reads: everyone is read every 1.2 seconds, using 17.8% of the Graph budget',
        undefined,
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
  });

  it('names a refused secret with its fix, and lists the recent problems the server logged', async () => {
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({
          body: {
            ...health,
            credentialProblems: [
              {
                service: 'entra',
                code: 'AADSTS7000215',
                secretSavedAt: '2026-12-01T09:00:00.000Z',
                since: '2026-12-02T08:00:00.000Z',
                message: 'The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215.',
                fix: 'Create a new client secret in Entra ID and save it on the tenant link page.',
              },
            ],
          },
        }),
        'GET /api/admin/problems': () => ({
          body: {
            items: [
              {
                at: '2026-12-02T08:00:01.000Z',
                level: 'warn',
                event: 'outbound.refused',
                message: 'graph setPresence was refused (404 NotFound)',
                detail: {
                  service: 'graph',
                  operation: 'setPresence',
                  status: 404,
                  code: 'NotFound',
                  durationMs: 4,
                },
              },
            ],
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    expect(
      await screen.findByText(
        'The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215. Create a new client secret in Entra ID and save it on the tenant link page.',
        undefined,
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Recent problems' });
    const [item] = await within(list).findAllByRole('listitem', {}, { timeout: 5000 });
    expect(item).toHaveTextContent(/^Warning .*: Microsoft Graph refused a call\./);
    expect(item).toHaveTextContent(
      'service: Microsoft Graph · operation: setPresence · status: 404 · code: NotFound',
    );
    expect(item).not.toHaveTextContent('durationMs');
  });

  it('says in German which secret was refused, why the phone feed is not subscribed and that this server stands by', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({
          body: {
            ...health,
            credentialProblems: [
              {
                service: 'entra',
                code: 'AADSTS7000215',
                secretSavedAt: '2026-12-01T09:00:00.000Z',
                since: '2026-12-02T08:00:00.000Z',
                message: 'The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215.',
                fix: "Switchboard's app secret was refused by Entra ID: create a new client secret in Entra ID (App registrations > Certificates & secrets) and save it on the tenant link page.",
                messageText: {
                  code: 'secret.refusedSavedOn',
                  params: {
                    date: { date: '2026-12-01T09:00:00.000Z' },
                    system: 'Entra',
                    code: 'AADSTS7000215',
                  },
                },
                fixText: { code: 'fix.signIn.appCredentials' },
              },
            ],
            cloudlinkSubscriptions: [
              {
                topic: 'platform-api-presence',
                subscriptionId: null,
                state: 'failed',
                since: null,
                problem: 'CloudLink refused the subscription: 403 Forbidden',
                problemText: {
                  code: 'health.cloudlinkSubscriptionRefused',
                  params: { detail: '403 Forbidden' },
                },
              },
            ],
            syncOwnership: {
              state: 'standby',
              detail:
                "Another Switchboard process owns this tenant's sync; this one is on standby and takes over if it stops.",
              detailText: { code: 'health.standby' },
            },
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
    const refused = await screen.findByText(/^Das am 01\.12\.2026 gespeicherte Geheimnis/, undefined, {
      timeout: 5000,
    });
    expect(refused).toHaveTextContent(
      'Das am 01.12.2026 gespeicherte Geheimnis wurde von Entra abgelehnt: AADSTS7000215. Entra ID hat das App-Geheimnis von Switchboard abgelehnt',
    );
    expect(
      screen.getByText('nicht abonniert: CloudLink hat das Abonnement abgelehnt: 403 Forbidden'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^Dieser Server führt den Präsenzabgleich nicht aus: Ein anderer Switchboard-Prozess/),
    ).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/was refused by|refused the subscription|on standby/);
  });

  it('warns before the app secret expires', async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/health': () => ({ body: { ...health, secretExpiresAt: soon } }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    expect(
      await screen.findByText(/The app secret expires on .* \(10 days\)/, {}, { timeout: 5000 }),
    ).toBeInTheDocument();
  });

  it('says a secret that expires within a day as today or tomorrow, in German too, never "(0 days)"', async () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const shown = async (expiresAt: string) => {
      const view = renderShell({
        context: { locale: 'de-DE' },
        routes: {
          ...adminRoutes,
          'GET /api/admin/health': () => ({ body: { ...health, secretExpiresAt: expiresAt } }),
        },
      });
      await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
      const text = (await screen.findByText(/Der App-Schlüssel läuft/, {}, { timeout: 5000 })).textContent;
      view.unmount();
      return text;
    };
    // Today's last minute, UTC: the calendar day the check counts by.
    const endOfToday = new Date();
    endOfToday.setUTCHours(23, 59, 0, 0);
    expect(await shown(endOfToday.toISOString())).toMatch(/^Der App-Schlüssel läuft heute ab/);
    expect(await shown(at(86_400_000 + (endOfToday.getTime() - Date.now())))).toMatch(/läuft morgen ab/);
    expect(document.body.textContent).not.toMatch(/\(0 Tage\)|\(1 Tage\)/);
  });
});

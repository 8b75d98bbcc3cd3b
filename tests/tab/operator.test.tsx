import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { OperatorTenant, OperatorTenantsResponse } from '../../shared/api/operator';
import { me, renderShell, type Route } from './harness';

/**
 * The operator view in the tab (hosted mode, issue 16): the hosting provider's operators see every organisation with
 * its health; a user of the provider's tenant that is no customer sees that page only; nobody else sees it.
 */
const northwind: OperatorTenant = {
  tenantId: '3e1a5c7d-9b2f-4d6e-8a1c-5f7b9d3e1a20',
  displayName: 'Northwind Traders',
  state: 'active',
  onboardedAt: '2026-11-02T09:00:00.000Z',
  onboardedBy: 'admin-consent',
  offboardedAt: null,
  offboardedBy: null,
  health: {
    sync: 'owner',
    cluster: { syncRunsOn: 'switchboard-1:4711:ab12cd34', servedBy: 3, servers: 3 },
    cloudlinkLinked: true,
    monitors: { total: 2, active: 1, failed: 1 },
    lastError: { code: 'credentials.refused', at: '2026-12-01T08:30:00.000Z' },
    configurationCheck: {
      state: 'succeeded',
      failedSteps: 1,
      warningSteps: 2,
      at: '2026-12-01T08:00:00.000Z',
    },
  },
};
const fabrikam: OperatorTenant = {
  tenantId: '8c2e4a6f-1d3b-4f5a-9e7c-2b4d6f8a0c30',
  // Graph's name could not be read yet: the id stands in for it.
  displayName: '8c2e4a6f-1d3b-4f5a-9e7c-2b4d6f8a0c30',
  state: 'offboarded',
  onboardedAt: '2026-10-01T09:00:00.000Z',
  onboardedBy: 'admin-consent',
  offboardedAt: '2026-11-30T17:00:00.000Z',
  offboardedBy: 'Dana from operations',
  health: {
    sync: 'notOpen',
    cluster: { syncRunsOn: null, servedBy: 0, servers: 3 },
    cloudlinkLinked: false,
    monitors: { total: 0, active: 0, failed: 0 },
    lastError: null,
    configurationCheck: null,
  },
};

const tenants =
  (items: OperatorTenant[]): Route =>
  () => ({
    body: { items } satisfies OperatorTenantsResponse,
  });
const operator = me({ isOperator: true, customerTenant: false });
const rows = async () => screen.findAllByTestId('tenant-row', {}, { timeout: 10_000 });
const cellsOf = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('the operator view', () => {
  it("opens on the organisations for an operator of the provider's tenant, with no customer pages", async () => {
    const { seen } = renderShell({
      routes: {
        'GET /api/me': () => ({ body: operator }),
        'GET /api/operator/tenants': tenants([northwind, fabrikam]),
      },
    });
    const [first, second] = await rows();
    expect(screen.getByRole('tab', { name: 'Operator', selected: true })).toBeInTheDocument();
    for (const name of ['Calls', 'My sync status', 'Report a problem', 'Settings', 'Admin'])
      expect(screen.queryByRole('tab', { name })).not.toBeInTheDocument();
    // The tab asked for nothing a customer page needs: the server would refuse it.
    expect(
      seen.map((r) => r.path).filter((p) => p.startsWith('/api/me/') || p.startsWith('/api/admin')),
    ).toEqual([]);

    const a = cellsOf(first!);
    expect(a[0]).toBe('Northwind Traders3e1a5c7d-9b2f-4d6e-8a1c-5f7b9d3e1a20');
    expect(a.slice(1)).toEqual([
      'Active',
      expect.stringMatching(/2026.* by admin-consent$/),
      '–',
      'Runningruns on switchboard-1:4711:ab12cd34; served by 3 of 3 servers',
      'Linked',
      '1 of 2 active, 1 failed',
      expect.stringMatching(/^credentials\.refused \(.*2026.*\)$/),
      expect.stringMatching(/^1 failed, 2 warnings \(.*2026.*\)$/),
    ]);
    const b = cellsOf(second!);
    // A name that is still the id is shown once.
    expect(b[0]).toBe(fabrikam.tenantId);
    expect(b.slice(1)).toEqual([
      'Offboarded',
      expect.stringMatching(/ by admin-consent$/),
      expect.stringMatching(/ by Dana from operations$/),
      'Not served hereserved by 0 of 3 servers',
      'Not linked',
      'None',
      'None',
      'Never run',
    ]);
  });

  it('speaks German in a German Teams', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: {
        'GET /api/me': () => ({ body: operator }),
        'GET /api/operator/tenants': tenants([northwind]),
      },
    });
    const [row] = await rows();
    expect(screen.getByRole('tab', { name: 'Betrieb', selected: true })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Präsenzabgleich' })).toBeInTheDocument();
    expect(cellsOf(row!).slice(1, 2)).toEqual(['Aktiv']);
    expect(cellsOf(row!)[6]).toBe('1 von 2 aktiv, 1 fehlgeschlagen');
    expect(cellsOf(row!)[4]).toBe('Läuftläuft auf switchboard-1:4711:ab12cd34; von 3 der 3 Server bedient');
  });

  it('says when no server runs the sync of an organisation that has CloudLink linked', async () => {
    renderShell({
      routes: {
        'GET /api/me': () => ({ body: operator }),
        'GET /api/operator/tenants': tenants([
          {
            ...northwind,
            health: {
              ...northwind.health,
              sync: 'standby',
              cluster: { syncRunsOn: null, servedBy: 2, servers: 2 },
            },
          },
        ]),
      },
    });
    const [row] = await rows();
    expect(cellsOf(row!)[4]).toBe(
      'Standby (another server runs it)no server runs it; served by 2 of 2 servers',
    );
  });

  it('reloads on Refresh and says what failed', async () => {
    let calls = 0;
    renderShell({
      routes: {
        'GET /api/me': () => ({ body: operator }),
        'GET /api/operator/tenants': () =>
          ++calls === 1
            ? { body: { items: [northwind] } }
            : {
                status: 503,
                body: { error: { code: 'keys_unavailable', message: 'Signing keys unavailable.' } },
              },
      },
    });
    await rows();
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Switchboard has a problem on its side');
    expect(calls).toBe(2);
    // What was read before stays on screen beside the problem.
    expect(screen.getAllByTestId('tenant-row')).toHaveLength(1);
  });

  it('is an extra tab for an operator whose tenant is also a customer, and absent for everyone else', async () => {
    const both = renderShell({
      routes: {
        'GET /api/me': () => ({ body: me({ isOperator: true, isAdmin: true }) }),
        'GET /api/me/calls': () => ({ body: { items: [] } }),
        'GET /api/operator/tenants': tenants([northwind]),
      },
    });
    expect(await screen.findByRole('tab', { name: 'Calls', selected: true })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Admin' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: 'Operator' }));
    await rows();
    both.unmount();

    const { seen } = renderShell({
      page: 'operator',
      routes: {
        'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
        'GET /api/me/calls': () => ({ body: { items: [] } }),
      },
    });
    // Asked for the operator page, a customer's admin gets the calls, and the tab never asks for the tenants.
    expect(await screen.findByRole('tab', { name: 'Calls', selected: true })).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Operator' })).not.toBeInTheDocument();
    expect(seen.some((r) => r.path.startsWith('/api/operator'))).toBe(false);
  });
});

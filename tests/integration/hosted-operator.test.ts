import { HOSTING_PARTNER, OPERATOR_ROLE } from '../../emulators/seed/hosted';
import { PRESENCE_READ_ROLE, type SeededCompany } from '../../emulators/seed/demo';
import { operatorTenantsResponse, type OperatorTenant } from '../../shared/api/operator';
import { api, linkAndMonitor, onboard, ssoToken, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * The operator view (issue 16): the hosting provider's staff holding Switchboard.Operator in the provider's own
 * tenant (OPERATOR_TENANT_ID) list every registry tenant with its health. Nobody else does: not the provider's other
 * staff, not a customer's admin, not even one whose own tenant granted them a role of that name. The provider's
 * tenant is no customer: its operators get /api/me and the operator view, and every customer route refuses them.
 */
let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;

const partnerToken = (userId: string) =>
  world.emulators.entra.mintTeamsSsoToken({
    tenantId: world.hosted.provider.tenantId,
    userId,
    clientId: world.hosted.provider.clientId,
  });
const operatorToken = () => partnerToken(world.hosted.provider.operatorId);

/** An app of the provider's own tenant holding the presence-read role of the provider's registration. */
async function partnerReaderToken(): Promise<string> {
  const { directory, entra } = world.emulators;
  const reader = directory.addApp(HOSTING_PARTNER.tenantId, {
    displayName: 'Partner monitoring',
    secrets: [{ id: 'partner-reader', value: 'partner-reader-secret', expiresAt: Date.now() + 86_400_000 }],
  });
  directory.registration(world.hosted.provider.clientId)!.roleAssignmentsToApps[reader.clientId] = [
    PRESENCE_READ_ROLE,
  ];
  const res = await fetch(entra.tokenEndpoint(HOSTING_PARTNER.tenantId), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: reader.clientId,
      client_secret: 'partner-reader-secret',
      scope: `${world.hosted.provider.appIdUri}/.default`,
    }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function listed(): Promise<Map<string, OperatorTenant>> {
  const res = await api(world, 'GET', '/api/operator/tenants', await operatorToken());
  expect(res.status).toBe(200);
  return new Map(operatorTenantsResponse.parse(res.body).items.map((t) => [t.tenantId, t]));
}

beforeAll(async () => {
  world = await startHostedWorld({ users: 4, env: { OPERATOR_TENANT_ID: HOSTING_PARTNER.tenantId } });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  await onboard(world, northwind);
  await linkAndMonitor(world, northwind);
  await onboard(world, fabrikam);
}, 90_000);
afterAll(async () => {
  await world?.close();
});

describe('the operator view', () => {
  it('lists every tenant with its health for an operator of the provider tenant', async () => {
    expect(world.config.operatorTenantId).toBe(world.hosted.provider.tenantId);
    await eventually(async () => {
      expect((await listed()).get(northwind.tenantId)?.health).toMatchObject({
        sync: 'owner',
        cloudlinkLinked: true,
        monitors: { total: 1, active: 1, failed: 0 },
      });
    }, 20_000);
    const tenants = await listed();
    expect([...tenants.keys()].sort()).toEqual([northwind.tenantId, fabrikam.tenantId].sort());
    expect(tenants.get(northwind.tenantId)).toMatchObject({ state: 'active', onboardedBy: 'admin-consent' });
    // Named as Graph names the organisation (read once each tenant opened), not by its id.
    await eventually(async () =>
      expect([...(await listed()).values()].map((t) => t.displayName).sort()).toEqual([
        'Fabrikam',
        'Northwind Traders',
      ]),
    );
    // Fabrikam signed up but has not linked CloudLink: no sync, no monitors, no check run.
    // Across the servers (one here): Northwind's sync runs on the holder of its lease; both are served.
    // The server is named as its registry word names it, which is also its part of the lease holder's name.
    const [server] = await world.app.store.tenantRegistry().readers();
    const lease = await world.app.store.getLease(northwind.tenantId, 'sync');
    expect(lease!.holder.startsWith(`${server!.processId}/`)).toBe(true);
    expect(tenants.get(northwind.tenantId)!.health.cluster).toEqual({
      syncRunsOn: server!.processId,
      servedBy: 1,
      servers: 1,
    });
    expect(tenants.get(fabrikam.tenantId)!.health).toEqual({
      sync: 'off',
      cluster: { syncRunsOn: null, servedBy: 1, servers: 1 },
      cloudlinkLinked: false,
      monitors: { total: 0, active: 0, failed: 0 },
      lastError: null,
      configurationCheck: null,
    });
  });

  it("shows the customer admin's newest configuration check", async () => {
    const job = await api(world, 'POST', '/api/admin/check', await ssoToken(world, northwind, 'admin'));
    expect(job.status).toBe(202);
    const checkOf = async () => (await listed()).get(northwind.tenantId)!.health.configurationCheck;
    await eventually(async () => expect((await checkOf())?.state).toBe('succeeded'), 30_000);
    // The job's own steps, as the admin page shows them, are what the operator's counts say.
    const steps = (
      await api(
        world,
        'GET',
        `/api/admin/jobs/${String(job.body.jobId)}`,
        await ssoToken(world, northwind, 'admin'),
      )
    ).body.steps as { state: string }[];
    expect(await checkOf()).toMatchObject({
      failedSteps: steps.filter((s) => s.state === 'failed').length,
      warningSteps: steps.filter((s) => s.state === 'warning').length,
    });
    expect(Date.parse((await checkOf())!.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("shows the code and time of a tenant's newest error, not a newer warning nor its message", async () => {
    const at = Date.parse('2026-12-02T08:00:00Z');
    // As the process's log tap records them (a hosted server started by bot/main.ts has one).
    await world.app.store.appendEvents([
      {
        tenantId: northwind.tenantId,
        at,
        level: 'error',
        event: 'credentials.refused',
        message: 'Entra ID refused the secret saved on 2026-11-01 for Northwind',
        detail: { service: 'entra', code: 'AADSTS7000215' },
      },
      {
        tenantId: northwind.tenantId,
        at: at + 60_000,
        level: 'warn',
        event: 'outbound.retried',
        message: 'a retried call',
        detail: {},
      },
    ]);
    const res = await api(world, 'GET', '/api/operator/tenants', await operatorToken());
    const seen = operatorTenantsResponse
      .parse(res.body)
      .items.find((t) => t.tenantId === northwind.tenantId)!;
    expect(seen.health.lastError).toEqual({ code: 'credentials.refused', at: '2026-12-02T08:00:00.000Z' });
    // The customer's own words and details stay on its admin page.
    expect(res.text).not.toContain('Entra ID refused the secret');
    expect(res.text).not.toContain('AADSTS7000215');
    expect((await listed()).get(fabrikam.tenantId)!.health.lastError).toBeNull();
  });

  it('tells the tab who is an operator, and keeps the provider tenant out of every customer route', async () => {
    const me = await api(world, 'GET', '/api/me', await operatorToken());
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      tenantId: world.hosted.provider.tenantId,
      isOperator: true,
      isAdmin: false,
      customerTenant: false,
    });
    for (const path of ['/api/me/sync', '/api/me/calls', '/api/admin/users', '/api/admin/tenant']) {
      const res = await api(world, 'GET', path, await operatorToken());
      expect(`${path} ${res.status} ${String((res.body.error as { code?: string })?.code)}`).toBe(
        `${path} 403 tenant_not_onboarded`,
      );
    }
    // Nor does another system of the provider's read presence: its tenant has none here.
    const presence = await api(
      world,
      'GET',
      `/api/presence?ids=${northwind.users[0]!.entraId}`,
      await partnerReaderToken(),
    );
    expect(presence.status).toBe(403);
    expect(presence.body.error).toMatchObject({ code: 'tenant_not_onboarded' });
    const customer = await api(world, 'GET', '/api/me', await ssoToken(world, northwind, 'admin'));
    expect(customer.body.user).toMatchObject({ isOperator: false, isAdmin: true, customerTenant: true });
  });

  it("refuses the provider's staff without the role and every customer's admin, even one holding a role of that name", async () => {
    const staff = await api(
      world,
      'GET',
      '/api/operator/tenants',
      await partnerToken(world.hosted.provider.staffId),
    );
    // The provider's tenant is no customer: to its staff without the role it is like any organisation not served.
    expect(staff.status).toBe(403);
    expect(staff.body.error).toMatchObject({ code: 'tenant_not_onboarded' });
    const staffMe = await api(world, 'GET', '/api/me', await partnerToken(world.hosted.provider.staffId));
    expect(staffMe.body.error).toMatchObject({ code: 'tenant_not_onboarded' });
    expect(staff.text).not.toContain(northwind.tenantId);

    const admin = northwind.users.find((u) => u.isAdmin)!;
    const user = world.emulators.directory.tenant(northwind.tenantId)!.users.get(admin.entraId)!;
    user.appRoles[world.hosted.provider.clientId] = [
      ...(user.appRoles[world.hosted.provider.clientId] ?? []),
      OPERATOR_ROLE,
    ];
    const customerAdmin = await api(
      world,
      'GET',
      '/api/operator/tenants',
      await ssoToken(world, northwind, 'admin'),
    );
    expect(customerAdmin.status).toBe(403);
    expect(customerAdmin.body.error).toMatchObject({ code: 'operator_required' });
    expect(customerAdmin.text).not.toContain(fabrikam.tenantId);
    const unsigned = await fetch(`${world.app.baseUrl}/api/operator/tenants`);
    expect(unsigned.status).toBe(401);
  });

  it('shows an offboarded tenant with when and by whom, no longer served', async () => {
    await world.app.store
      .tenantRegistry()
      .offboard(fabrikam.tenantId, Date.parse('2026-12-01T10:00:00Z'), 'ops:olivia');
    await eventually(
      async () => expect((await listed()).get(fabrikam.tenantId)!.health.sync).toBe('notOpen'),
      10_000,
    );
    expect((await listed()).get(fabrikam.tenantId)).toMatchObject({
      state: 'offboarded',
      offboardedAt: '2026-12-01T10:00:00.000Z',
      offboardedBy: 'ops:olivia',
    });
    // The server said at its next registry read that it let go of it.
    await eventually(
      async () =>
        expect((await listed()).get(fabrikam.tenantId)!.health.cluster).toEqual({
          syncRunsOn: null,
          servedBy: 0,
          servers: 1,
        }),
      10_000,
    );
  });
});

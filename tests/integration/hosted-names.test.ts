import { SWITCHBOARD_PERMISSIONS, type SeededCompany } from '../../emulators/seed/demo';
import { onboard, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * Tenant display names in hosted mode (issue 16): admin consent names a tenant by id only; once the tenant opens,
 * the server reads its organisation's name from Graph with the tenant's own app token and records it in the
 * registry. A read that fails keeps the id as the name, is logged, and is tried again later.
 */
let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;

const RETRY_MS = 300;
const events = (event: string, tenantId: string) =>
  world.lines.filter((l) => l.event === event && l.tenantId === tenantId);
const nameOf = async (tenantId: string) =>
  (await world.app.store.tenantRegistry().get(tenantId))?.displayName;
const organizationReads = () =>
  world.emulators.graph.control.requests().filter((r) => /\/organization(\?|$)/.test(r.path));

beforeAll(async () => {
  world = await startHostedWorld({ users: 2, tenantNameRetryMs: RETRY_MS });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
}, 30_000);
afterAll(async () => {
  await world?.close();
});

describe('tenant display names', () => {
  it("records the organisation's name on onboarding, after Graph failed the first read", async () => {
    // Graph is down for the first read (every retry of it): the tenant keeps its id as its name, for now.
    world.emulators.graph.control.setFaults({ failNext: { count: 4, status: 503 } });
    expect(await onboard(world, northwind)).toContain('Your organisation is set up');
    await eventually(
      () => expect(events('tenant.nameReadFailed', northwind.tenantId)).toHaveLength(1),
      10_000,
    );
    expect(events('tenant.nameReadFailed', northwind.tenantId)[0]).toMatchObject({
      status: 503,
      retryInMs: RETRY_MS,
    });
    expect(await nameOf(northwind.tenantId)).toBe(northwind.tenantId);

    // The next try reads it.
    await eventually(async () => expect(await nameOf(northwind.tenantId)).toBe('Northwind Traders'), 10_000);
    expect(events('tenant.named', northwind.tenantId)).toEqual([
      expect.objectContaining({ displayName: 'Northwind Traders', previous: northwind.tenantId }),
    ]);
    // With the tenant's own token: Graph saw the hosted app in Northwind's tenant.
    expect(organizationReads().at(-1)).toMatchObject({ status: 200, appId: world.hosted.provider.clientId });
  });

  it('keeps the id as the name while the permission is not consented, and says why', async () => {
    // Fabrikam's admin consented at Entra to Switchboard's permissions without Organization.Read.All, and the
    // tenant was registered (as by another process's callback): this process opens it at its next refresh.
    world.emulators.directory.grantAdminConsent(fabrikam.tenantId, world.hosted.provider.clientId, {
      application: [...SWITCHBOARD_PERMISSIONS.application],
      delegated: [...SWITCHBOARD_PERMISSIONS.delegated],
      by: fabrikam.globalAdminId,
      at: world.emulators.clock.now(),
    });
    await world.app.store
      .tenantRegistry()
      .onboard(fabrikam.tenantId, fabrikam.tenantId, Date.now(), 'admin-consent');
    await eventually(
      () => expect(events('tenant.nameReadFailed', fabrikam.tenantId).length).toBeGreaterThan(1),
      10_000,
    );
    expect(events('tenant.nameReadFailed', fabrikam.tenantId)[0]).toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    // Tried again less often each time.
    const waits = events('tenant.nameReadFailed', fabrikam.tenantId).map((l) => l.retryInMs as number);
    expect(waits.slice(0, 2)).toEqual([RETRY_MS, RETRY_MS * 2]);
    expect(await nameOf(fabrikam.tenantId)).toBe(fabrikam.tenantId);
    expect(events('tenant.named', fabrikam.tenantId)).toEqual([]);
    // Northwind's name is untouched by Fabrikam's failures.
    expect(await nameOf(northwind.tenantId)).toBe('Northwind Traders');
  });

  it('stops trying once the tenant is offboarded', async () => {
    await world.app.store.tenantRegistry().offboard(fabrikam.tenantId, Date.now(), 'ops');
    await eventually(() => expect(world.app.tenants.get(fabrikam.tenantId)).toBeUndefined(), 10_000);
    const failures = events('tenant.nameReadFailed', fabrikam.tenantId).length;
    const reads = organizationReads().length;
    // Several retry periods later: no read of Fabrikam's name, no new failure.
    await new Promise((r) => setTimeout(r, RETRY_MS * 8));
    expect(events('tenant.nameReadFailed', fabrikam.tenantId).length).toBe(failures);
    expect(organizationReads().length).toBe(reads);
  });
});

import type { DemoUser, SeededCompany } from '../../emulators/seed/demo';
import { linkAndMonitor, onboard, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * Hosted mode's Graph notifications reach the one tenant whose monitor holds the subscription, and its clientState is
 * checked there: a post that mixes one tenant's subscription with another tenant's secret, tenant id or people moves
 * nobody's phone. Real subscriptions at the Graph emulator, real phones at the CloudLink emulator.
 */
let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;

beforeAll(async () => {
  world = await startHostedWorld({ users: 4 });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  for (const company of [northwind, fabrikam]) {
    await onboard(world, company);
    await linkAndMonitor(world, company);
  }
  await eventually(() => {
    for (const company of [northwind, fabrikam]) expect(subscriptionOf(company)).toBeDefined();
  }, 15_000);
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const subscriptionOf = (company: SeededCompany) =>
  world.emulators.graph.control
    .subscriptions()
    .find((s) => s.tenantId === company.tenantId && !s.paused && s.userIds.length > 0);
const staff = (company: SeededCompany) => company.users.filter((u) => !u.isAdmin);
/** Presence reads at the Graph emulator, by any tenant. */
const presenceReads = () => world.emulators.graph.control.requests().filter((r) => /presence/i.test(r.path));
const phone = (u: DemoUser) => world.emulators.cloudlink.pbx.presentity(u.principalId);

/** A change notification as Graph sends one, with whatever subscription, secret, tenant and user it is given. */
async function notify(item: {
  subscriptionId: string;
  clientState?: string;
  tenantId: string;
  userId: string;
}) {
  const res = await fetch(`${world.app.baseUrl}/api/notifications/graph`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      value: [
        {
          subscriptionId: item.subscriptionId,
          clientState: item.clientState,
          changeType: 'updated',
          tenantId: item.tenantId,
          resource: `communications/presences('${item.userId}')`,
          resourceData: { id: item.userId, '@odata.type': '#Microsoft.Graph.presence' },
        },
      ],
    }),
  });
  return res.status;
}

describe('hosted Graph notifications', () => {
  it("routes each tenant's own notifications to its sync", async () => {
    const [n1] = staff(northwind);
    const [f1] = staff(fabrikam);
    for (const u of [n1!, f1!]) world.emulators.graph.control.teams(u.entraId, 'signIn', 'desktop');
    await eventually(() => {
      expect(phone(n1!)).toMatchObject({ status: 'available' });
      expect(phone(f1!)).toMatchObject({ status: 'available' });
    }, 15_000);
    world.emulators.graph.control.teams(n1!.entraId, 'joinMeeting');
    world.emulators.graph.control.teams(f1!.entraId, 'joinMeeting');
    await eventually(() => {
      expect(phone(n1!)).toMatchObject({ status: 'dnd' });
      expect(phone(f1!)).toMatchObject({ status: 'dnd' });
    }, 15_000);
  });

  it("refuses one tenant's subscription carrying another tenant's secret, tenant or people", async () => {
    const a = subscriptionOf(northwind)!;
    const b = subscriptionOf(fabrikam)!;
    const n2 = staff(northwind).find((u) => a.userIds.includes(u.entraId) && u !== staff(northwind)[0])!;
    const f2 = staff(fabrikam).find((u) => b.userIds.includes(u.entraId) && u !== staff(fabrikam)[0])!;
    const forged = [
      // A's subscription with B's secret, about A's own person.
      { subscriptionId: a.id, clientState: b.clientState, tenantId: northwind.tenantId, userId: n2.entraId },
      // A's subscription and secret, naming B's person and B's tenant.
      { subscriptionId: a.id, clientState: a.clientState, tenantId: fabrikam.tenantId, userId: f2.entraId },
      // A's subscription and secret, naming B's person under A's tenant.
      { subscriptionId: a.id, clientState: a.clientState, tenantId: northwind.tenantId, userId: f2.entraId },
      // A's subscription and secret, about A's person, claiming to be B's tenant.
      { subscriptionId: a.id, clientState: a.clientState, tenantId: fabrikam.tenantId, userId: n2.entraId },
      // B's subscription with A's secret, about B's person.
      { subscriptionId: b.id, clientState: a.clientState, tenantId: fabrikam.tenantId, userId: f2.entraId },
      // No subscription anyone holds.
      {
        subscriptionId: 'f0f0f0f0-0000-4000-8000-000000000000',
        clientState: a.clientState,
        tenantId: northwind.tenantId,
        userId: n2.entraId,
      },
    ];
    // Nothing changes in Teams from here: in notifications mode only an accepted notification makes a tenant read.
    await new Promise((r) => setTimeout(r, 500));
    const readsBefore = presenceReads().length;
    for (const item of forged) expect(await notify(item)).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect(presenceReads().slice(readsBefore)).toEqual([]);
    const dropped = world.lines.filter((l) => l.event === 'graph.notificationDropped');
    expect(dropped.length).toBe(4);
    // Nothing of either tenant's secrets or ids in what the server logged about them.
    for (const secret of [a.clientState!, b.clientState!, a.id, b.id])
      expect(JSON.stringify(dropped)).not.toContain(secret);

    // The same posts with everything of one tenant do make that tenant read: what was refused above would have counted.
    expect(
      await notify({
        subscriptionId: a.id,
        clientState: a.clientState,
        tenantId: northwind.tenantId,
        userId: n2.entraId,
      }),
    ).toBe(202);
    await eventually(() => expect(presenceReads().slice(readsBefore).length).toBe(1));
    expect(
      await notify({
        subscriptionId: b.id,
        clientState: b.clientState,
        tenantId: fabrikam.tenantId,
        userId: f2.entraId,
      }),
    ).toBe(202);
    await eventually(() => expect(presenceReads().slice(readsBefore).length).toBe(2));
  });

  it('answers the validation handshake without asking any tenant', async () => {
    const res = await fetch(`${world.app.baseUrl}/api/notifications/graph?validationToken=abc%20123`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('abc 123');
  });
});

import type { SeededCompany } from '../../emulators/seed/demo';
import { SecretBox } from '../../shared/platform/secret-box';
import { createLogger } from '../../shared/platform/logger';
import { offboardTenant, type OffboardOutcome } from '../../scripts/tenants/offboard';
import { api, onboard, SECRET_KEY, ssoToken, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { startConnector, type Connector } from './bot-harness';
import { eventually } from './real-time';

/**
 * Offboarding deletes a tenant's data only once no server serves it any more. Each hosted server says, after every
 * registry read that worked, which tenants it serves; a server that cannot read the registry serves no tenant once
 * its last read is older than the stale limit (the API answers 503 registry_unavailable), so the offboarding need
 * not wait for it longer than that. A server that reads the registry but still lists the tenant keeps the data.
 * The stale limit is 1.5 s here (30 s in a deployment).
 */
const STALE_MS = 1500;

let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector();
  world = await startHostedWorld({ users: 4, registryStaleMs: STALE_MS });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  for (const company of [northwind, fabrikam]) await onboard(world, company);
}, 60_000);
afterAll(async () => {
  await world?.close();
  await connector?.close();
});

/** What the bot answers a member of the company who sends it a message. */
async function botReplies(company: SeededCompany): Promise<string[]> {
  const userId = company.users[1]!.entraId;
  const sentBefore = connector.sent.length;
  await fetch(`${world.app.baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `activity-${Math.random()}`,
      text: 'status',
      locale: 'en-US',
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: { id: `29:${userId}`, name: 'Someone', aadObjectId: userId },
      recipient: { id: '28:switchboard', name: 'Switchboard' },
      conversation: { id: `a:${userId}`, conversationType: 'personal', tenantId: company.tenantId },
      channelData: { tenant: { id: company.tenantId } },
    }),
  });
  return connector.sent.slice(sentBefore).map((r) => String(r.body.text ?? ''));
}

function offboard(tenantId: string): Promise<OffboardOutcome & { kind: 'offboarded' }> {
  return offboardTenant({
    config: world.config,
    store: world.app.store,
    secretBox: new SecretBox(SECRET_KEY),
    logger: createLogger('silent'),
    tenantId,
    by: 'test operator',
    now: Date.now,
    force: false,
    registryStaleMs: STALE_MS,
    leaseWaitMs: 2000,
    progress: () => undefined,
  }) as Promise<OffboardOutcome & { kind: 'offboarded' }>;
}

const meStatus = async (company: SeededCompany) => {
  const res = await api(world, 'GET', '/api/me', await ssoToken(world, company, 'user'));
  return { status: res.status, code: (res.body.error as { code?: string } | undefined)?.code };
};

const events = () => world.lines.map((l) => l.event);

it('a server that cannot read the registry serves no tenant after the stale limit, and the offboarding goes on', async () => {
  expect(await meStatus(fabrikam)).toEqual({ status: 200, code: undefined });
  const registry = world.app.store.tenantRegistry();
  const list = registry.list.bind(registry);
  registry.list = () => Promise.reject(new Error('connection to the database lost'));
  try {
    const started = Date.now();
    const outcome = await offboard(northwind.tenantId);
    // It waited for the server's last word to go stale, since that word still listed Northwind.
    expect(Date.now() - started).toBeGreaterThanOrEqual(STALE_MS - 500);
    expect(outcome.left).toEqual([]);
    expect(outcome.dataDeleted).toBe(true);

    // Meanwhile the server serves nobody: an outage of ours, said as one, not "your organisation has not set up".
    expect(await meStatus(fabrikam)).toEqual({ status: 503, code: 'registry_unavailable' });
    expect(await meStatus(northwind)).toEqual({ status: 503, code: 'registry_unavailable' });
    // The bot says the same to Fabrikam's people, not that their organisation never signed up.
    expect(await botReplies(fabrikam)).toEqual([
      'Switchboard is unavailable for a moment on our side. Please try again in a minute.',
    ]);
    expect(events()).toContain('tenant.registryStale');
  } finally {
    registry.list = list;
  }
  // Once it reads the registry again, Fabrikam is served and Northwind is told it is not set up.
  await eventually(async () => expect(await meStatus(fabrikam)).toEqual({ status: 200, code: undefined }), 10_000);
  expect(await meStatus(northwind)).toEqual({ status: 403, code: 'tenant_not_onboarded' });
  expect(events()).toContain('tenant.registryFresh');
}, 60_000);

it('a server that reads the registry but still serves the tenant keeps its data, and a later run finishes', async () => {
  const registry = world.app.store.tenantRegistry();
  // Another server, which reads the registry but cannot close Fabrikam (its sync will not stop, say).
  const stuck = () =>
    registry.recordReader({ processId: 'stuck-server', serving: [fabrikam.tenantId], readAt: Date.now() });
  await stuck();
  const keepSaying = setInterval(() => void stuck(), 200);
  let first: Awaited<ReturnType<typeof offboard>>;
  try {
    first = await offboard(fabrikam.tenantId);
  } finally {
    clearInterval(keepSaying);
  }
  expect(first.dataDeleted).toBe(false);
  expect(first.left.join('\n')).toMatch(/server stuck-server still serves the tenant, so nothing was deleted/);
  expect(await world.app.store.getTenant(fabrikam.tenantId)).toBeDefined();

  // The stuck server's word goes stale (it serves nothing by then); the second run deletes the data.
  const second = await offboard(fabrikam.tenantId);
  expect(second).toMatchObject({ markedNow: false, dataDeleted: true, left: [] });
  expect(await world.app.store.getTenant(fabrikam.tenantId)).toBeUndefined();
}, 60_000);

it('a customer that signs up again while it is being offboarded keeps its data', async () => {
  await onboard(world, northwind);
  await eventually(async () => expect(await meStatus(northwind)).toEqual({ status: 200, code: undefined }), 10_000);
  const registry = world.app.store.tenantRegistry();
  // A server slow to let go holds the offboarding in its wait; meanwhile the customer's admin signs up again.
  const slow = () =>
    registry.recordReader({ processId: 'slow-server', serving: [northwind.tenantId], readAt: Date.now() });
  await slow();
  const keepSaying = setInterval(() => void slow(), 200);
  const running = offboard(northwind.tenantId);
  await eventually(async () => expect((await registry.get(northwind.tenantId))?.state).toBe('offboarded'));
  await onboard(world, northwind);
  clearInterval(keepSaying);
  await registry.forgetReader('slow-server');
  const outcome = await running;

  expect(outcome.dataDeleted).toBe(false);
  expect(outcome.left.join('\n')).toMatch(/signed up again while it was being offboarded/);
  expect(await registry.get(northwind.tenantId)).toMatchObject({ state: 'active' });
  expect(await world.app.store.getTenant(northwind.tenantId)).toBeDefined();
  expect(await meStatus(northwind)).toEqual({ status: 200, code: undefined });
}, 60_000);

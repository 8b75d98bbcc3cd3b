import { SyncMetricsSink } from '../../shared/sync';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedHostedDemo, type HostedDemo } from '../../emulators/seed/hosted';
import { loadConfig } from '../../shared/config/load';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../../shared/domain/selection';
import { createLogger } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { syncFacade } from '../../bot/services/sync-facade';
import { TenantNotActiveError, TenantRuntimes } from '../../bot/services/tenant-runtimes';

/**
 * Hosted mode's tenants in one process, against the emulators with the hosted demo's two consented customers: each
 * registry tenant gets its own runtime with its own tokens, Graph and CloudLink, and offboarding closes one without
 * touching the other.
 */
let emulators: Emulators;
let hosted: HostedDemo;
let store: Store;
let runtimes: TenantRuntimes;
const box = new SecretBox(Buffer.alloc(32, 9));
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  emulators = await startEmulators();
  hosted = seedHostedDemo(emulators, {
    publicBaseUrl: 'http://127.0.0.1:3978',
    consented: true,
    users: 4,
    callsPerUser: 0,
  });
  store = await openStore('sqlite::memory:');
  const config = loadConfig({
    PORT: '0',
    SYNC_MODE: 'polling',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3978',
    GRAPH_BASE_URL: emulators.graph.baseUrl,
    AUTHORITY_HOST: emulators.entra.baseUrl,
    CLOUDLINK_API_BASE: hosted.companies[0]!.cloudlink.apiBase,
  });
  runtimes = new TenantRuntimes({
    config,
    store,
    secretBox: box,
    logger: createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) }),
    now: Date.now,
    metricsSink: new SyncMetricsSink(),
    app: {
      clientId: hosted.provider.clientId,
      clientSecret: hosted.provider.clientSecret,
      clientSecretExpiresAt: hosted.provider.clientSecretExpiresAt,
    },
    defaults: { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
    processId: 'test-process',
  });
});
afterAll(async () => {
  await runtimes.closeAll();
  await store.close();
  await emulators.close();
});

const upnsOf = async (tenantId: string) => {
  const upns: string[] = [];
  for await (const u of runtimes.get(tenantId)!.runtime.graph.listUsers()) upns.push(u.userPrincipalName);
  return upns;
};

describe('tenant runtimes', () => {
  it("opens every active registry tenant with the partner's app and its own tokens, Graph and documents", async () => {
    const [northwind, fabrikam] = hosted.companies;
    await store.tenantRegistry().onboard(northwind!.tenantId, 'Northwind', 1, 'admin-consent');
    await store.tenantRegistry().onboard(fabrikam!.tenantId, 'Fabrikam', 1, 'admin-consent');
    await runtimes.refresh();
    expect(runtimes.ids()).toEqual([northwind!.tenantId, fabrikam!.tenantId].sort());
    // The link was seeded from the partner's app, sealed; no CloudLink yet, so no sync.
    const link = await store.getTenant(northwind!.tenantId);
    expect(link).toMatchObject({
      clientId: hosted.provider.clientId,
      cloudlink: null,
      displayName: 'Northwind',
    });
    expect(box.open(link!.clientSecretSealed!)).toBe(hosted.provider.clientSecret);
    expect(runtimes.get(northwind!.tenantId)!.runtime.tenantSync).toBeUndefined();

    // Each tenant's Graph reads with a token of that tenant: its own directory only.
    const a = await upnsOf(northwind!.tenantId);
    const b = await upnsOf(fabrikam!.tenantId);
    expect(a.length).toBeGreaterThan(0);
    expect(a.every((upn) => upn.endsWith(`@${northwind!.domain}`))).toBe(true);
    expect(b.every((upn) => upn.endsWith(`@${fabrikam!.domain}`))).toBe(true);
    // A second refresh opens nothing twice.
    await runtimes.refresh();
    expect(lines.filter((l) => l.event === 'tenant.opened')).toHaveLength(2);
  });

  it("starts one tenant's sync when its admin links CloudLink, posting to a webhook address naming that tenant", async () => {
    const [northwind, fabrikam] = hosted.companies;
    const link = (await store.getTenant(northwind!.tenantId))!;
    await store.putTenant({
      ...link,
      cloudlink: {
        accountId: northwind!.cloudlink.accountId,
        clientId: northwind!.cloudlink.clientId,
        clientSecretSealed: box.seal(northwind!.cloudlink.clientSecret),
        clientSecretSavedAt: 2,
      },
      updatedAt: 2,
    });
    await runtimes.reloadLinks();
    const a = runtimes.get(northwind!.tenantId)!.runtime;
    expect(a.tenantSync).toBeDefined();
    expect(runtimes.get(fabrikam!.tenantId)!.runtime.tenantSync).toBeUndefined();
    // Its CloudLink subscriptions post to an address that names the tenant (and carries its key).
    const subscriptions = async () =>
      emulators.cloudlink.control.subscriptions(northwind!.cloudlink.accountId);
    for (let i = 0; i < 100 && (await subscriptions()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    const urls = (await subscriptions()).map((sub) => new URL(sub.deviceId));
    expect(urls.length).toBe(2);
    for (const url of urls) {
      expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3978/api/notifications/cloudlink');
      expect(url.searchParams.get('tenant')).toBe(northwind!.tenantId);
      expect(url.searchParams.get('key')).toMatch(/.{20,}/);
    }
    expect(emulators.cloudlink.control.subscriptions(fabrikam!.cloudlink.accountId)).toEqual([]);
    const emails = (await a.cloudlink!.listUsers()).map((u) => u.email);
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((e) => e?.endsWith(`@${northwind!.domain}`))).toBe(true);

    // The facade takes the tenant from the map: the linked tenant works, the other is told to link first.
    const facade = syncFacade({
      tenants: (id) => runtimes.get(id)?.runtime.tenantSync,
      store,
      secretBox: box,
      logger: createLogger('silent'),
      now: Date.now,
    });
    expect((await facade.health(northwind!.tenantId)).credentialProblems).toEqual([]);
    await expect(facade.health(fabrikam!.tenantId)).rejects.toMatchObject({ code: 'tenant_not_linked' });
  });

  it('closes an offboarded tenant at the next refresh and leaves the other running', async () => {
    const [northwind, fabrikam] = hosted.companies;
    const kept = runtimes.get(northwind!.tenantId);
    await store.tenantRegistry().offboard(fabrikam!.tenantId, 3, 'operator:test');
    await runtimes.refresh();
    expect(runtimes.ids()).toEqual([northwind!.tenantId]);
    expect(runtimes.get(fabrikam!.tenantId)).toBeUndefined();
    expect(runtimes.get(northwind!.tenantId)).toBe(kept);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'tenant.closed', tenantId: fabrikam!.tenantId }),
    );
  });

  it('an open that finds the tenant offboarded by then serves nothing, having said first that it would', async () => {
    const [, fabrikam] = hosted.companies;
    const registry = store.tenantRegistry();
    const record = registry.recordReader.bind(registry);
    const said: string[][] = [];
    registry.recordReader = (reader) => (said.push(reader.serving), record(reader));
    try {
      await expect(runtimes.open(fabrikam!.tenantId)).rejects.toThrow(TenantNotActiveError);
    } finally {
      registry.recordReader = record;
    }
    expect(runtimes.get(fabrikam!.tenantId)).toBeUndefined();
    // An offboarding marked between the two would have waited for it.
    expect(said.some((serving) => serving.includes(fabrikam!.tenantId))).toBe(true);
  });

  it('a registry read begun before a sign-up does not close the tenant the sign-up opened', async () => {
    const [, fabrikam] = hosted.companies;
    const registry = store.tenantRegistry();
    const list = registry.list.bind(registry);
    // The read sees the registry as it was (Fabrikam offboarded) but answers only after Fabrikam signed up again.
    const before = await list();
    let answer!: () => void;
    registry.list = () => new Promise((resolve) => (answer = () => resolve(before)));
    try {
      const reading = runtimes.refresh();
      await registry.onboard(fabrikam!.tenantId, 'Fabrikam', 4, 'admin-consent');
      await runtimes.open(fabrikam!.tenantId); // what the sign-up's callback does
      answer();
      await reading;
    } finally {
      registry.list = list;
    }
    expect(runtimes.ids()).toContain(fabrikam!.tenantId);
    // What the process last said it serves names Fabrikam, so an offboarding would wait for it.
    const [said] = await registry.readers();
    expect(said?.serving).toContain(fabrikam!.tenantId);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { openStore } from '../../shared/store/open';
import { TENANT_DATA_TABLES, TENANT_TABLES_KEPT } from '../../shared/store/tenant-data';
import type { Store } from '../../shared/ports/store';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A store, and a raw view of every table that has a tenant_id column: rows per tenant. */
interface Backend {
  open(): Promise<Store>;
  rowsPerTable(tenantId: string): Promise<Record<string, number>>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
  const file = join(dir, 'switchboard.sqlite');
  return {
    open: () => openStore(`sqlite:${file}`),
    async rowsPerTable(tenantId) {
      const db = new Database(file, { readonly: true });
      try {
        const tables = (
          db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
            name: string;
          }[]
        ).map((t) => t.name);
        const out: Record<string, number> = {};
        for (const t of tables) {
          const cols = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[];
          if (!cols.some((c) => c.name === 'tenant_id')) continue;
          out[t] = (
            db.prepare(`SELECT count(*) AS n FROM ${t} WHERE tenant_id = ?`).get(tenantId) as { n: number }
          ).n;
        }
        return out;
      } finally {
        db.close();
      }
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  const schema = `registry_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  return {
    open: () => openStore(`${PG_URL}?schema=${schema}`),
    rowsPerTable: (tenantId) =>
      admin(async (c) => {
        const tables = await c.query(
          "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'tenant_id'",
          [schema],
        );
        const out: Record<string, number> = {};
        for (const { table_name: t } of tables.rows as { table_name: string }[]) {
          const r = await c.query(`SELECT count(*) AS n FROM ${schema}.${t} WHERE tenant_id = $1`, [
            tenantId,
          ]);
          out[t] = Number(r.rows[0].n);
        }
        return out;
      }),
    dispose: () => admin(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
  };
}

/** One row in every table a tenant owns, written the way the product writes them. */
async function fillTenant(store: Store, tenantId: string): Promise<void> {
  const at = 1_700_000_000_000;
  await store.putTenant({
    tenantId,
    displayName: tenantId,
    clientId: 'c',
    clientSecretSealed: null,
    clientSecretExpiresAt: null,
    clientSecretSavedAt: null,
    cloudlink: null,
    settings: {},
    updatedAt: at,
  });
  await store.putMonitor({
    tenantId,
    monitorId: 'm1',
    username: 'm@x',
    passwordSealed: 'v1:x',
    passwordExpiresAt: null,
    state: 'active',
    subscriptionId: `sub-${tenantId}`,
    subscriptionExpiresAt: at,
    userIds: ['u1'],
    clientState: 'cs',
    lastError: null,
    updatedAt: at,
    adminVersion: 0,
  });
  await store.putUsers([
    {
      tenantId,
      entraUserId: 'u1',
      upn: 'u1@x',
      displayName: 'U',
      pbxPrincipalId: 'p1',
      extension: '1',
      sendToTeams: null,
      getFromTeams: null,
      selected: true,
      updatedAt: at,
    },
  ]);
  await store.putSyncState({
    tenantId,
    entraUserId: 'u1',
    state: {},
    lastSyncAt: null,
    lastError: null,
    version: 0,
  });
  await store.appendTrace({ tenantId, entraUserId: 'u1', at, kind: 'k', detail: {} });
  await store.createReport({
    tenantId,
    reportId: 'r1',
    reporterId: 'u1',
    reporterName: 'U',
    category: 'presence',
    description: 'd',
    source: 'tab',
    diagnostics: null,
    status: 'new',
    history: [],
    createdAt: at,
    updatedAt: at,
  });
  await store.putConversation({ tenantId, key: 'user:u1', reference: {}, updatedAt: at });
  await store.putUserSettings(tenantId, 'u1', { missedCallNotice: true });
  await store.markNoticeSent(tenantId, 'n1', at);
  await store.putMissedCallRetry({
    tenantId,
    userId: 'u1',
    call: { callId: 'c1', number: '+4930123456', name: null, at: new Date(at).toISOString() },
    attempts: 1,
    nextAt: at,
  });
  await store.putDirectoryState(tenantId, { a: 1 }, at);
  await store.appendEvents([{ tenantId, at, level: 'warn', event: 'e', message: 'm', detail: {} }]);
  await store.putJob({
    tenantId,
    jobId: 'j1',
    kind: 'check',
    state: 'succeeded',
    done: 1,
    total: 1,
    steps: null,
    summary: null,
    error: null,
    startedBy: null,
    startedAt: at,
    finishedAt: at,
    heartbeatAt: at,
  });
  await store.initCloudLinkWebhookKey(tenantId, 'v1:key', at);
  await store.putCloudLinkSubscription({
    tenantId,
    topic: 'platform-api-presence',
    subscriptionId: 's1',
    subjectFilter: 'f',
    createdAt: at,
  });
  await store.syncInbox!().enqueue(tenantId, 'graph', { n: 1 }, at, 10);
  await store.acquireLease(tenantId, 'sync', 'p1', at, 10_000);
  await store.tenantRegistry().onboard(tenantId, tenantId, at, 'admin-consent');
}

describe.each([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('%s tenant registry', (_name, makeBackend) => {
  let backend: Backend;
  let store: Store;

  beforeEach(async () => {
    backend = makeBackend();
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
    await backend.dispose();
  });

  it('onboards, offboards and re-onboards a tenant, keeping the record of each, across a restart', async () => {
    const registry = store.tenantRegistry();
    expect(await registry.list()).toEqual([]);
    expect(await registry.get('t1')).toBeUndefined();

    const first = await registry.onboard('t1', 'Northwind', 1000, 'admin-consent');
    expect(first).toEqual({
      tenantId: 't1',
      displayName: 'Northwind',
      state: 'active',
      onboardedAt: 1000,
      onboardedBy: 'admin-consent',
      offboardedAt: null,
      offboardedBy: null,
    });
    // A second consent while active renames but keeps the first onboarding.
    const again = await registry.onboard('t1', 'Northwind Traders', 2000, 'admin-consent');
    expect(again).toMatchObject({ displayName: 'Northwind Traders', onboardedAt: 1000, state: 'active' });

    expect(await registry.offboard('t1', 3000, 'operator:ops@partner')).toBe(true);
    // Offboarding twice, or an unknown tenant, changes nothing.
    expect(await registry.offboard('t1', 3500, 'operator:other')).toBe(false);
    expect(await registry.offboard('nobody', 3500, 'operator:other')).toBe(false);

    await store.close();
    store = await backend.open();
    const kept = await store.tenantRegistry().get('t1');
    expect(kept).toEqual({
      tenantId: 't1',
      displayName: 'Northwind Traders',
      state: 'offboarded',
      onboardedAt: 1000,
      onboardedBy: 'admin-consent',
      offboardedAt: 3000,
      offboardedBy: 'operator:ops@partner',
    });

    const back = await store.tenantRegistry().onboard('t1', 'Northwind', 4000, 'admin-consent');
    expect(back).toMatchObject({
      state: 'active',
      onboardedAt: 4000,
      offboardedAt: null,
      offboardedBy: null,
    });
    await store.tenantRegistry().onboard('t0', 'Fabrikam', 4100, 'admin-consent');
    expect((await store.tenantRegistry().list()).map((t) => t.tenantId)).toEqual(['t0', 't1']);
  });

  it("renames a tenant with Graph's name, keeping its record, and only that tenant", async () => {
    const registry = store.tenantRegistry();
    await registry.onboard('t1', 't1', 1000, 'admin-consent');
    await registry.onboard('t2', 't2', 1100, 'admin-consent');
    await registry.offboard('t2', 1200, 'operator:ops');
    expect(await registry.rename('t1', 'Northwind Traders')).toBe(true);
    // An offboarded tenant's record takes its name too (the operator sees who left).
    expect(await registry.rename('t2', 'Fabrikam')).toBe(true);
    expect(await registry.rename('nobody', 'Contoso')).toBe(false);
    expect(await registry.list()).toEqual([
      expect.objectContaining({
        tenantId: 't1',
        displayName: 'Northwind Traders',
        state: 'active',
        onboardedAt: 1000,
      }),
      expect.objectContaining({
        tenantId: 't2',
        displayName: 'Fabrikam',
        state: 'offboarded',
        offboardedBy: 'operator:ops',
      }),
    ]);
  });

  it("deletes every row of a tenant's data but its registry record and lease, and nothing of another tenant", async () => {
    await fillTenant(store, 'ta');
    await fillTenant(store, 'tb');
    const before = await backend.rowsPerTable('ta');
    const beforeB = await backend.rowsPerTable('tb');
    // Every table keyed by tenant_id is either emptied by offboarding or kept on purpose: a new table must say which.
    expect(Object.keys(before).sort()).toEqual([...TENANT_DATA_TABLES, ...TENANT_TABLES_KEPT].sort());
    // The fill reached every table, so the check below proves each one is emptied.
    for (const [table, n] of Object.entries(before)) expect([table, n > 0]).toEqual([table, true]);

    await store.tenantRegistry().deleteData('ta');

    const after = await backend.rowsPerTable('ta');
    for (const t of TENANT_DATA_TABLES) expect([t, after[t]]).toEqual([t, 0]);
    for (const t of TENANT_TABLES_KEPT) expect([t, after[t]]).toEqual([t, 1]);
    expect(await backend.rowsPerTable('tb')).toEqual(beforeB);
    expect(await store.listUsers('tb')).toHaveLength(1);
  });

  it('hands out a pending onboarding once, and forgets expired ones', async () => {
    const registry = store.tenantRegistry();
    await registry.putOnboardingState('hash-1', { browserHash: 'b1', expiresAt: 10_000 }, 1000);
    await registry.putOnboardingState('hash-2', { browserHash: 'b2', expiresAt: 2000 }, 1000);
    expect(await registry.takeOnboardingState('hash-1')).toEqual({ browserHash: 'b1', expiresAt: 10_000 });
    // Single use: a replay finds nothing.
    expect(await registry.takeOnboardingState('hash-1')).toBeUndefined();
    expect(await registry.takeOnboardingState('unknown')).toBeUndefined();
    // Putting another one later prunes what expired meanwhile.
    await registry.putOnboardingState('hash-3', { browserHash: 'b3', expiresAt: 20_000 }, 5000);
    expect(await registry.takeOnboardingState('hash-2')).toBeUndefined();
    expect(await registry.takeOnboardingState('hash-3')).toEqual({ browserHash: 'b3', expiresAt: 20_000 });
  });

  it("deletes an offboarded tenant's data only while it is still offboarded as marked", async () => {
    const registry = store.tenantRegistry();
    await fillTenant(store, 'tc'); // onboards it too
    await registry.offboard('tc', 2000, 'operator');
    // Signed up again, and offboarded again by someone else, before this deletion ran.
    await registry.onboard('tc', 'tc', 3000, 'admin-consent');
    expect(await registry.deleteOffboardedData('tc', 2000)).toBe(false);
    expect(await store.getTenant('tc')).toBeDefined();
    await registry.offboard('tc', 4000, 'operator');
    expect(await registry.deleteOffboardedData('tc', 2000)).toBe(false);
    expect(await registry.deleteOffboardedData('tc', 4000)).toBe(true);
    expect(await store.getTenant('tc')).toBeUndefined();
  });

  it("keeps each process's last word about the tenants it serves, until it stops", async () => {
    const registry = store.tenantRegistry();
    await registry.recordReader({ processId: 'host-a:101', serving: ['t1', 't2'], readAt: 1000 });
    await registry.recordReader({ processId: 'host-b:202', serving: [], readAt: 900 });
    await registry.recordReader({ processId: 'host-a:101', serving: ['t2'], readAt: 6000 });
    expect(await registry.readers()).toEqual([
      { processId: 'host-b:202', serving: [], readAt: 900 },
      { processId: 'host-a:101', serving: ['t2'], readAt: 6000 },
    ]);
    await registry.forgetReader('host-b:202');
    expect((await registry.readers()).map((r) => r.processId)).toEqual(['host-a:101']);
    // Offboarding deletes a tenant's data, not what the processes said about it.
    await registry.deleteData('t2');
    expect(await registry.readers()).toHaveLength(1);
    // A process killed without a clean stop is forgotten a day later, when another one speaks.
    await registry.recordReader({ processId: 'host-c:303', serving: [], readAt: 6000 + 25 * 3600_000 });
    expect((await registry.readers()).map((r) => r.processId)).toEqual(['host-c:303']);
  });
});

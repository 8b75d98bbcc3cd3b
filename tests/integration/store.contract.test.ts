import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';
import { MIGRATIONS } from '../../shared/store/migrations';
import { said } from '../../shared/api/texts/english';
import { codedProblem, problemFromStore, storedProblemText } from '../../shared/sync/stored-problem';
import {
  StoreConflictError,
  type MonitorRecord,
  type ProblemReport,
  type Store,
  type TenantRecord,
  type UserRecord,
} from '../../shared/ports/store';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** One place a store lives; every `open()` is a new instance on the same data, like a restart or another process. */
interface Backend {
  open(): Promise<Store>;
  /** Every byte the backend persisted, as text, for the secrets-at-rest check (call with all stores closed). */
  rawContents(): Promise<string>;
  appliedMigrations(): Promise<number>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  const file = join(dir, 'nested', 'switchboard.sqlite');
  return {
    open: () => openStore(`sqlite:${file}`),
    async rawContents() {
      return [file, `${file}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n');
    },
    async appliedMigrations() {
      const db = new Database(file, { readonly: true });
      const { n } = db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
      db.close();
      return n;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  // A schema of our own per run, so parallel runs on one database never see each other.
  const schema = `store_test_${process.pid}_${randomBytes(4).toString('hex')}`;
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
    rawContents: () =>
      admin(async (c) => {
        const tables = [
          'tenants',
          'monitors',
          'users',
          'sync_states',
          'trace',
          'reports',
          'conversations',
          'user_settings',
          'cloudlink_webhook_keys',
          'events',
        ];
        const rows: string[] = [];
        for (const t of tables) {
          const result = await c.query(`SELECT t::text AS row FROM ${schema}.${t} t`);
          rows.push(...result.rows.map((r) => String(r.row)));
        }
        return rows.join('\n');
      }),
    appliedMigrations: () =>
      admin(async (c) =>
        Number((await c.query(`SELECT count(*) AS n FROM ${schema}.schema_migrations`)).rows[0].n),
      ),
    dispose: () => admin(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
  };
}

const A = 'tenant-a';
const B = 'tenant-b';

function tenant(tenantId: string, over: Partial<TenantRecord> = {}): TenantRecord {
  return {
    tenantId,
    displayName: `Contoso ${tenantId}`,
    clientId: 'client-1',
    clientSecretSealed: null,
    clientSecretExpiresAt: null,
    clientSecretSavedAt: null,
    cloudlink: null,
    settings: { mapping: [{ teams: 'Busy', pbx: 'dnd' }] },
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

function monitor(tenantId: string, monitorId: string, over: Partial<MonitorRecord> = {}): MonitorRecord {
  return {
    tenantId,
    monitorId,
    username: `${monitorId}@contoso.example`,
    passwordSealed: 'v1:sealed',
    passwordExpiresAt: null,
    state: 'active',
    subscriptionId: `sub-${tenantId}-${monitorId}`,
    subscriptionExpiresAt: 1_700_000_360_000,
    userIds: ['u1', 'u2'],
    clientState: 'cs',
    lastError: null,
    updatedAt: 1_700_000_000_000,
    adminVersion: 0,
    ...over,
  };
}

function user(tenantId: string, entraUserId: string, over: Partial<UserRecord> = {}): UserRecord {
  return {
    tenantId,
    entraUserId,
    upn: `${entraUserId}@contoso.example`,
    displayName: `User ${entraUserId}`,
    pbxPrincipalId: `pbx-${entraUserId}`,
    extension: '2001',
    sendToTeams: null,
    getFromTeams: false,
    selected: true,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

function report(tenantId: string, reportId: string, over: Partial<ProblemReport> = {}): ProblemReport {
  return {
    tenantId,
    reportId,
    reporterId: 'u1',
    reporterName: 'Ada',
    category: 'presence',
    description: 'Teams shows me available during PBX calls',
    source: 'tab',
    diagnostics: { teams: 'Available', pbx: 'connected' },
    status: 'new',
    history: [{ at: 1, by: 'u1', status: 'new' }],
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

/** Fills tenant A with one row of every kind. */
async function seedTenantA(store: Store): Promise<void> {
  await store.putTenant(tenant(A));
  await store.putMonitor(monitor(A, 'm1'));
  await store.putUsers([user(A, 'u1')]);
  await store.putSyncState({
    tenantId: A,
    entraUserId: 'u1',
    state: { teams: 'Busy' },
    lastSyncAt: 5,
    lastError: null,
    version: 0,
  });
  await store.appendTrace({
    tenantId: A,
    entraUserId: 'u1',
    at: 1,
    kind: 'pbx',
    detail: { callState: 'connected' },
  });
  await store.createReport(report(A, 'r1'));
  await store.putConversation({
    tenantId: A,
    key: 'user:u1',
    reference: { conversation: { id: 'c1' } },
    updatedAt: 1,
  });
  await store.putUserSettings(A, 'u1', { missedCallNotice: true });
}

describe.each([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('%s store', (_name, makeBackend) => {
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

  it('migrates idempotently and keeps its data across a restart', async () => {
    await store.migrate();
    await store.putTenant(tenant(A));
    await store.close();

    store = await backend.open();
    await store.migrate();
    expect(await store.getTenant(A)).toEqual(tenant(A));
    expect(await backend.appliedMigrations()).toBe(MIGRATIONS.length);
  });

  it("keeps a user's sync problem with its codes, and still reads a plain-text problem stored before codes existed", async () => {
    await store.migrate();
    const coded = codedProblem(
      said('sync.refused', { system: 'CloudLink', detail: 'Forbidden: missing role' }),
      said('fix.retriesEvery', { fix: said('fix.cloudlinkRights'), minutes: 15 }),
    );
    const row = (entraUserId: string, lastError: string) =>
      ({ tenantId: A, entraUserId, state: {}, lastSyncAt: 1, lastError, version: 0 }) as const;
    await store.putSyncStates([
      row('u1', storedProblemText(coded)),
      row('u2', 'Microsoft Graph is throttling'),
    ]);
    await store.close();

    store = await backend.open();
    expect(problemFromStore((await store.getSyncState(A, 'u1'))!.lastError!)).toEqual(coded);
    expect(problemFromStore((await store.getSyncState(A, 'u2'))!.lastError!)).toMatchObject({
      message: 'Microsoft Graph is throttling',
      fix: 'See the trace for details.',
    });
  });

  it('migrates safely when several processes start at once', async () => {
    const others = await Promise.all([backend.open(), backend.open(), backend.open()]);
    await Promise.all(others.map((s) => s.migrate()));
    await Promise.all(others.map((s) => s.close()));
    expect(await backend.appliedMigrations()).toBe(MIGRATIONS.length);
  });

  it("writes the sync's progress on a monitor only while no admin change came after it, never its password", async () => {
    const read = monitor(A, 'm1', { state: 'new', subscriptionId: null, clientState: null, adminVersion: 3 });
    await store.putMonitor(read);
    const progress = {
      ...read,
      username: 'renamed@contoso.example',
      passwordSealed: 'v1:not-the-admins',
      passwordExpiresAt: 1_900_000_000_000,
      state: 'active' as const,
      subscriptionId: 'sub-new',
      subscriptionExpiresAt: 1_700_003_600_000,
      userIds: ['u3'],
      clientState: 'cs-new',
      lastError: 'renewed late',
      updatedAt: 1_700_000_500_000,
    };
    expect(await store.saveMonitorProgress(progress)).toBe(true);
    // The sync's fields moved; the name, password and its expiry stayed the admin's.
    expect(await store.getMonitor(A, 'm1')).toEqual({
      ...progress,
      username: read.username,
      passwordSealed: read.passwordSealed,
      passwordExpiresAt: read.passwordExpiresAt,
    });

    // The admin gives it a new password: the version moves on, and progress begun before it is refused.
    const admins = { ...read, passwordSealed: 'v1:the-admins-new', state: 'new' as const, adminVersion: 4 };
    await store.putMonitor(admins);
    expect(await store.saveMonitorProgress({ ...progress, state: 'failed', lastError: 'old password' })).toBe(
      false,
    );
    expect(await store.getMonitor(A, 'm1')).toEqual(admins);
    // Another tenant's monitor of the same id is not touched, nor is a monitor that is not there.
    expect(await store.saveMonitorProgress({ ...progress, tenantId: B, adminVersion: 4 })).toBe(false);
    expect(await store.getMonitor(B, 'm1')).toBeUndefined();
  });

  it('keeps missed-call notices to try again, hands out the due ones longest waiting first, and drops them', async () => {
    const call = (callId: string) => ({
      callId,
      number: '+4930123456',
      name: null,
      at: '2026-11-23T09:00:00.000Z',
    });
    const retry = (tenantId: string, callId: string, nextAt: number, attempts = 1) => ({
      tenantId,
      userId: 'u1',
      call: call(callId),
      attempts,
      nextAt,
    });
    await store.putMissedCallRetry(retry(A, 'c-late', 300));
    await store.putMissedCallRetry(retry(B, 'c-early', 100));
    await store.putMissedCallRetry(retry(A, 'c-not-yet', 900));
    expect(await store.dueMissedCallRetries(500, 10)).toEqual([
      retry(B, 'c-early', 100),
      retry(A, 'c-late', 300),
    ]);
    expect(await store.dueMissedCallRetries(500, 1)).toEqual([retry(B, 'c-early', 100)]);

    // Tried again and failed: the same call's record is replaced, not doubled.
    await store.putMissedCallRetry(retry(A, 'c-late', 800, 2));
    expect(await store.dueMissedCallRetries(800, 10)).toEqual([
      retry(B, 'c-early', 100),
      retry(A, 'c-late', 800, 2),
    ]);
    // One process takes a due retry; a second asking with the same listing finds it taken.
    expect(await store.claimMissedCallRetry(A, 'c-late', 800, 2000)).toBe(true);
    expect(await store.claimMissedCallRetry(A, 'c-late', 800, 2000)).toBe(false);
    expect(await store.claimMissedCallRetry(B, 'c-late', 800, 2000)).toBe(false);
    expect(await store.dueMissedCallRetries(1999, 10)).toEqual([
      retry(B, 'c-early', 100),
      retry(A, 'c-not-yet', 900),
    ]);
    // One tenant's drop leaves another tenant's call of the same id alone.
    await store.putMissedCallRetry(retry(B, 'c-late', 50));
    await store.deleteMissedCallRetry(A, 'c-late');
    expect(await store.dueMissedCallRetries(1000, 10)).toEqual([
      retry(B, 'c-late', 50),
      retry(B, 'c-early', 100),
      retry(A, 'c-not-yet', 900),
    ]);
  });

  it('round-trips every record kind unchanged', async () => {
    const withCloudLink = tenant(A, {
      clientSecretSealed: 'v1:a:b:c',
      clientSecretExpiresAt: 1_760_000_000_000,
      clientSecretSavedAt: 1_700_000_000_000,
      cloudlink: {
        accountId: 'acc',
        clientId: 'cl-client',
        clientSecretSealed: null,
        clientSecretSavedAt: 1_710_000_000_000,
      },
    });
    await store.putTenant(withCloudLink);
    expect(await store.getTenant(A)).toEqual(withCloudLink);
    expect(await store.listTenants()).toEqual([withCloudLink]);

    const m = monitor(A, 'm1', { passwordExpiresAt: 1_800_000_000_000, lastError: 'AADSTS50076' });
    await store.putMonitor(m);
    expect(await store.getMonitor(A, 'm1')).toEqual(m);
    expect(await store.findMonitorBySubscription(A, m.subscriptionId!)).toEqual(m);
    await store.putMonitor({ ...m, state: 'renewing', subscriptionId: null });
    expect(await store.findMonitorBySubscription(A, m.subscriptionId!)).toBeUndefined();
    await store.deleteMonitor(A, 'm1');
    expect(await store.listMonitors(A)).toEqual([]);

    const u = user(A, 'u1', { sendToTeams: true, getFromTeams: null, extension: null });
    await store.putUsers([u]);
    expect(await store.getUser(A, 'u1')).toEqual(u);
    expect(await store.getUserByPbxId(A, 'pbx-u1')).toEqual(u);

    expect(await store.getConversation(A, 'admins')).toBeUndefined();
    const conv = {
      tenantId: A,
      key: 'admins',
      reference: { serviceUrl: 'https://smba.example', conversation: { id: 'x' } },
      updatedAt: 9,
    };
    await store.putConversation(conv);
    expect(await store.getConversation(A, 'admins')).toEqual(conv);
    // A chat the connector called gone is forgotten only if nobody stored a newer one meanwhile.
    const newer = { ...conv, reference: { ...conv.reference, conversation: { id: 'y' } }, updatedAt: 10 };
    await store.putConversation(newer);
    expect(await store.forgetConversation(A, 'admins', conv.updatedAt)).toBe(false);
    expect(await store.getConversation(A, 'admins')).toEqual(newer);
    expect(await store.forgetConversation(B, 'admins', newer.updatedAt)).toBe(false);
    expect(await store.forgetConversation(A, 'admins', newer.updatedAt)).toBe(true);
    expect(await store.getConversation(A, 'admins')).toBeUndefined();
    await store.putConversation(conv);

    expect(await store.getUserSettings(A, 'u1')).toEqual({ missedCallNotice: false });
    await store.putUserSettings(A, 'u1', { missedCallNotice: true, clickToCall: { ios: 'mitel-one' } });
    expect(await store.getUserSettings(A, 'u1')).toEqual({
      missedCallNotice: true,
      clickToCall: { ios: 'mitel-one' },
    });
  });

  it('upserts a whole directory in one call, the last record winning for a repeated id', async () => {
    const users = Array.from({ length: 1500 }, (_, i) => user(A, `u${String(i).padStart(4, '0')}`));
    await store.putUsers([...users, user(A, 'u0000', { displayName: 'Renamed', selected: false })]);
    const listed = await store.listUsers(A);
    expect(listed).toHaveLength(1500);
    expect(await store.getUser(A, 'u0000')).toEqual(
      user(A, 'u0000', { displayName: 'Renamed', selected: false }),
    );
  });

  it('never shows tenant B any of tenant A’s rows', async () => {
    await seedTenantA(store);

    expect(await store.getTenant(B)).toBeUndefined();
    expect(await store.listMonitors(B)).toEqual([]);
    expect(await store.getMonitor(B, 'm1')).toBeUndefined();
    expect(await store.findMonitorBySubscription(B, monitor(A, 'm1').subscriptionId!)).toBeUndefined();
    expect(await store.listUsers(B)).toEqual([]);
    expect(await store.getUser(B, 'u1')).toBeUndefined();
    expect(await store.getUserByPbxId(B, 'pbx-u1')).toBeUndefined();
    expect(await store.getSyncState(B, 'u1')).toBeUndefined();
    expect(await store.listSyncStates(B)).toEqual([]);
    expect(await store.listTrace(B, 'u1')).toEqual([]);
    expect(await store.getReport(B, 'r1')).toBeUndefined();
    expect(await store.listReports(B)).toEqual([]);
    expect(await store.listReports(B, { reporterId: 'u1' })).toEqual([]);
    expect(await store.getConversation(B, 'user:u1')).toBeUndefined();
    expect(await store.listConversations(B)).toEqual([]);
    expect(await store.getUserSettings(B, 'u1')).toEqual({ missedCallNotice: false });

    // Writes under B's id leave A's rows alone.
    expect(await store.updateReport(report(B, 'r1', { status: 'resolved' }))).toBe(false);
    expect((await store.getReport(A, 'r1'))?.status).toBe('new');
    await store.deleteMonitor(B, 'm1');
    expect(await store.listMonitors(A)).toHaveLength(1);
    expect(
      await store.putSyncState({
        tenantId: B,
        entraUserId: 'u1',
        state: {},
        lastSyncAt: null,
        lastError: null,
        version: 0,
      }),
    ).toBe(1);
    expect((await store.getSyncState(A, 'u1'))?.state).toEqual({ teams: 'Busy' });
    // Forgetting B's sync states (B's demo world started anew) leaves A's.
    await store.forgetSyncStates(B);
    expect(await store.getSyncState(B, 'u1')).toBeUndefined();
    expect((await store.getSyncState(A, 'u1'))?.state).toEqual({ teams: 'Busy' });
    expect(await store.markNoticeSent(A, 'secret-expiry', 1)).toBe(true);
    expect(await store.markNoticeSent(B, 'secret-expiry', 1)).toBe(true);
    await store.clearNotice(B, 'secret-expiry');
    expect(await store.markNoticeSent(A, 'secret-expiry', 2)).toBe(false);
  });

  it('rejects a sync-state write based on a stale version', async () => {
    const base = { tenantId: A, entraUserId: 'u1', state: { pbx: 'idle' }, lastSyncAt: 1, lastError: null };
    expect(await store.putSyncState({ ...base, version: 0 })).toBe(1);
    await expect(store.putSyncState({ ...base, version: 0 })).rejects.toBeInstanceOf(StoreConflictError);

    const read = (await store.getSyncState(A, 'u1'))!;
    expect(read.version).toBe(1);
    expect(await store.putSyncState({ ...read, state: { pbx: 'connected' } })).toBe(2);
    await expect(store.putSyncState({ ...read, state: { pbx: 'ringing' } })).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    expect(await store.getSyncState(A, 'u1')).toEqual({ ...base, state: { pbx: 'connected' }, version: 2 });
    expect(await store.listSyncStates(A)).toHaveLength(1);
  });

  it('lets exactly one of two processes win a sync-state race', async () => {
    await store.putSyncState({
      tenantId: A,
      entraUserId: 'u1',
      state: {},
      lastSyncAt: null,
      lastError: null,
      version: 0,
    });
    const other = await backend.open();
    try {
      const read = (await store.getSyncState(A, 'u1'))!;
      const results = await Promise.allSettled(
        [store, other, store, other].map((s, i) => s.putSyncState({ ...read, state: { writer: i } })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
    } finally {
      await other.close();
    }
  });

  it('keeps only the newest trace entries per user, newest first', async () => {
    for (let i = 0; i < 210; i++) {
      await store.appendTrace({ tenantId: A, entraUserId: 'u1', at: 1000 + i, kind: 'sync', detail: { i } });
    }
    await store.appendTrace({ tenantId: A, entraUserId: 'u2', at: 1, kind: 'sync', detail: {} });
    const trace = await store.listTrace(A, 'u1', 1000);
    expect(trace).toHaveLength(200);
    expect(trace[0]).toEqual({ tenantId: A, entraUserId: 'u1', at: 1209, kind: 'sync', detail: { i: 209 } });
    expect(trace[199].detail).toEqual({ i: 10 });
    expect(await store.listTrace(A, 'u2')).toHaveLength(1);
    expect((await store.listTrace(A, 'u1', 3)).map((e) => e.detail.i)).toEqual([209, 208, 207]);

    for (let i = 0; i < 4; i++)
      await store.appendTrace({ tenantId: A, entraUserId: 'u3', at: i, kind: 'k', detail: { i } }, 2);
    expect((await store.listTrace(A, 'u3')).map((e) => e.detail.i)).toEqual([3, 2]);
  });

  it("keeps each tenant's newest operator events, newest first, never another tenant's", async () => {
    const event = (tenantId: string, i: number) => ({
      tenantId,
      at: 2000 + i,
      level: i % 2 ? ('error' as const) : ('warn' as const),
      event: i === 0 ? null : 'outbound.refused',
      message: `graph setPresence was refused (403 Forbidden) #${i}`,
      detail: { service: 'graph', status: 403, i },
    });
    await store.appendEvents(
      [0, 1, 2, 3, 4].map((i) => event(A, i)),
      3,
    );
    await store.appendEvents([event(B, 9)], 3);
    expect(await store.listEvents(A)).toEqual([event(A, 4), event(A, 3), event(A, 2)]);
    expect((await store.listEvents(A, 1)).map((e) => e.detail.i)).toEqual([4]);
    expect(await store.listEvents(B)).toEqual([event(B, 9)]);
    await store.appendEvents([]);
    expect(await store.listEvents('tenant-without-events')).toEqual([]);
  });

  it('writes a batch of sync states at once, skipping only the records whose version is stale', async () => {
    const state = (id: string, version: number, pbx: string) => ({
      tenantId: A,
      entraUserId: id,
      state: { pbx },
      lastSyncAt: 5,
      lastError: null,
      version,
    });
    expect(await store.putSyncStates([state('u1', 0, 'idle'), state('u2', 0, 'idle')])).toEqual([1, 1]);
    // u2 at version 0 again is stale: not written; u1 and the new u3 are.
    expect(
      await store.putSyncStates([
        state('u1', 1, 'connected'),
        state('u2', 0, 'ringing'),
        state('u3', 0, 'idle'),
      ]),
    ).toEqual([2, null, 1]);
    expect((await store.listSyncStates(A)).map((r) => [r.entraUserId, r.state.pbx, r.version])).toEqual([
      ['u1', 'connected', 2],
      ['u2', 'idle', 1],
      ['u3', 'idle', 1],
    ]);
    expect(await store.putSyncStates([])).toEqual([]);
  });

  it('appends a batch of trace entries in order, keeping the newest per user', async () => {
    const entry = (id: string, i: number) => ({
      tenantId: A,
      entraUserId: id,
      at: i,
      kind: 'k',
      detail: { i },
    });
    await store.appendTraces([entry('u1', 1), entry('u2', 1), entry('u1', 2), entry('u1', 3)], 2);
    expect((await store.listTrace(A, 'u1')).map((e) => e.detail.i)).toEqual([3, 2]);
    expect((await store.listTrace(A, 'u2')).map((e) => e.detail.i)).toEqual([1]);
    await store.appendTraces([]);
    expect(await store.listTrace(A, 'u1')).toHaveLength(2);
  });

  it('sends a one-time notice once, even when several processes race to send it', async () => {
    const others = await Promise.all([backend.open(), backend.open()]);
    try {
      const stores = [store, ...others];
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          stores[i % stores.length].markNoticeSent(A, 'missed:call-42', 1000 + i),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await store.clearNotice(A, 'missed:call-42');
      expect(await others[0].markNoticeSent(A, 'missed:call-42', 2000)).toBe(true);
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });

  it('keeps a report’s history and filters reports by reporter and status, newest first', async () => {
    await store.createReport(report(A, 'r1', { createdAt: 1000 }));
    await store.createReport(report(A, 'r2', { createdAt: 2000, reporterId: 'u2', diagnostics: null }));
    const r1 = (await store.getReport(A, 'r1'))!;
    const acknowledged: ProblemReport = {
      ...r1,
      status: 'acknowledged',
      history: [...r1.history, { at: 2, by: 'admin', status: 'acknowledged', note: 'looking at it' }],
      updatedAt: 3000,
    };
    expect(await store.updateReport(acknowledged)).toBe(true);
    const resolved: ProblemReport = {
      ...acknowledged,
      status: 'resolved',
      history: [...acknowledged.history, { at: 3, by: 'admin', status: 'resolved' }],
      updatedAt: 4000,
    };
    await store.updateReport(resolved);

    expect(await store.getReport(A, 'r1')).toEqual(resolved);
    expect((await store.getReport(A, 'r1'))!.history.map((h) => h.status)).toEqual([
      'new',
      'acknowledged',
      'resolved',
    ]);
    expect((await store.listReports(A)).map((r) => r.reportId)).toEqual(['r2', 'r1']);
    expect((await store.listReports(A, { reporterId: 'u1' })).map((r) => r.reportId)).toEqual(['r1']);
    expect((await store.listReports(A, { status: 'new' })).map((r) => r.reportId)).toEqual(['r2']);
    expect(await store.listReports(A, { reporterId: 'u2', status: 'resolved' })).toEqual([]);
    expect(await store.updateReport(report(A, 'missing'))).toBe(false);
  });

  it('saves texts with NUL characters (PBX status texts, reports, settings) alike in both stores, without the NUL', async () => {
    // PostgreSQL refuses U+0000 in TEXT and JSONB; texts from outside (a PBX status text, a report) may carry one.
    const nul = (s: string) => s.replace('|', '\u0000');
    await store.putTenant(
      tenant(A, {
        settings: { mapping: [{ teams: 'Busy', statusText: nul('In a |call') }], [nul('k|ey')]: 1 },
      }),
    );
    expect((await store.getTenant(A))!.settings).toEqual({
      mapping: [{ teams: 'Busy', statusText: 'In a call' }],
      key: 1,
    });

    await store.createReport(
      report(A, 'r1', {
        description: nul('Teams| is wrong; C:\\u0000 is a path'),
        diagnostics: { pbx: nul('DND|') },
      }),
    );
    const r1 = (await store.getReport(A, 'r1'))!;
    expect(r1.description).toBe('Teams is wrong; C:\\u0000 is a path');
    expect(r1.diagnostics).toEqual({ pbx: 'DND' });
    const noted: ProblemReport = {
      ...r1,
      status: 'acknowledged',
      history: [...r1.history, { at: 2, by: 'admin', status: 'acknowledged', note: nul('looking| at it') }],
      updatedAt: 3000,
    };
    expect(await store.updateReport(noted)).toBe(true);
    expect((await store.getReport(A, 'r1'))!.history[1]).toEqual({
      at: 2,
      by: 'admin',
      status: 'acknowledged',
      note: 'looking at it',
    });

    await store.putUsers([user(A, 'u1', { displayName: nul('Ada| Lovelace') })]);
    expect((await store.getUser(A, 'u1'))!.displayName).toBe('Ada Lovelace');
    await store.putMonitor(monitor(A, 'm1', { lastError: nul('refused|') }));
    expect((await store.getMonitor(A, 'm1'))!.lastError).toBe('refused');
    await store.putUserSettings(A, 'u1', { missedCallNotice: true, clickToCall: { ios: nul('tel|') } });
    expect((await store.getUserSettings(A, 'u1')).clickToCall).toEqual({ ios: 'tel' });

    const state = { pbx: { dnd: true, statusText: nul('On the |phone') } };
    expect(
      await store.putSyncStates([
        { tenantId: A, entraUserId: 'u1', state, lastSyncAt: 1, lastError: nul('x|'), version: 0 },
      ]),
    ).toEqual([1]);
    expect(await store.getSyncState(A, 'u1')).toMatchObject({
      state: { pbx: { dnd: true, statusText: 'On the phone' } },
      lastError: 'x',
      version: 1,
    });
    await store.appendTraces([
      { tenantId: A, entraUserId: 'u1', at: 1, kind: 'pbx', detail: { statusText: nul('|busy') } },
    ]);
    expect((await store.listTrace(A, 'u1')).map((e) => e.detail)).toEqual([{ statusText: 'busy' }]);
  });

  it('hands a lease to one holder at a time until it expires or is released', async () => {
    expect(await store.acquireLease(A, 'subscriptions', 'p1', 1000, 30_000)).toBe(1);
    expect(await store.acquireLease(A, 'subscriptions', 'p2', 2000, 30_000)).toBeNull();
    expect(await store.acquireLease(B, 'subscriptions', 'p2', 2000, 30_000)).toBe(1);
    expect(await store.acquireLease(A, 'subscriptions', 'p1', 20_000, 30_000)).toBe(1); // renewal moves expiry to 50 000
    expect(await store.acquireLease(A, 'subscriptions', 'p2', 40_000, 30_000)).toBeNull();
    expect(await store.acquireLease(A, 'subscriptions', 'p2', 50_000, 30_000)).toBe(2);
    await store.releaseLease(A, 'subscriptions', 'p1'); // not the holder any more: no effect
    expect(await store.acquireLease(A, 'subscriptions', 'p1', 51_000, 30_000)).toBeNull();
    await store.releaseLease(A, 'subscriptions', 'p2');
    expect(await store.acquireLease(A, 'subscriptions', 'p1', 51_000, 30_000)).toBe(3);
  });

  it('fences the lease: renewals keep the epoch, every new term raises it, a stale holder cannot renew', async () => {
    expect(await store.getLease(A, 'sync')).toBeUndefined();
    expect(await store.acquireLease(A, 'sync', 'p1', 1000, 10_000)).toBe(1);
    expect(await store.acquireLease(A, 'sync', 'p1', 4000, 10_000)).toBe(1); // renewal
    expect(await store.acquireLease(A, 'sync', 'p1', 7000, 10_000)).toBe(1); // renewal: expires at 17 000
    expect(await store.getLease(A, 'sync')).toEqual({
      holder: 'p1',
      epoch: 1,
      expiresAt: 17_000,
      renewedAt: 7000,
    });
    // p1 freezes; p2 waits until the lease ran out, then takes it with the next epoch.
    expect(await store.acquireLease(A, 'sync', 'p2', 16_999, 10_000)).toBeNull();
    expect(await store.acquireLease(A, 'sync', 'p2', 17_000, 10_000)).toBe(2);
    // p1 wakes up and tries to renew (its own clock says its lease still runs): refused while p2 renews.
    expect(await store.acquireLease(A, 'sync', 'p1', 18_000, 10_000)).toBeNull();
    expect(await store.acquireLease(A, 'sync', 'p2', 20_000, 10_000)).toBe(2);
    expect(await store.acquireLease(A, 'sync', 'p1', 29_999, 10_000)).toBeNull();
    // The holder that let its own lease run out starts a new term too.
    expect(await store.acquireLease(A, 'sync', 'p2', 30_000, 10_000)).toBe(3);
    // A release keeps the row (and its epoch), expired, with the time the holder was last alive.
    await store.releaseLease(A, 'sync', 'p2');
    expect(await store.getLease(A, 'sync')).toMatchObject({ holder: 'p2', epoch: 3, renewedAt: 30_000 });
    expect((await store.getLease(A, 'sync'))!.expiresAt).toBeLessThanOrEqual(30_000);
    expect(await store.acquireLease(A, 'sync', 'p1', 31_000, 10_000)).toBe(4);
    // Two takers racing for a free lease: exactly one wins.
    await store.releaseLease(A, 'sync', 'p1');
    const raced = await Promise.all([
      store.acquireLease(A, 'sync', 'p3', 32_000, 10_000),
      store.acquireLease(A, 'sync', 'p4', 32_000, 10_000),
    ]);
    expect(raced.filter((e) => e !== null)).toEqual([5]);
    expect(await store.getLease(B, 'sync')).toBeUndefined();
  });

  it('counts cluster members while their heartbeat lasts, and says who holds which tenant lease', async () => {
    const members = store.clusterMembers();
    await members.heartbeat('p1', 1000, 10_000);
    await members.heartbeat('p2', 2000, 10_000);
    await members.heartbeat('p1', 4000, 10_000); // renewal: live until 14 000, still started at 1000
    expect(await members.live(11_000)).toEqual([
      { memberId: 'p1', startedAt: 1000, heartbeatAt: 4000, expiresAt: 14_000 },
      { memberId: 'p2', startedAt: 2000, heartbeatAt: 2000, expiresAt: 12_000 },
    ]);
    // p2 stopped renewing (kill -9): it stops counting at its expiry, not before.
    expect((await members.live(12_000)).map((m) => m.memberId)).toEqual(['p1']);
    await members.leave('p1');
    expect(await members.live(12_000)).toEqual([]);
    await members.prune(12_001);
    await members.heartbeat('p2', 20_000, 10_000); // back after a prune: a new start
    expect(await members.live(20_000)).toEqual([
      { memberId: 'p2', startedAt: 20_000, heartbeatAt: 20_000, expiresAt: 30_000 },
    ]);

    await store.acquireLease(A, 'sync', 'p1/x', 1000, 10_000);
    await store.acquireLease(B, 'sync', 'p2/y', 1000, 20_000);
    await store.acquireLease(A, 'other', 'p2/z', 1000, 20_000);
    expect(await members.heldLeases('sync', 5000)).toEqual([
      { tenantId: A, holder: 'p1/x', expiresAt: 11_000 },
      { tenantId: B, holder: 'p2/y', expiresAt: 21_000 },
    ]);
    expect(await members.heldLeases('sync', 11_000)).toEqual([
      { tenantId: B, holder: 'p2/y', expiresAt: 21_000 },
    ]);
    await store.releaseLease(B, 'sync', 'p2/y');
    expect(await members.heldLeases('sync', 11_000)).toEqual([]);
  });

  it('keeps the CloudLink webhook key and subscriptions across a restart, one key per tenant', async () => {
    // Two processes racing to create the key: the first stored wins, and both are told the same one.
    const [k1, k2] = await Promise.all([
      store.initCloudLinkWebhookKey(A, 'v1:sealed-key-1', 1),
      store.initCloudLinkWebhookKey(A, 'v1:sealed-key-2', 2),
    ]);
    expect(k1).toBe(k2);
    expect(['v1:sealed-key-1', 'v1:sealed-key-2']).toContain(k1);
    expect(await store.initCloudLinkWebhookKey(B, 'v1:sealed-key-b', 3)).toBe('v1:sealed-key-b');

    const presence = {
      tenantId: A,
      topic: 'platform-api-presence',
      subscriptionId: 'sub-p1',
      subjectFilter: '^/presentities/[^/]+$',
      createdAt: 10,
    };
    const media = {
      ...presence,
      topic: 'platform-api-media',
      subscriptionId: 'sub-m1',
      subjectFilter: 'calls',
    };
    await store.putCloudLinkSubscription(presence);
    await store.putCloudLinkSubscription(media);
    await store.putCloudLinkSubscription({ ...presence, subscriptionId: 'sub-p2', createdAt: 20 }); // re-created
    await store.close();

    store = await backend.open();
    expect(await store.initCloudLinkWebhookKey(A, 'v1:another', 4)).toBe(k1);
    expect(await store.listCloudLinkSubscriptions(A)).toEqual([
      media,
      { ...presence, subscriptionId: 'sub-p2', createdAt: 20 },
    ]);
    expect(await store.listCloudLinkSubscriptions(B)).toEqual([]);
    await store.deleteCloudLinkSubscription(B, 'platform-api-media'); // another tenant's: no effect
    await store.deleteCloudLinkSubscription(A, 'platform-api-presence');
    expect(await store.listCloudLinkSubscriptions(A)).toEqual([media]);
  });

  it('keeps admin jobs, their progress and result across a restart, newest first', async () => {
    const job = {
      tenantId: A,
      jobId: 'j1',
      kind: 'configurationCheck',
      state: 'running' as const,
      done: 1,
      total: 4,
      steps: [{ id: 'token', title: 'Token', state: 'passed' }],
      summary: null,
      error: null,
      startedBy: 'admin-1',
      startedAt: 1000,
      finishedAt: null,
      heartbeatAt: 1000,
    };
    await store.putJob(job);
    await store.putJob({
      ...job,
      jobId: 'j2',
      kind: 'resyncAll',
      steps: null,
      startedBy: null,
      startedAt: 2000,
    });
    const finished = {
      ...job,
      state: 'succeeded' as const,
      done: 4,
      summary: 'All passed',
      finishedAt: 1500,
    };
    await store.putJob(finished);
    await store.close();

    store = await backend.open();
    expect(await store.getJob(A, 'j1')).toEqual(finished);
    expect(await store.getJob(B, 'j1')).toBeUndefined();
    expect((await store.listJobs(A)).map((j) => j.jobId)).toEqual(['j2', 'j1']);
    expect((await store.listJobs(A, { kind: 'configurationCheck' })).map((j) => j.jobId)).toEqual(['j1']);
    expect((await store.listJobs(A, { limit: 1 })).map((j) => j.jobId)).toEqual(['j2']);
    expect(await store.listJobs(B)).toEqual([]);

    for (let i = 3; i <= 6; i++)
      await store.putJob({ ...finished, jobId: `j${i}`, startedAt: 1000 * i, finishedAt: 1000 * i + 1 });
    await store.pruneJobs(A, 2);
    // The two newest finished jobs and the running one stay.
    expect((await store.listJobs(A)).map((j) => j.jobId)).toEqual(['j6', 'j5', 'j2']);
  });

  it('keeps one directory document per tenant across a restart, replaced whole on every put', async () => {
    expect(await store.getDirectoryState(A)).toBeUndefined();
    const first = {
      entraDeltaLink: 'https://graph/v1.0/users/delta?$deltatoken=x',
      entra: [{ id: 'e1', mail: null }],
    };
    await store.putDirectoryState(A, first, 1);
    await store.putDirectoryState(B, { entra: [] }, 1);
    await store.putDirectoryState(A, { ...first, entraDeltaLink: null }, 2);
    await store.close();
    store = await backend.open();
    expect(await store.getDirectoryState(A)).toEqual({ ...first, entraDeltaLink: null });
    expect(await store.getDirectoryState(B)).toEqual({ entra: [] });
  });

  it('holds secrets only in sealed form', async () => {
    const box = new SecretBox(randomBytes(32));
    const plaintexts = [
      'client-secret-Zq81xLw',
      'cloudlink-secret-Pf03mRt',
      'monitor-password-Hk55vNa',
      'webhook-key-Rt62pQs',
    ];
    const [client, cloudlink, password, webhookKey] = plaintexts.map((p) => box.seal(p));
    await store.putTenant(
      tenant(A, {
        clientSecretSealed: client,
        cloudlink: {
          accountId: 'acc',
          clientId: 'c',
          clientSecretSealed: cloudlink,
          clientSecretSavedAt: null,
        },
      }),
    );
    await store.putMonitor(monitor(A, 'm1', { passwordSealed: password }));
    await store.initCloudLinkWebhookKey(A, webhookKey, 1);
    await store.close();

    const raw = await backend.rawContents();
    for (const p of plaintexts) expect(raw).not.toContain(p);
    expect(raw).toContain(client); // proves we looked where the data is

    store = await backend.open();
    expect(box.open((await store.getMonitor(A, 'm1'))!.passwordSealed)).toBe('monitor-password-Hk55vNa');
  });
});

describe('openStore', () => {
  it('opens a throwaway in-memory SQLite store, migrated and ready', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await store.putTenant(tenant(A));
      expect(await store.listTenants()).toEqual([tenant(A)]);
    } finally {
      await store.close();
    }
  });

  it('refuses a URL it does not know', async () => {
    await expect(openStore('mysql://localhost/db')).rejects.toThrow(/sqlite: or postgres:\/\//);
  });
});

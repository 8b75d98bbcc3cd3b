/**
 * The benchmark's world: the three emulators on the system clock, N matched users, the sync service wired through
 * the real adapters over HTTP (as in production), with probes around the ports to time each write.
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Directory, type DirectoryUser } from '../emulators/common/directory';
import { startEmulators, type Emulators } from '../emulators';
import { CloudLinkClient } from '../shared/adapters/cloudlink';
import { TokenClient } from '../shared/adapters/entra/token-client';
import { GraphAdapter } from '../shared/adapters/graph/graph-adapter';
import type { CloudLinkPort } from '../shared/ports/cloudlink';
import type { GraphPort } from '../shared/ports/graph';
import type { Store, UserRecord } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import { createSyncService, type SyncService } from '../shared/sync';

const SECRET = 'bench-secret';

export interface Probe {
  /** epoch ms of the oldest change not yet written, per Entra user id, per direction. */
  pendingToTeams: Map<string, number>;
  pendingFromTeams: Map<string, number>;
  toTeamsMs: number[];
  fromTeamsMs: number[];
  graphWrites: number;
  pbxWrites: number;
}

export interface BenchWorld {
  emulators: Emulators;
  people: DirectoryUser[];
  pbxIds: string[];
  userOfPbx: Map<string, string>;
  service: SyncService;
  store: Store;
  probe: Probe;
  close(): Promise<void>;
}

export async function startBenchWorld(
  users: number,
  opts: { graphLatencyMs: number; notifications: boolean },
): Promise<BenchWorld> {
  const directory = new Directory();
  const tenant = directory.addTenant({ displayName: 'Bench', domain: 'bench.example' });
  const app = directory.addApp(tenant.id, {
    displayName: 'Switchboard',
    secrets: [{ id: 's1', value: SECRET, expiresAt: Date.now() + 365 * 86_400_000 }],
    grantedApplicationPermissions: ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'],
    consentedDelegatedPermissions: ['Presence.Read.All'],
  });
  const people = Array.from({ length: users }, (_, i) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `u${i}@bench.example`,
      displayName: `U${i}`,
      mail: `u${i}@bench.example`,
    }),
  );
  const monitors = Math.ceil(users / 650);
  for (let i = 0; i < monitors; i++)
    directory.addUser(tenant.id, {
      userPrincipalName: `monitor${i}@bench.example`,
      displayName: `M${i}`,
      password: 'Monitor-pw1',
    });
  const emulators = await startEmulators({ directory });
  emulators.graph.control.setFaults({ latencyMs: opts.graphLatencyMs });
  const pbx = emulators.cloudlink.pbx;
  const accountId = pbx.addAccount({ name: 'Bench' }).accountId;
  const client = emulators.cloudlink.control.addClient({ accountId });
  // CloudLink's own rate limit is not what is measured here; the emulator's default would dominate a 50,000-user resync.
  emulators.cloudlink.control.setRateLimit({ limit: 1_000_000, windowMs: 1000 });
  const pbxIds = people.map(
    (p, i) =>
      pbx.addUser(accountId, { name: p.displayName, email: p.mail, extension: String(10000 + i) })
        .principalId,
  );
  const userOfPbx = new Map(pbxIds.map((id, i) => [id, people[i].id]));

  const probe: Probe = {
    pendingToTeams: new Map(),
    pendingFromTeams: new Map(),
    toTeamsMs: [],
    fromTeamsMs: [],
    graphWrites: 0,
    pbxWrites: 0,
  };
  const receiver: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const query = Object.fromEntries(url.searchParams);
      const answer =
        url.pathname === '/graph'
          ? service.handleGraphNotification({ query, body })
          : url.pathname === '/graph/lifecycle'
            ? service.handleGraphLifecycle({ query, body })
            : service.handleCloudLinkWebhook({ query, body });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const tokens = new TokenClient({
    authorityHost: emulators.entra.baseUrl,
    tenantId: tenant.id,
    clientId: app.clientId,
    clientSecret: SECRET,
  });
  const adapter = new GraphAdapter({
    baseUrl: emulators.graph.baseUrl,
    clientId: app.clientId,
    getAppToken: () => tokens.getAppToken(),
    getMonitorToken: (m) =>
      tokens.getUserTokenByPassword(m.username, m.password, 'https://graph.microsoft.com/Presence.Read.All'),
    beforeRequest: (kind) => service.beforeGraphRequest(kind),
    onOutcome: (o) => service.onGraphOutcome(o),
  });
  const cloudlink = new CloudLinkClient({
    apiBase: emulators.cloudlink.apiBase,
    accountId,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    appId: 'switchboard-bench/1.0',
  });

  // Probes: a write acknowledged closes the user's oldest pending change in that direction.
  const done = (pending: Map<string, number>, sink: number[], id: string, minus: number) => {
    const since = pending.get(id);
    if (since === undefined) return;
    pending.delete(id);
    sink.push(Date.now() - since - minus);
  };
  const graph: GraphPort = Object.assign(Object.create(adapter) as GraphAdapter, {
    setPresence: async (...a: Parameters<GraphPort['setPresence']>) => {
      await adapter.setPresence(...a);
      probe.graphWrites++;
      done(probe.pendingToTeams, probe.toTeamsMs, a[0], opts.graphLatencyMs);
    },
    clearPresence: async (id: string) => {
      const r = await adapter.clearPresence(id);
      probe.graphWrites++;
      done(probe.pendingToTeams, probe.toTeamsMs, id, opts.graphLatencyMs);
      return r;
    },
  });
  const cl: CloudLinkPort = Object.assign(Object.create(cloudlink) as CloudLinkClient, {
    setDnd: async (principalId: string, dnd: boolean, text: string | null) => {
      await cloudlink.setDnd(principalId, dnd, text);
      probe.pbxWrites++;
      done(probe.pendingFromTeams, probe.fromTeamsMs, userOfPbx.get(principalId) as string, 0);
    },
  });

  // A file, as in production: an in-memory database would count the whole store as the engine's memory.
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const store = await openStore(`sqlite:${path.join(dbDir, 'bench.sqlite')}`);
  const records: UserRecord[] = people.map((p, i) => ({
    tenantId: tenant.id,
    entraUserId: p.id,
    upn: p.userPrincipalName,
    displayName: p.displayName,
    pbxPrincipalId: pbxIds[i],
    extension: String(10000 + i),
    sendToTeams: null,
    getFromTeams: null,
    selected: true,
    updatedAt: Date.now(),
  }));
  for (let i = 0; i < records.length; i += 5000) await store.putUsers(records.slice(i, i + 5000));
  if (opts.notifications) {
    for (let i = 0; i < monitors; i++) {
      await store.putMonitor({
        tenantId: tenant.id,
        monitorId: `m${String(i).padStart(3, '0')}`,
        username: `monitor${i}@bench.example`,
        passwordSealed: 'Monitor-pw1',
        passwordExpiresAt: null,
        state: 'new',
        subscriptionId: null,
        subscriptionExpiresAt: null,
        userIds: [],
        clientState: null,
        lastError: null,
        updatedAt: 0,
      });
    }
  }
  const service: SyncService = createSyncService(
    {
      tenantId: tenant.id,
      clientId: app.clientId,
      mode: opts.notifications ? 'notifications' : 'polling',
      notificationUrl: `${base}/graph`,
      lifecycleNotificationUrl: `${base}/graph/lifecycle`,
      cloudLinkWebhookUrl: `${base}/cloudlink`,
      resyncIntervalMs: 0,
      pollIntervalMs: 3_600_000,
    },
    {
      graph,
      subscriptions: adapter.subscriptions,
      cloudlink: cl,
      store,
      monitorCredentials: (username, pw) => ({ username, password: pw }),
    },
  );
  return {
    emulators,
    people,
    pbxIds,
    userOfPbx,
    service,
    store,
    probe,
    async close() {
      await service.stop();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      await emulators.close();
      await store.close();
      fs.rmSync(dbDir, { recursive: true, force: true });
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../emulators/common/clock';
import {
  Directory,
  type DirectoryApp,
  type DirectoryTenant,
  type DirectoryUser,
} from '../../emulators/common/directory';
import { startEmulators, type Emulators } from '../../emulators';
import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import { TokenClient } from '../../shared/adapters/entra/token-client';
import { GraphError, type MonitorCredentials } from '../../shared/ports/graph';

/**
 * The Graph adapter against the Graph and Entra emulators over real HTTP: the same requests the product sends
 * to Microsoft, checked by emulators that refuse what Graph refuses.
 */
const SECRET = 'adapter-test-secret';
const MONITOR_PASSWORD = 'monitor-password';

let clock: ManualClock;
let directory: Directory;
let tenant: DirectoryTenant;
let app: DirectoryApp;
let people: DirectoryUser[];
let monitor: MonitorCredentials;
let emulators: Emulators;
let graph: Emulators['graph'];
let receiver: Server;
let receiverUrl: string;
let graphAdapter: GraphAdapter;
let sleeps: number[];

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  directory = new Directory();
  tenant = directory.addTenant({ displayName: 'Contoso', domain: 'contoso.example' });
  app = directory.addApp(tenant.id, {
    displayName: 'Switchboard',
    secrets: [{ id: 's1', value: SECRET, expiresAt: clock.now() + 365 * 86_400_000 }],
    grantedApplicationPermissions: [
      'Presence.ReadWrite.All',
      'Presence.Read.All',
      'User.Read.All',
      'GroupMember.Read.All',
    ],
    consentedDelegatedPermissions: ['Presence.Read.All'],
  });
  // More than one page of users (Graph pages at most 999).
  people = Array.from({ length: 1003 }, (_, i) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `person${i}@contoso.example`,
      displayName: `Person ${i}`,
      mail: i === 0 ? 'first.person@contoso.example' : null,
    }),
  );
  directory.addUser(tenant.id, {
    userPrincipalName: 'monitor@contoso.example',
    displayName: 'Monitor',
    password: MONITOR_PASSWORD,
  });
  monitor = { username: 'monitor@contoso.example', password: MONITOR_PASSWORD };

  emulators = await startEmulators({ directory, clock });
  graph = emulators.graph;

  // The notification endpoint Graph validates when a subscription is created.
  receiver = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('validationToken');
    req.resume();
    req.on('end', () => {
      res.writeHead(token === null ? 202 : 200, { 'content-type': 'text/plain' });
      res.end(token ?? '');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/notifications/graph`;

  const tokens = new TokenClient({
    authorityHost: emulators.entra.baseUrl,
    tenantId: tenant.id,
    credentials: () => ({ clientId: app.clientId, clientSecret: SECRET }),
    now: () => clock.now(),
  });
  graphAdapter = new GraphAdapter({
    baseUrl: graph.baseUrl,
    clientId: app.clientId,
    getAppToken: () => tokens.getAppToken(),
    getMonitorToken: (m) =>
      tokens.getUserTokenByPassword(m.username, m.password, 'https://graph.microsoft.com/Presence.Read.All'),
    // Waiting moves the emulators' clock instead of the test's wall clock.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
  });
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await emulators.close();
});

beforeEach(() => {
  sleeps = [];
  graph.control.resetFaults();
  graph.control.clearRequests();
});

describe('GraphAdapter against the Graph emulator', () => {
  it('sets the app’s presence session, reads it back and clears it', async () => {
    const ada = people[1];
    await graphAdapter.setPresence(ada.id, { availability: 'Busy', activity: 'InACall' }, 'PT10M');
    expect(await graphAdapter.getPresence(ada.id)).toMatchObject({
      userId: ada.id,
      availability: 'Busy',
      activity: 'InACall',
    });

    expect(await graphAdapter.clearPresence(ada.id)).toBe(true);
    expect((await graphAdapter.getPresence(ada.id)).activity).not.toBe('InACall');
    expect(await graphAdapter.clearPresence(ada.id)).toBe(false); // no session left
  });

  it('surfaces Graph’s refusal of a pair an app session may not set', async () => {
    const err = await graphAdapter
      .setPresence(people[1].id, { availability: 'Busy', activity: 'Busy' }, 'PT10M')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 400, requestId: expect.any(String) });
  });

  it('reads 700 presences in two requests', async () => {
    const ids = people.slice(0, 700).map((p) => p.id);
    const presences = await graphAdapter.getPresencesByUserId(ids);
    expect(presences).toHaveLength(700);
    expect(new Set(presences.map((p) => p.userId.toLowerCase()))).toEqual(
      new Set(ids.map((i) => i.toLowerCase())),
    );
    expect(graph.control.requests().filter((r) => r.path.endsWith('/getPresencesByUserId'))).toHaveLength(2);
  });

  it('waits out presence throttling and then succeeds', async () => {
    graph.control.setThrottleLimit({ requests: 2, windowMs: 30_000 });
    try {
      for (let i = 0; i < 3; i++) await graphAdapter.getPresence(people[2].id);
    } finally {
      graph.control.setThrottleLimit({ requests: 1500, windowMs: 30_000 });
    }
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(graph.control.requests().map((r) => r.status)).toEqual([200, 200, 429, 200]);
  });

  it('retries Graph’s transient 503s', async () => {
    graph.control.setFaults({ failNext: { count: 2, status: 503 } });
    await graphAdapter.getPresence(people[3].id);
    expect(graph.control.requests().map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('lists every user across pages and finds one by UPN and by mail', async () => {
    const upns: string[] = [];
    for await (const u of graphAdapter.listUsers()) upns.push(u.userPrincipalName);
    expect(upns).toHaveLength(1004);
    expect(upns).toContain('person1002@contoso.example');

    expect(await graphAdapter.findUser('person5@contoso.example')).toMatchObject({
      id: people[5].id,
      displayName: 'Person 5',
    });
    expect(await graphAdapter.findUser('first.person@contoso.example')).toMatchObject({ id: people[0].id });
    expect(await graphAdapter.findUser('nobody@contoso.example')).toBeUndefined();
  });

  it('searches groups by name with the ConsistencyLevel header Graph requires for $search', async () => {
    const berlin = directory.addGroup(tenant.id, { displayName: 'Sales Berlin', description: 'Field sales' });
    directory.addGroup(tenant.id, { displayName: 'Support "Tier 2"' });
    const found = await graphAdapter.searchGroups('sales', 20);
    expect(found).toEqual([{ id: berlin.id, displayName: 'Sales Berlin', description: 'Field sales' }]);
    const sent = graph.control.requests().at(-1)!;
    expect(sent.status).toBe(200);
    // Quotes typed by the admin cannot end the search term early.
    expect((await graphAdapter.searchGroups('"tier', 20)).map((g) => g.displayName)).toEqual([
      'Support "Tier 2"',
    ]);
    expect(await graphAdapter.searchGroups('  ', 20)).toEqual([]);
  });

  it('creates, renews and deletes a presence subscription as a monitor account', async () => {
    const expires = (minutes: number) => new Date(clock.now() + minutes * 60_000).toISOString();
    const created = await graphAdapter.subscriptions.create(monitor, {
      userIds: people.slice(0, 3).map((p) => p.id),
      notificationUrl: receiverUrl,
      clientState: randomUUID(),
      expirationDateTime: expires(50),
    });
    expect(created.id).toEqual(expect.any(String));
    expect(graph.control.subscriptions().map((s) => s.id)).toContain(created.id);

    // One presence subscription per monitor: Graph refuses a second.
    await expect(
      graphAdapter.subscriptions.create(monitor, {
        userIds: [people[4].id],
        notificationUrl: receiverUrl,
        clientState: 'second',
        expirationDateTime: expires(50),
      }),
    ).rejects.toMatchObject({ status: 409 });

    const renewed = await graphAdapter.subscriptions.renew(monitor, created.id, expires(55));
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(created.expirationDateTime));
    await graphAdapter.subscriptions.delete(monitor, created.id);
    expect(graph.control.subscriptions().map((s) => s.id)).not.toContain(created.id);
    await graphAdapter.subscriptions.delete(monitor, created.id); // already gone: still fine
  });
});

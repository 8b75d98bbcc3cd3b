import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { TenantBudget, type SyncClock, type SyncLog, type SyncService } from '../../shared/sync';
import { startLoopbackReceiver, type LoopbackReceiver } from '../support/loopback-receiver';
import { buildSyncService, emulatorAdapters } from '../support/sync-setup';
import { startRunningSyncWorld, startSyncWorld, type SyncWorld } from './sync-harness';

/**
 * Issue 12 part A against the emulators over real HTTP, on simulated time:
 * - two sync processes on one PostgreSQL schema, each with its own Graph and CloudLink clients, so the emulators'
 *   requests can be told apart by process (CloudLink by X-Mitel-App, Graph through a counting pass-through). The
 *   owner freezes (its timers stop, as under SIGSTOP), the other takes over within the lease, the frozen one wakes
 *   and sends nothing to Graph or CloudLink, and both sides end right;
 * - a process starting after an outage reads the PBX first: a DND set while nobody ran reaches Teams in seconds.
 */
jest.setTimeout(90_000);

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const TTL = 10_000;
const RENEW = 2_500;

/** A pass-through to the Graph emulator that counts the writes (anything but GET) this one process sent. */
async function countingGraph(
  target: string,
): Promise<{ url: string; writes: string[]; close(): Promise<void> }> {
  const to = new URL(target);
  const writes: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
    const out = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One process's view of simulated time: while frozen, timers that come due wait for thaw (SIGSTOP, SIGCONT). */
function freezableClock(base: SyncClock): SyncClock & { freeze(): void; thaw(): void; kill(): void } {
  let held: (() => void)[] | null = null;
  let dead = false;
  const setTimer = (ms: number, fn: () => void) =>
    base.setTimer(ms, () => {
      if (dead) return;
      if (held) held.push(fn);
      else fn();
    });
  return {
    now: () => base.now(),
    setTimer,
    sleep: (ms) => new Promise((resolve) => setTimer(ms, resolve)),
    freeze: () => void (held ??= []),
    thaw() {
      const due = held ?? [];
      held = null;
      for (const fn of due) fn();
    },
    kill: () => void (dead = true),
  };
}

interface Proc {
  name: string;
  appId: string;
  service: SyncService;
  clock: ReturnType<typeof freezableClock>;
  store: Store;
  graphWrites: string[];
  events: string[];
  close(): Promise<void>;
}

describe('two sync processes on one PostgreSQL schema: the fence (issue 12 A)', () => {
  const schema = `sync_fence_${process.pid}_${randomBytes(4).toString('hex')}`;
  let w: SyncWorld;
  let receiver: LoopbackReceiver;
  /** Where webhooks go: the process the load balancer would pick (a frozen one takes none). */
  let routeTo: SyncService;
  const procs: Proc[] = [];

  afterAll(async () => {
    for (const p of procs) await p.close();
    await receiver?.close();
    await w?.close();
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  async function spawn(name: string): Promise<Proc> {
    const app = [...w.tenant.apps.values()][0];
    const graphProxy = await countingGraph(w.emulators.graph.baseUrl);
    const store = await openStore(`${PG_URL}?schema=${schema}`);
    const proc = {} as Proc;
    const client = w.emulators.cloudlink.control.addClient({ accountId: w.accountId });
    const appId = `switchboard-${name}/1.0`;
    const { graph, cloudlink } = emulatorAdapters(
      {
        entraBaseUrl: w.emulators.entra.baseUrl,
        tenantId: w.tenant.id,
        clientId: app.clientId,
        clientSecret: app.secrets[0].value,
        graphBaseUrl: graphProxy.url,
        cloudlink: {
          apiBase: w.emulators.cloudlink.apiBase,
          accountId: w.accountId,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
        },
      },
      { appId, budget: () => budget, now: () => w.clock.now(), graphRetries: 0, cloudlinkRetries: 0 },
    );
    const clock = freezableClock(w.clock);
    // Each process has its own budget, built before its adapters meter through it.
    const budget = new TenantBudget({ tenantId: w.tenant.id, clock });
    const events: string[] = [];
    const record = (obj: object) => {
      const event = (obj as { event?: unknown }).event;
      if (typeof event === 'string') events.push(event);
    };
    const log: SyncLog = { error: record, warn: record, info: record };
    const service = buildSyncService({
      tenantId: w.tenant.id,
      clientId: app.clientId,
      mode: 'notifications',
      webhookBase: receiver.baseUrl,
      cloudLinkWebhooks: true,
      options: {
        cloudLinkWebhookKey: 'cloudlink-webhook-key',
        ownership: { holder: name, ttlMs: TTL, renewEveryMs: RENEW },
      },
      deps: {
        budget,
        graph,
        subscriptions: graph.subscriptions,
        cloudlink,
        store,
        clock,
        log,
        mapping: () => w.mapping,
        selection: () => w.selection,
      },
    });
    Object.assign(proc, {
      name,
      appId,
      service,
      clock,
      store,
      graphWrites: graphProxy.writes,
      events,
      async close() {
        clock.kill();
        await service.stop().catch(() => undefined);
        await graphProxy.close();
        await store.close();
      },
    });
    procs.push(proc);
    return proc;
  }

  /** The writes (anything but GET, tokens aside) CloudLink received from this process. */
  const cloudlinkWrites = (p: Proc) =>
    w.emulators.cloudlink.control.calls.filter(
      (c) => c.xMitelApp === p.appId && c.method !== 'GET' && !/\/(token|authorize)$/.test(c.path),
    );
  const ownership = (p: Proc) => p.service.health().syncOwnership?.state;
  const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
  const pbx = () => w.emulators.cloudlink.pbx;
  /** Simulated time in steps of `step`, letting PostgreSQL answer between steps (real I/O). */
  const pass = async (ms: number, step = 250) => {
    for (let t = 0; t < ms; t += step) {
      await w.clock.advance(step, step);
      await w.storeIdle();
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  it('the frozen owner wakes after the takeover and sends nothing; the new owner carries both directions', async () => {
    // The harness seeds its monitor account into the same schema both processes use.
    w = await startSyncWorld({ users: 3, storeUrl: `${PG_URL}?schema=${schema}` });
    receiver = await startLoopbackReceiver(() => routeTo);
    const a = await spawn('a');
    const b = await spawn('b');
    routeTo = a.service;
    await a.service.start();
    await w.run(a.service.refreshUsers());
    for (const p of w.people) w.emulators.graph.control.teams(p.id, 'signIn');
    await b.service.start();
    expect([ownership(a), ownership(b)]).toEqual(['owner', 'standby']);
    expect(w.emulators.graph.control.subscriptions()).toHaveLength(1);

    // The owner works: a PBX DND reaches Teams through it.
    pbx().setDnd(w.pbxIds[0], true, 'Lunch');
    await w.eventually(() => expect(presence(0).availability).toBe('DoNotDisturb'));
    expect(a.graphWrites.some((r) => r.includes('/presence/setPresence'))).toBe(true);
    await pass(1_000);

    // SIGSTOP: the owner's timers stop; the load balancer sends nothing more its way.
    a.clock.freeze();
    routeTo = b.service;
    const graphBefore = a.graphWrites.length;
    const cloudlinkBefore = cloudlinkWrites(a).length;
    const frozenAt = w.clock.now();
    while (ownership(b) !== 'owner') {
      if (w.clock.now() - frozenAt > 20_000) throw new Error('no takeover');
      await pass(250);
    }
    const takeover = w.clock.now() - frozenAt;
    expect(takeover).toBeGreaterThanOrEqual(TTL - RENEW);
    expect(takeover).toBeLessThanOrEqual(TTL + 1_000); // the lease, and the standby's try the moment it ran out

    // While the old owner is frozen: a phone DND ends, and a Teams meeting starts, both handled by the new owner.
    pbx().setDnd(w.pbxIds[0], false, null);
    w.emulators.graph.control.teams(w.people[1].id, 'joinMeeting');
    await w.eventually(() => {
      expect(presence(0).availability).not.toBe('DoNotDisturb');
      expect(pbx().presentity(w.pbxIds[1])).toMatchObject({ status: 'dnd', reason: 'In a meeting' });
    }, 20_000);
    expect(b.events).toEqual(expect.arrayContaining(['sync.owner', 'sync.takeover']));
    await pass(5_000);

    // SIGCONT, the worst order: a PBX event that waited at the frozen process's door is handled before its timers.
    pbx().setDnd(w.pbxIds[2], true, 'Lunch'); // delivered to the new owner by CloudLink, and...
    const waiting = a.service.onPbxEvent({
      kind: 'presence',
      principalId: w.pbxIds[2],
      status: null,
      at: null,
    }); // ...an older copy the frozen one had in its socket buffer
    a.clock.thaw();
    await w.run(waiting.catch(() => undefined));
    await pass(5_000);

    // Zero writes from the fenced owner, at either emulator; it stood down and stays down.
    expect(a.graphWrites.slice(graphBefore)).toEqual([]);
    expect(cloudlinkWrites(a).slice(cloudlinkBefore)).toEqual([]);
    expect(a.events).toEqual(expect.arrayContaining(['sync.standDown']));
    expect(ownership(a)).toBe('standby');
    await pass(20_000);
    expect([ownership(a), ownership(b)]).toEqual(['standby', 'owner']);
    expect(a.graphWrites.slice(graphBefore)).toEqual([]);
    expect(cloudlinkWrites(a).slice(cloudlinkBefore)).toEqual([]);

    // Both sides are right, through the new owner alone.
    await w.eventually(() => {
      expect(presence(0).availability).not.toBe('DoNotDisturb');
      expect(pbx().presentity(w.pbxIds[0])).toMatchObject({ status: 'available' });
      expect(pbx().presentity(w.pbxIds[1])).toMatchObject({ status: 'dnd', reason: 'In a meeting' });
      expect(presence(2).availability).toBe('DoNotDisturb');
    }, 20_000);
    expect(b.graphWrites.some((r) => r.includes('/presence/setPresence'))).toBe(true);
    expect(cloudlinkWrites(b).length).toBeGreaterThan(0);
    // No duplicate subscriptions: one Graph subscription, one CloudLink subscription per topic.
    expect(w.emulators.graph.control.subscriptions()).toHaveLength(1);
    expect(w.emulators.cloudlink.control.subscriptions(w.accountId)).toHaveLength(2);
  });
});

describe('a process starting after an outage (issue 11 item 4)', () => {
  let w: SyncWorld | undefined;
  afterEach(async () => w?.close());

  it('reads the PBX of users not heard from since the outage began first: a DND set meanwhile reaches Teams in seconds', async () => {
    w = await startRunningSyncWorld({ users: 3 });
    await w.eventually(() => expect(w!.service.health().syncOwnership?.state).toBe('owner'));
    await w.run(w.service.resyncAll()); // every user's PBX view read and stored
    await w.clock.advance(5_000, 250);
    // The process dies (its timers never run again: kill -9); nobody listens to CloudLink for five minutes while a
    // user turns DND on at the phone.
    w.stall();
    w.dropCloudLinkWebhooks = true;
    w.emulators.cloudlink.pbx.setDnd(w.pbxIds[1], true, 'Lunch');
    await w.clock.advance(5 * 60_000, 10_000);
    w.dropCloudLinkWebhooks = false;
    expect(w.emulators.graph.control.presence(w.people[1].id).availability).not.toBe('DoNotDisturb');
    await w.crash(); // a new process on the same store
    const started = w.clock.now();
    await w.eventually(() =>
      expect(w!.emulators.graph.control.presence(w!.people[1].id).availability).toBe('DoNotDisturb'),
    );
    // Within seconds of the start, not at the first resync a minute later.
    expect(w.clock.now() - started).toBeLessThanOrEqual(5_000);
  });
});

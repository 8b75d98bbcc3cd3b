/**
 * The sync service wired to the three emulators over real HTTP, as bot/main.ts wires it to the real services: the
 * Graph and CloudLink adapters, Entra tokens (app and monitor ROPC), a webhook receiver on 127.0.0.1:0 that hands
 * posts to the service's framework-free handlers, and a SQLite store. Time: a VirtualClock that drives the
 * emulators' ManualClock, so sessions, subscriptions and tokens expire on simulated time. The service and the adapters
 * are built as in every sync set-up (tests/support/sync-setup.ts); what is this harness's own is simulated time,
 * drift on demand, and processes that crash, stall or run beside each other.
 */
import { ManualClock } from '../../emulators/common/clock';
import { Directory, type DirectoryTenant, type DirectoryUser } from '../../emulators/common/directory';
import { startEmulators, type Emulators } from '../../emulators';
import type { MappingTable, UserSelection } from '../../shared/api/contract';
import type { CloudLinkClient } from '../../shared/adapters/cloudlink';
import type { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../../shared/domain/selection';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import {
  TenantBudget,
  type SyncClock,
  type SyncLog,
  type SyncOptions,
  type SyncService,
  type TenantBudgetOptions,
} from '../../shared/sync';
import { SecretBox } from '../../shared/platform/secret-box';
import { startLoopbackReceiver } from '../support/loopback-receiver';
import { buildSyncService, emulatorAdapters, seedMonitors } from '../support/sync-setup';
import { VirtualClock } from '../support/virtual-clock';

const SECRET = 'sync-test-secret';
export const MONITOR_PASSWORD = 'monitor-Passw0rd';

export interface SyncWorld {
  clock: VirtualClock;
  emulators: Emulators;
  tenant: DirectoryTenant;
  people: DirectoryUser[];
  /** PBX principal id of people[i]. */
  pbxIds: string[];
  accountId: string;
  store: Store;
  service: SyncService;
  /** The budget the adapters and `service` meter through; a restart or a crash builds a new one, as a process does. */
  budget: TenantBudget;
  selection: UserSelection;
  mapping: MappingTable;
  graph: GraphAdapter;
  cloudlink: CloudLinkClient;
  /** Drift on demand: CloudLink's posts are answered but never reach the service. */
  dropCloudLinkWebhooks: boolean;
  /** This many Graph change deliveries are answered 503 before processing (Graph then retries them). */
  failGraphDeliveries: number;
  /** Builds a new service on the same store and emulators, as a process restart does. */
  restart(): Promise<void>;
  /**
   * A `kill -9` and a restart: the running service is dropped without stop() (its timers never fire again, its
   * CloudLink subscriptions and its sync lease stay behind), and a new one starts on the same store and emulators.
   */
  crash(): Promise<void>;
  /**
   * Another process on the same database (its own store connection when `storeUrl` is set) and the same emulators;
   * not started. Webhooks keep going to `world.service`: assign it to route them to this one.
   */
  spawn(options?: { log?: SyncLog }): Promise<SpawnedProcess>;
  /** The current process stalls (a long pause, a frozen VM): its timers wait until the returned resume is called. */
  stall(): () => void;
  /** Resolves when no store call of any process is in flight (real I/O that simulated time cannot wait for). */
  storeIdle(): Promise<void>;
  /** Awaits `work` while simulated time moves on (the rate limiter waits on simulated time). */
  run<T>(work: Promise<T>): Promise<T>;
  /** Waits (moving simulated time a little each step) until `check` stops throwing. */
  eventually(check: () => void | Promise<void>, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSyncWorld(
  opts: {
    users?: number;
    mode?: SyncOptions['mode'];
    monitors?: number;
    options?: Partial<SyncOptions>;
    /** The tenant budget's rates (pbxReadsPerSecond, graphRatePerSecond). */
    budget?: Omit<TenantBudgetOptions, 'tenantId' | 'clock'>;
    /** The CloudLink adapter's own 429/5xx retries (production default 3), waiting on simulated time; default 0. */
    cloudlinkRetries?: number;
    /** Default `sqlite::memory:`; a PostgreSQL URL (with `?schema=`) for tests of several processes on one database. */
    storeUrl?: string;
    /** Keep the CloudLink webhook key sealed in the store, as production does (set `cloudLinkWebhookKey: undefined`). */
    sealWebhookKey?: boolean;
  } = {},
): Promise<SyncWorld> {
  const emuClock = new ManualClock();
  const clock = new VirtualClock(emuClock.now(), (to) => emuClock.advance(to - emuClock.now()));
  const directory = new Directory();
  const tenant = directory.addTenant({ displayName: 'Contoso', domain: 'contoso.example' });
  const app = directory.addApp(tenant.id, {
    displayName: 'Switchboard',
    secrets: [{ id: 's1', value: SECRET, expiresAt: emuClock.now() + 365 * 86_400_000 }],
    grantedApplicationPermissions: [
      'Presence.ReadWrite.All',
      'Presence.Read.All',
      'User.Read.All',
      'GroupMember.Read.All',
    ],
    consentedDelegatedPermissions: ['Presence.Read.All'],
  });
  const people = Array.from({ length: opts.users ?? 3 }, (_, i) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `person${i}@contoso.example`,
      displayName: `Person ${i}`,
      mail: `person${i}@contoso.example`,
    }),
  );
  const monitorNames = Array.from({ length: opts.monitors ?? 1 }, (_, i) => `monitor${i}@contoso.example`);
  for (const m of monitorNames)
    directory.addUser(tenant.id, { userPrincipalName: m, displayName: m, password: MONITOR_PASSWORD });
  const emulators = await startEmulators({ directory, clock: emuClock });
  const pbx = emulators.cloudlink.pbx;
  const accountId = pbx.addAccount({ name: 'Contoso' }).accountId;
  const client = emulators.cloudlink.control.addClient({ accountId });
  const pbxIds = people.map(
    (p, i) =>
      pbx.addUser(accountId, { name: p.displayName, email: p.mail, extension: String(2000 + i) }).principalId,
  );

  // Drift and failures on demand: a Graph delivery answered 503 before processing, CloudLink posts swallowed.
  const receiver = await startLoopbackReceiver(
    () => world.service,
    (path, query) => {
      if (path === '/graph' && !query.validationToken && world.failGraphDeliveries > 0) {
        world.failGraphDeliveries--;
        return 503;
      }
      return path === '/cloudlink' && world.dropCloudLinkWebhooks ? 202 : undefined;
    },
  );

  const { graph, cloudlink } = emulatorAdapters(
    {
      entraBaseUrl: emulators.entra.baseUrl,
      tenantId: tenant.id,
      clientId: app.clientId,
      clientSecret: SECRET,
      graphBaseUrl: emulators.graph.baseUrl,
      cloudlink: {
        apiBase: emulators.cloudlink.apiBase,
        accountId,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
      },
    },
    {
      appId: 'switchboard-tests/1.0',
      budget: () => world.budget,
      now: () => emuClock.now(),
      sleep: (ms) => clock.sleep(ms),
      // The engine owns Graph retries here, on simulated time; the adapter hands failures straight back.
      graphRetries: 0,
      cloudlinkRetries: opts.cloudlinkRetries ?? 0,
    },
  );
  const storeCalls = { inFlight: 0 };
  const store = counting(await openStore(opts.storeUrl ?? 'sqlite::memory:'), storeCalls);
  const secretBox = new SecretBox(Buffer.alloc(32, 3));
  let processClock = mortalClock(clock);
  await seedMonitors(
    store,
    tenant.id,
    monitorNames.map((username, i) => ({ monitorId: `m${i}`, username, passwordSealed: MONITOR_PASSWORD })),
  );
  const quiet: SyncLog = { error: () => undefined, warn: () => undefined, info: () => undefined };
  const newBudget = (time: SyncClock) => new TenantBudget({ tenantId: tenant.id, clock: time, ...opts.budget });
  const build = (
    onStore: Store = store,
    processTime: SyncClock = processClock,
    log: SyncLog = quiet,
    budget = newBudget(processTime),
  ) =>
    buildSyncService({
      tenantId: tenant.id,
      clientId: app.clientId,
      mode: opts.mode ?? 'notifications',
      webhookBase: receiver.baseUrl,
      cloudLinkWebhooks: true,
      options: { cloudLinkWebhookKey: 'cloudlink-webhook-key', ...opts.options },
      deps: {
        budget,
        graph,
        subscriptions: graph.subscriptions,
        cloudlink,
        store: onStore,
        clock: processTime,
        secrets: opts.sealWebhookKey ? secretBox : undefined,
        log,
        mapping: () => world.mapping,
        selection: () => world.selection,
      },
    });
  const world: SyncWorld = {
    clock,
    emulators,
    tenant,
    people,
    pbxIds,
    accountId,
    store,
    service: undefined as unknown as SyncService,
    budget: newBudget(processClock),
    selection: { ...DEFAULT_SELECTION },
    mapping: DEFAULT_MAPPING,
    graph,
    cloudlink,
    dropCloudLinkWebhooks: false,
    failGraphDeliveries: 0,
    async restart() {
      await world.service.stop();
      world.budget = newBudget(processClock);
      world.service = build(store, processClock, quiet, world.budget);
      await world.service.start();
    },
    async crash() {
      processClock.kill();
      processClock = mortalClock(clock);
      world.budget = newBudget(processClock);
      world.service = build(store, processClock, quiet, world.budget);
      await world.service.start();
    },
    stall() {
      return processClock.pause();
    },
    async storeIdle() {
      await new Promise((r) => setTimeout(r, 1));
      while (storeCalls.inFlight > 0) await new Promise((r) => setTimeout(r, 2));
    },
    async spawn(options = {}) {
      const own = opts.storeUrl ? counting(await openStore(opts.storeUrl), storeCalls) : store;
      const time = mortalClock(clock);
      const service = build(own, time, options.log);
      return {
        service,
        store: own,
        kill: () => time.kill(),
        async close() {
          await service.stop();
          if (own !== store) await own.close();
        },
      };
    },
    async run(work) {
      let done = false;
      void work.finally(() => (done = true)).catch(() => undefined);
      while (!done) {
        await clock.advance(20, 10);
        await new Promise((r) => setTimeout(r, 5));
      }
      return work;
    },
    async eventually(check, timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await check();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
        await clock.advance(20, 10);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await world.service.stop();
      await receiver.close();
      await emulators.close();
      await store.close();
    },
  };
  world.service = build(store, processClock, quiet, world.budget);
  return world;
}

export interface SpawnedProcess {
  service: SyncService;
  store: Store;
  /** The process dies: its timers never fire again; nothing is stopped or released. */
  kill(): void;
  close(): Promise<void>;
}

/** Counts the store calls in flight, so a test can let real I/O finish before simulated time moves on. */
function counting(store: Store, calls: { inFlight: number }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          calls.inFlight++;
          result.finally(() => calls.inFlight--).catch(() => undefined);
        }
        return result;
      };
    },
  });
}

/**
 * One process's view of the shared simulated time: when it is killed, none of its timers fire any more; while it is
 * paused, timers that come due wait for resume().
 */
function mortalClock(base: SyncClock): SyncClock & { kill(): void; pause(): () => void } {
  let dead = false;
  let held: (() => void)[] | null = null;
  const pending = new Set<() => void>();
  const setTimer = (ms: number, fn: () => void): (() => void) => {
    if (dead) return () => undefined;
    const cancel = base.setTimer(ms, () => {
      pending.delete(cancel);
      if (dead) return;
      if (held) held.push(fn);
      else fn();
    });
    pending.add(cancel);
    return () => {
      pending.delete(cancel);
      cancel();
    };
  };
  return {
    now: () => base.now(),
    setTimer,
    sleep: (ms) => new Promise((resolve) => setTimer(ms, resolve)),
    pause() {
      held ??= [];
      return () => {
        const due = held ?? [];
        held = null;
        for (const fn of due) if (!dead) fn();
      };
    },
    kill() {
      dead = true;
      for (const cancel of pending) cancel();
      pending.clear();
    },
  };
}

/** A world with the users matched, the service started and everyone signed in to Teams: where most sync tests begin. */
export async function startRunningSyncWorld(
  opts: Parameters<typeof startSyncWorld>[0] = {},
): Promise<SyncWorld> {
  const w = await startSyncWorld(opts);
  await w.service.refreshUsers();
  await w.service.start();
  for (const p of w.people) w.emulators.graph.control.teams(p.id, 'signIn');
  return w;
}

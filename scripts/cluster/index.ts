/**
 * A local Switchboard cluster (issue 12): the emulators with the demo company, N real server processes in live mode
 * on one PostgreSQL schema, and a round-robin proxy in front that is their PUBLIC_BASE_URL, so webhooks, the tab and
 * the API land on any process. Used by `npm run cluster`, tests/integration/cluster-failover.test.ts and
 * `npm run bench -- --failover`. With `tenancy: 'hosted'` the processes run TENANCY=hosted for N customer tenants
 * (hosted.ts), which spread over them (tests/integration/hosted-cluster-failover.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { startTeamsHost } from '../../emulators/teams-host/server';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';
import { freePort } from './free-port';
import { OutboundTap } from './outbound';
import { startProxy, type RunningProxy } from './proxy';
import { ServerProcess, type LogLine } from './server-process';
import {
  hostedServerEnvironment,
  seedHostedCustomers,
  seedHostedStore,
  type HostedCustomers,
} from './hosted';
import { newMonitorRecord } from '../../shared/ports/store';

export { ServerProcess, type LogLine } from './server-process';
export type { OutboundRequest } from './outbound';
export type { ProxyRecord } from './proxy';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface ClusterOptions {
  /** How many server processes (default 3). */
  processes?: number;
  /** PostgreSQL database (default the local test database, trust auth). */
  pgUrl?: string;
  /** Schema for the cluster's tables; default a fresh one, dropped by stop(). */
  schema?: string;
  /** Keep the schema after stop() (a schema you named is always kept). */
  keepSchema?: boolean;
  /** Demo company size (default 36 users, 40 call records each). */
  users?: number;
  callsPerUser?: number;
  /** Port of the proxy (default any free one); the processes get free ports of their own. */
  proxyPort?: number;
  /** The emulators' ports (default any free ones). */
  emulatorPorts?: { entra?: number; graph?: number; cloudlink?: number };
  /** Extra environment for every server process (LOG_LEVEL, SYNC_MODE, ...). */
  env?: Record<string, string>;
  /** Start the Teams-like host page for the tab (needs tab/dist: `npm run build:tab`). */
  teamsHost?: boolean;
  /** The simulated PBX places a random call this often (0 = never, the default). */
  randomCallIntervalMs?: number;
  /** `hosted`: TENANCY=hosted processes serving `tenants` customer tenants (default `single`: the demo company). */
  tenancy?: 'single' | 'hosted';
  /** Hosted: how many customer tenants (default 10), each with `users` staff (default 4). */
  tenants?: number;
  /** Every line any process writes. */
  onLine?: (process: ClusterProcess, line: LogLine) => void;
  /** The repository root (default: found from this file, or the working directory). */
  root?: string;
}

/** A process of the cluster, as the test, the bench and the command see it. */
export interface ClusterProcess {
  readonly index: number;
  readonly name: string;
  readonly pid: number | undefined;
  readonly url: string;
  readonly alive: boolean;
  readonly frozen: boolean;
  readonly lines: LogLine[];
  readonly exited: Promise<void>;
  signal(sig: NodeJS.Signals): void;
  restart(): Promise<void>;
}

/** A change of who runs the tenant's sync, as a process logged it. */
export interface OwnershipEvent {
  at: number;
  process: ClusterProcess;
  pid: number | undefined;
  /** The log event: sync.owner (took the tenant) or one that says it no longer runs it. */
  event: string;
  /** The tenant it is about (every sync line names it). */
  tenantId: string | undefined;
}

export interface Cluster {
  processes: ClusterProcess[];
  proxyUrl: string;
  proxy: RunningProxy;
  /** The Teams-like host page, if started. */
  hostUrl: string | undefined;
  emulators: Emulators;
  /** The demo company (single tenancy; in hosted mode it is seeded but nobody serves it). */
  company: DemoCompany;
  /** Hosted: the partner and its customer tenants. */
  hosted: HostedCustomers | undefined;
  schema: string;
  storeUrl: string;
  /** Requests the processes made to Graph and CloudLink, with the pid that sent each. */
  outbound: OutboundTap;
  /** Every ownership change logged so far, in order. */
  ownership: OwnershipEvent[];
  /**
   * The process that last logged taking the tenant and has not logged losing it, if it is alive (hosted: name the
   * tenant; without one, any tenant's lines count).
   */
  owner(tenantId?: string): ClusterProcess | undefined;
  /** Resolves with the first process to log taking the tenant at or after `since` (epoch ms), other than `not`. */
  nextOwner(
    since: number,
    options?: { not?: ClusterProcess[]; timeoutMs?: number; tenantId?: string },
  ): Promise<OwnershipEvent>;
  /** Which cluster process a pid was (also after it exited). */
  processOfPid(pid: number | undefined): ClusterProcess | undefined;
  stop(): Promise<void>;
}

/** The log events by which a process says it no longer runs the tenant's sync. */
const NOT_OWNER_EVENTS = new Set([
  'sync.leaseLost',
  'sync.leaseRenewFailed',
  'sync.standby',
  'sync.stoodDown',
  'sync.standDown',
  'sync.fenced',
  'sync.stopped',
  'sync.handedOver',
]);

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.processes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error('processes must be 1 to 16');
  const root = options.root ?? repositoryRoot();
  const pgUrl = options.pgUrl ?? DEFAULT_PG_URL;
  const schema = options.schema ?? `cluster_${process.pid}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const storeUrl = `${pgUrl}?schema=${schema}`;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    const emulators = await startEmulators({ ports: options.emulatorPorts });
    cleanups.push(() => emulators.close());
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const proxy = await startProxy({
      backends: ports.map((p) => `http://127.0.0.1:${p}`),
      port: options.proxyPort,
    });
    cleanups.push(() => proxy.close());
    const hostedMode = options.tenancy === 'hosted';
    const company = await seedDemoCompany(emulators, {
      publicBaseUrl: proxy.url,
      users: hostedMode ? 2 : options.users,
      callsPerUser: options.callsPerUser,
    });
    const hosted = hostedMode
      ? seedHostedCustomers(emulators, proxy.url, {
          tenants: options.tenants ?? 10,
          users: options.users ?? 4,
          callsPerUser: options.callsPerUser ?? 5,
        })
      : undefined;
    if (options.randomCallIntervalMs) {
      const stopCalls = emulators.cloudlink.pbx.startRandomCalls(options.randomCallIntervalMs);
      cleanups.push(async () => stopCalls());
    }

    const secretKey = randomBytes(32);
    if (!options.schema && !options.keepSchema) cleanups.push(() => dropSchema(pgUrl, schema));
    if (hosted) await seedHostedStore(storeUrl, hosted, secretKey);
    else await registerMonitors(storeUrl, company, secretKey);

    const env = hosted
      ? hostedServerEnvironment(hosted, emulators, proxy.url, storeUrl, secretKey)
      : serverEnvironment(company, emulators, proxy.url, storeUrl, secretKey);
    const handles: ServerProcess[] = [];
    const processes: ClusterProcess[] = [];
    const pidOwners = new Map<number, ClusterProcess>();
    const ownership: OwnershipEvent[] = [];
    const waiters = new Set<() => void>();
    ports.forEach((port, index) => {
      const handle = new ServerProcess({
        name: `p${index + 1}`,
        port,
        cwd: root,
        env: { ...process.env, ...env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
        onLine: (line) => {
          if (handle.pid !== undefined) pidOwners.set(handle.pid, view);
          if (line.event === 'sync.owner' || NOT_OWNER_EVENTS.has(line.event ?? '')) {
            const tenantId = typeof line.tenantId === 'string' ? line.tenantId : undefined;
            ownership.push({ at: line.time, process: view, pid: handle.pid, event: line.event!, tenantId });
            for (const w of [...waiters]) w();
          }
          options.onLine?.(view, line);
        },
      });
      const view: ClusterProcess = {
        index,
        name: handle.name,
        get pid() {
          return handle.pid;
        },
        url: handle.url,
        get alive() {
          return handle.alive;
        },
        get frozen() {
          return handle.frozen;
        },
        lines: handle.lines,
        get exited() {
          return handle.exited;
        },
        signal: (sig) => handle.signal(sig),
        async restart() {
          await handle.restart();
          if (handle.pid !== undefined) pidOwners.set(handle.pid, view);
        },
      };
      handles.push(handle);
      processes.push(view);
    });
    const outbound = new OutboundTap(emulators, () =>
      handles.flatMap((h) => (h.pid === undefined ? [] : [h.pid])),
    );
    cleanups.push(async () => {
      await Promise.all(handles.map((h) => h.stop()));
    });
    for (const h of handles) h.start();
    handles.forEach((h, i) => h.pid !== undefined && pidOwners.set(h.pid, processes[i]!));
    await Promise.all(handles.map((h) => h.ready()));

    let host: { url: string; close(): Promise<void> } | undefined;
    if (options.teamsHost) {
      host = await startTeamsHost({
        tabUrl: `${proxy.url}/tab/index.html`,
        entraBaseUrl: emulators.entra.baseUrl,
        tenantId: company.tenantId,
        clientId: company.clientId,
        users: company.users.map((u) => ({
          userId: u.entraId,
          displayName: `${u.displayName}${u.isAdmin ? ' (admin)' : ''}`,
        })),
      });
      cleanups.push(() => host!.close());
    }

    const owner = (tenantId?: string): ClusterProcess | undefined => {
      const last = new Map<ClusterProcess, OwnershipEvent>();
      for (const e of ownership)
        if (e.pid === e.process.pid && (tenantId === undefined || e.tenantId === tenantId))
          last.set(e.process, e);
      const owners = [...last.values()]
        .filter((e) => e.event === 'sync.owner' && e.process.alive)
        .sort((a, b) => b.at - a.at);
      return owners[0]?.process;
    };

    return {
      processes,
      proxyUrl: proxy.url,
      proxy,
      hostUrl: host?.url,
      emulators,
      company,
      hosted,
      schema,
      storeUrl,
      outbound,
      ownership,
      owner,
      nextOwner(since, { not = [], timeoutMs = 60_000, tenantId } = {}) {
        return new Promise((resolve, reject) => {
          const look = () => {
            const found = ownership.find(
              (e) =>
                e.event === 'sync.owner' &&
                e.at >= since &&
                !not.includes(e.process) &&
                (tenantId === undefined || e.tenantId === tenantId),
            );
            if (!found) return;
            finish();
            resolve(found);
          };
          const timer = setTimeout(() => {
            finish();
            reject(new Error(`no process took the tenant within ${timeoutMs} ms`));
          }, timeoutMs);
          const finish = () => {
            clearTimeout(timer);
            waiters.delete(look);
          };
          waiters.add(look);
          look();
        });
      },
      processOfPid: (pid) => (pid === undefined ? undefined : pidOwners.get(pid)),
      stop: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/**
 * Everything a live-mode process needs to serve the demo tenant through the emulators (see .env.example): the tenant
 * link, the bot registration, a shared SECRET_KEY (every process must open what another sealed), the proxy as the
 * public URL (loopback http allowed explicitly) and the one store.
 */
function serverEnvironment(
  company: DemoCompany,
  emulators: Emulators,
  publicBaseUrl: string,
  storeUrl: string,
  secretKey: Buffer,
): Record<string, string> {
  return {
    TENANT_ID: company.tenantId,
    CLIENT_ID: company.clientId,
    CLIENT_SECRET: company.clientSecret,
    CLIENT_SECRET_EXPIRES_AT: new Date(company.clientSecretExpiresAt).toISOString(),
    APP_ID_URI: company.appIdUri,
    BOT_ID: company.botId,
    BOT_PASSWORD: randomBytes(16).toString('hex'),
    AUTHORITY_HOST: emulators.entra.baseUrl,
    GRAPH_BASE_URL: emulators.graph.baseUrl,
    CLOUDLINK_API_BASE: emulators.cloudlink.apiBase,
    CLOUDLINK_ACCOUNT_ID: company.cloudlink.accountId,
    CLOUDLINK_CLIENT_ID: company.cloudlink.clientId,
    CLOUDLINK_CLIENT_SECRET: company.cloudlink.clientSecret,
    SECRET_KEY: secretKey.toString('base64'),
    PUBLIC_BASE_URL: publicBaseUrl,
    ALLOW_HTTP_PUBLIC_BASE_URL: 'true',
    STORE_URL: storeUrl,
    SYNC_MODE: 'notifications',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
}

/**
 * The demo's two presence monitor accounts, registered in the store before any process starts, as an admin would on
 * the admin page (live mode registers none by itself): Graph presence subscriptions need them.
 */
async function registerMonitors(storeUrl: string, company: DemoCompany, secretKey: Buffer): Promise<void> {
  const store = await openStore(storeUrl);
  const box = new SecretBox(secretKey);
  try {
    for (const [i, m] of company.monitors.entries())
      await store.putMonitor(
        newMonitorRecord(
          {
            tenantId: company.tenantId,
            monitorId: `cluster-monitor-${i + 1}`,
            username: m.username,
            passwordSealed: box.seal(m.password),
          },
          Date.now(),
        ),
      );
  } finally {
    await store.close();
  }
}

async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const c = new Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

function repositoryRoot(): string {
  for (const dir of [resolve(__dirname, '..', '..'), process.cwd()])
    if (existsSync(join(dir, 'bot', 'main.ts'))) return dir;
  throw new Error('cannot find the repository root (bot/main.ts); pass options.root');
}

/**
 * What the sync test set-ups share: tests/unit/sync-harness.ts (the service over in-memory fakes),
 * tests/integration/sync-harness.ts (over the emulators in this process) and bench/world.ts (over the emulators in a
 * child process) all build the service the same way, seed the same presence monitor records and, for the last two,
 * wire the real adapters to the emulators as bot/ wires them to the real services. Each set-up adds only what is its
 * own: the fakes, simulated time and drift on demand, the bench's probes.
 */
import { CloudLinkClient } from '../../shared/adapters/cloudlink';
import { TokenClient } from '../../shared/adapters/entra/token-client';
import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import type { GraphRequestKind } from '../../shared/ports/outcomes';
import { newMonitorRecord, type MonitorRecord, type Store, type UserRecord } from '../../shared/ports/store';
import {
  createSyncService,
  type SyncDeps,
  type SyncOptions,
  type SyncService,
  type TenantBudget,
} from '../../shared/sync';

/** A presence monitor account as the admin registers it: never signed in, no subscription yet. */
export interface MonitorSeed {
  monitorId: string;
  username: string;
  passwordSealed: string;
}

export function monitorRecord(tenantId: string, m: MonitorSeed, updatedAt = 0): MonitorRecord {
  return newMonitorRecord({ tenantId, ...m }, updatedAt);
}

export async function seedMonitors(store: Store, tenantId: string, monitors: MonitorSeed[]): Promise<void> {
  for (const m of monitors) await store.putMonitor(monitorRecord(tenantId, m));
}

/** A user matched to a PBX user and selected, with the tenant's default switches (what a refresh would store). */
export function matchedUser(
  tenantId: string,
  u: Pick<UserRecord, 'entraUserId' | 'upn' | 'displayName' | 'pbxPrincipalId' | 'extension'>,
  updatedAt = 0,
): UserRecord {
  return { tenantId, ...u, sendToTeams: null, getFromTeams: null, selected: true, updatedAt };
}

export interface ServiceRecipe {
  tenantId: string;
  clientId: string;
  mode: SyncOptions['mode'];
  /** Where Graph posts (`/graph`, `/graph/lifecycle`) and, with `cloudLinkWebhooks`, CloudLink posts (`/cloudlink`). */
  webhookBase: string;
  cloudLinkWebhooks: boolean;
  /** Applied last, over the set-up's defaults (no periodic resync: tests run one when they mean to). */
  options?: Partial<SyncOptions>;
  /** Default: the sealed password is the password (the set-ups seal nothing unless they say so). */
  monitorCredentials?: SyncDeps['monitorCredentials'];
  deps: Omit<SyncDeps, 'monitorCredentials'>;
}

/** Builds the sync service as a test or the bench wants it; nothing runs until start(). */
export function buildSyncService(r: ServiceRecipe): SyncService {
  return createSyncService(
    {
      tenantId: r.tenantId,
      clientId: r.clientId,
      mode: r.mode,
      notificationUrl: `${r.webhookBase}/graph`,
      lifecycleNotificationUrl: `${r.webhookBase}/graph/lifecycle`,
      ...(r.cloudLinkWebhooks && { cloudLinkWebhookUrl: `${r.webhookBase}/cloudlink` }),
      resyncIntervalMs: 0,
      ...r.options,
    },
    {
      monitorCredentials: r.monitorCredentials ?? ((username, sealed) => ({ username, password: sealed })),
      ...r.deps,
    },
  );
}

/** The three emulators' addresses and the tenant's credentials at them. */
export interface EmulatorEndpoints {
  entraBaseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  graphBaseUrl: string;
  cloudlink: { apiBase: string; accountId: string; clientId: string; clientSecret: string };
}

export interface AdapterWiring {
  /** The CloudLink client's app id (the set-up's name in CloudLink's logs). */
  appId: string;
  /** The tenant budget the adapters meter through: read per call, so a set-up may swap it (a restart). */
  budget: () => TenantBudget;
  /** Time for tokens and CloudLink (simulated time in tests); default the wall clock. */
  now?: () => number;
  /** How the CloudLink adapter waits out a 429 (simulated time in tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The adapters' own 429/5xx retries; default the production setting. */
  graphRetries?: number;
  cloudlinkRetries?: number;
  /** Told of every Graph request the budget's limiter let through (the bench counts presence requests). */
  afterGraphAdmitted?: (kind: GraphRequestKind) => void;
}

/**
 * The Entra token client, the Graph adapter and the CloudLink client pointed at the emulators, their hooks wired to
 * the tenant's budget as bot/services/tenant-runtime.ts wires them: Graph presence calls wait for the tenant's limiter,
 * and every call's outcome reaches the tenant's metrics (a Graph 429 pauses the limiter).
 */
export function emulatorAdapters(
  at: EmulatorEndpoints,
  w: AdapterWiring,
): { tokens: TokenClient; graph: GraphAdapter; cloudlink: CloudLinkClient } {
  const tokens = new TokenClient({
    authorityHost: at.entraBaseUrl,
    tenantId: at.tenantId,
    credentials: () => ({ clientId: at.clientId, clientSecret: at.clientSecret }),
    ...(w.now && { now: w.now }),
  });
  const graph = new GraphAdapter({
    baseUrl: at.graphBaseUrl,
    clientId: at.clientId,
    getAppToken: () => tokens.getAppToken(),
    getMonitorToken: (m) =>
      tokens.getUserTokenByPassword(m.username, m.password, 'https://graph.microsoft.com/Presence.Read.All'),
    beforeRequest: async (kind) => {
      await w.budget().graph.beforeRequest(kind);
      w.afterGraphAdmitted?.(kind);
    },
    onOutcome: (o) => w.budget().graph.outcome(o),
    ...(w.graphRetries !== undefined && { maxRetries: w.graphRetries }),
  });
  const cloudlink = new CloudLinkClient({
    ...at.cloudlink,
    appId: w.appId,
    ...(w.now && { now: w.now }),
    ...(w.sleep && { sleep: w.sleep }),
    ...(w.cloudlinkRetries !== undefined && { maxRetries: w.cloudlinkRetries }),
    onOutcome: (o) => w.budget().cloudlink.outcome(o),
  });
  return { tokens, graph, cloudlink };
}

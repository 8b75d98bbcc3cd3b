import { createEntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import type { GraphAdapter } from '../shared/adapters/graph/graph-adapter';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { LogTap, Logger } from '../shared/platform/logger';
import type { SecretBox } from '../shared/platform/secret-box';
import type { Store } from '../shared/ports/store';
import type { SyncService } from '../shared/sync';
import { openProcess, serveSwitchboard } from './serve';
import { syncFacade } from './services/sync-facade';
import { tenantWebhooks } from './services/webhooks';
import { TenantDocuments } from './services/tenant-documents';
import { seedTenantLink } from './services/tenant-link';
import { TenantRuntime } from './services/tenant-runtime';
import type { BotAuth } from './teams/adapter';
import type { BotUser } from './teams/identity';

/** What the process runs against: the customer's tenant (live) or the emulated demo company; built by main.ts. */
export interface Environment {
  tenantId: string;
  tenantName: string;
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: number | null;
  appIdUri: string;
  authorityHost: string;
  graphBaseUrl: string;
  cloudlink?: { apiBase: string; accountId: string; clientId: string; clientSecret: string; appId: string };
  /**
   * How the link above meets the store: 'seed' (default) fills only what the store lacks, so what the admin saved
   * wins; 'replace' overwrites it, for the demo, whose emulated services get fresh secrets on every start.
   */
  linkPolicy?: 'seed' | 'replace';
  /** Admin documents the tenant starts with where the store has none (the demo company's dialling rules). */
  initialSettings?: Record<string, unknown>;
  botAuth: BotAuth;
  secretKey: Buffer;
  /** The demo's presence monitor accounts: registered when the store has none, their passwords refreshed on start. */
  initialMonitors?: { username: string; password: string }[];
  identityOverride?: BotUser;
  appVersion: string;
  tabDir: string;
  /** Serve the tab's source maps: the demo only. */
  tabSourceMaps?: boolean;
}

export interface RunningSwitchboard {
  baseUrl: string;
  store: Store;
  sync?: SyncService;
  close(): Promise<void>;
}

/** How often each process re-reads the tenant link, so a secret saved on another process is used there too. */
const LINK_REFRESH_MS = 10_000;

/** Builds every piece of the server process from the configuration and environment, and starts listening. */
export async function startSwitchboard(
  config: Config,
  env: Environment,
  logger: Logger,
  /** The logger's tap (createProcessLogger): its warnings and errors become the admin page's recent problems. */
  logTap?: LogTap,
): Promise<RunningSwitchboard> {
  const { now, store, secretBox, operatorEvents } = await openProcess(config, env.secretKey, logger, logTap);
  await seedTenantLink(
    store,
    secretBox,
    {
      tenantId: env.tenantId,
      displayName: env.tenantName,
      clientId: env.clientId,
      clientSecret: env.clientSecret,
      clientSecretExpiresAt: env.clientSecretExpiresAt,
      cloudlink: env.cloudlink,
      policy: env.linkPolicy ?? 'seed',
      initialSettings: env.initialSettings,
    },
    now(),
    logger,
  );

  const documents = new TenantDocuments(
    store,
    env.tenantId,
    { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
    logger,
  );
  await documents.refresh();
  let monitorsRegistered = false;
  const runtime = await TenantRuntime.open({
    tenantId: env.tenantId,
    config,
    authorityHost: env.authorityHost,
    graphBaseUrl: env.graphBaseUrl,
    cloudlinkApiBase: env.cloudlink?.apiBase ?? config.cloudlink.apiBase,
    cloudlinkAppId: env.cloudlink?.appId ?? config.cloudlink.appId,
    store,
    secretBox,
    documents,
    logger,
    now,
    async beforeSyncStart() {
      if (monitorsRegistered) return;
      monitorsRegistered = true;
      await registerInitialMonitors(store, secretBox, env, now());
    },
  });
  const { tokens, graph } = runtime;

  const validator = createEntraJwtValidator({
    authorityHost: env.authorityHost,
    allowedTenantIds: [env.tenantId],
    // The environment's app and the one saved on the tenant link page (they differ once an admin changed it there).
    audiences: [...new Set([env.clientId, runtime.clientId, env.appIdUri])],
  });
  const serving = await serveSwitchboard({
    config,
    logger,
    store,
    secretBox,
    now,
    validator,
    isInAdminGroup: config.adminGroupId ? adminGroupCheck(graph, config.adminGroupId) : undefined,
    botAuth: env.botAuth,
    appIdUri: env.appIdUri,
    identityOverride: env.identityOverride,
    onBehalfOf: (_tenant, assertion, scope) => tokens.onBehalfOf(assertion, scope),
    sync: syncFacade({
      tenants: (id) => (id === env.tenantId ? runtime.tenantSync : undefined),
      store,
      secretBox,
      logger,
      now,
      reloadDocuments: () => documents.refresh(),
      linkChanged: (id) => (id === env.tenantId ? runtime.reload() : Promise.resolve()),
      credentialProblems: (id) => (id === env.tenantId ? runtime.credentialProblems() : []),
    }),
    cloudlinkFor: (id) => (id === env.tenantId ? runtime.cloudlink : undefined),
    webhooks: (missedCall) =>
      tenantWebhooks(
        () => runtime.service,
        (event) => missedCall(env.tenantId, event),
      ),
    syncMetrics: () => runtime.metrics,
    appVersion: env.appVersion,
    tabDir: env.tabDir,
    tabSourceMaps: env.tabSourceMaps,
  });

  // The sync service subscribes with webhook URLs on this server, so it starts once the server answers.
  await runtime.start();
  // The admin may save the link on another process: every process re-reads it, as it does the documents.
  const linkRefresh = setInterval(
    () =>
      void runtime
        .reload()
        .catch((e: unknown) =>
          logger.warn({ err: e, tenantId: env.tenantId }, 'reading the tenant link failed'),
        ),
    LINK_REFRESH_MS,
  );
  linkRefresh.unref();
  const stopDocuments = documents.watch();

  return {
    baseUrl: serving.baseUrl,
    store,
    get sync() {
      return runtime.service;
    },
    async close() {
      stopDocuments();
      clearInterval(linkRefresh);
      await serving.close(async () => {
        await runtime.close();
        await operatorEvents?.close();
      });
      await store.close();
    },
  };
}

/**
 * The demo's monitor accounts. The emulated directory gives them new passwords and the emulated Graph starts without
 * subscriptions on every start, so monitors kept from an earlier run get the new password and a fresh subscription;
 * otherwise a restarted demo fails monitor sign-in and Teams changes never reach the phone.
 */
async function registerInitialMonitors(
  store: Store,
  box: SecretBox,
  env: Environment,
  now: number,
): Promise<void> {
  if (!env.initialMonitors?.length) return;
  const kept = (await store.listMonitors(env.tenantId)).filter((m) => m.state !== 'deleted');
  // Only a freshly created (emulated) directory invalidates the kept monitors; otherwise what the store has stands.
  if (kept.length > 0 && env.linkPolicy !== 'replace') return;
  const fresh = {
    state: 'new' as const,
    subscriptionId: null,
    subscriptionExpiresAt: null,
    clientState: null,
    lastError: null,
    updatedAt: now,
  };
  if (kept.length > 0) {
    for (const m of env.initialMonitors) {
      const same = kept.find((k) => k.username.toLowerCase() === m.username.toLowerCase());
      if (same) await store.putMonitor({ ...same, ...fresh, passwordSealed: box.seal(m.password) });
    }
    return;
  }
  for (const [i, m] of env.initialMonitors.entries()) {
    await store.putMonitor({
      tenantId: env.tenantId,
      monitorId: `demo-monitor-${i + 1}`,
      username: m.username,
      passwordSealed: box.seal(m.password),
      passwordExpiresAt: null,
      userIds: [],
      ...fresh,
    });
  }
}

/** Membership of ADMIN_GROUP_ID, read with the app's Graph permissions and cached for five minutes. */
function adminGroupCheck(
  graph: GraphAdapter,
  groupId: string,
): (tenantId: string, userId: string) => Promise<boolean> {
  let cache: { at: number; members: Set<string> } | undefined;
  return async (_tenantId, userId) => {
    if (!cache || Date.now() - cache.at > 5 * 60_000)
      cache = { at: Date.now(), members: new Set(await graph.listGroupMemberIds(groupId)) };
    return cache.members.has(userId);
  };
}

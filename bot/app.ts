import { createEntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { LogTap, Logger } from '../shared/platform/logger';
import type { Store } from '../shared/ports/store';
import type { SyncService } from '../shared/sync';
import { openProcess, serveSwitchboard } from './serve';
import { adminGroupCheck } from './services/admin-group';
import { forgetLastWorld, refuseStoreOfLiveDemo } from './services/fresh-world';
import { registerInitialMonitors } from './services/initial-monitors';
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
  /** The stand-in user's app roles, signed in at start: the playground has no Teams SSO to sign anyone in. */
  identityRoles?: string[];
  appVersion: string;
  tabDir: string;
  /** Serve the tab's source maps: the demo only. */
  tabSourceMaps?: boolean;
  /** Where a missed-call notice's "Open call history" leads when there is no Teams app id to deep-link with. */
  callHistoryUrl?: string;
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
  const { now, store, secretBox, metricsSink, operatorEvents } = await openProcess(
    config,
    env.secretKey,
    logger,
    logTap,
  );
  if (env.linkPolicy === 'replace') {
    // The demo: a world of its own on every start (see fresh-world.ts).
    await refuseStoreOfLiveDemo(store, env.tenantId, config.storeUrl).catch(async (e: unknown) => {
      await store.close();
      throw e;
    });
    await forgetLastWorld(store, env.tenantId, logger);
  }
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
    metricsSink,
    async beforeSyncStart() {
      if (monitorsRegistered) return;
      monitorsRegistered = true;
      await registerInitialMonitors(
        store,
        secretBox,
        env.tenantId,
        env.initialMonitors ?? [],
        env.linkPolicy === 'replace',
        now(),
      );
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
    isInAdminGroup: config.adminGroupId ? adminGroupCheck(graph, config.adminGroupId, now) : undefined,
    botAuth: env.botAuth,
    appIdUri: env.appIdUri,
    identityOverride: env.identityOverride,
    identityRoles: env.identityRoles,
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
        env.tenantId,
      ),
    syncMetrics: () => metricsSink.registry,
    appVersion: env.appVersion,
    tabDir: env.tabDir,
    tabSourceMaps: env.tabSourceMaps,
    callHistoryUrl: env.callHistoryUrl,
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

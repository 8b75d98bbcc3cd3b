import { Registry } from 'prom-client';
import type { Server } from 'restify';
import { createEntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import type { GraphAdapter } from '../shared/adapters/graph/graph-adapter';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { LogTap, Logger } from '../shared/platform/logger';
import { SecretBox } from '../shared/platform/secret-box';
import type { Store } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import type { SyncService } from '../shared/sync';
import { Authenticator } from './auth/authenticator';
import { createServer, listen } from './server';
import { JobRegistry } from './services/jobs';
import { noticeMissedCall } from './services/missed-calls';
import { NoticeService } from './services/notices';
import { OperatorEvents } from './services/operator-events';
import { ReportService } from './services/reports';
import { SignIns } from './services/sign-in';
import { currentWebhooks, syncFacade } from './services/sync-service-facade';
import { TenantDocuments } from './services/tenant-documents';
import { seedTenantLink } from './services/tenant-link';
import { TenantRuntime } from './services/tenant-runtime';
import { createTeamsBot } from './teams';
import { callHistoryLink } from '../shared/teams/deep-link';
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

const NOTICE_SWEEP_MS = 60 * 60 * 1000;
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
  const now = () => Date.now();
  const store = await openStore(config.storeUrl);
  const secretBox = new SecretBox(env.secretKey);
  const operatorEvents = logTap ? new OperatorEvents(store, logTap, logger) : undefined;
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
  const isInAdminGroup = config.adminGroupId ? adminGroupCheck(graph, config.adminGroupId) : undefined;
  const signIns = new SignIns(store, now);
  const teams = createTeamsBot({
    auth: env.botAuth,
    store,
    logger,
    now,
    // On-behalf-of is asked only to learn at sign-in whether the user still has to consent (see teams/sso.ts).
    sso: {
      validator,
      appIdUri: env.appIdUri,
      signInUrl: `${config.publicBaseUrl}/tab/index.html`,
      onBehalfOf: (_tenant, assertion, scope) => tokens.onBehalfOf(assertion, scope),
    },
    signIns,
    isInAdminGroup,
    identityOverride: env.identityOverride,
  });
  const sync = syncFacade({
    tenants: (id) => (id === env.tenantId ? runtime.tenantSync : undefined),
    store,
    secretBox,
    logger,
    now,
    reloadDocuments: () => documents.refresh(),
    linkChanged: (id) => (id === env.tenantId ? runtime.reload() : Promise.resolve()),
    credentialProblems: (id) => (id === env.tenantId ? runtime.credentialProblems() : []),
  });
  const jobs = new JobRegistry(logger, now, store);
  const reports = new ReportService({
    store,
    sync,
    jobs,
    notifier: teams.notifier,
    logger,
    appVersion: env.appVersion,
    now,
  });
  const notices = new NoticeService({
    store,
    notifier: teams.notifier,
    logger,
    now,
    tabUrl: `${config.publicBaseUrl}/tab/index.html`,
    ...(config.teamsAppId ? { callHistoryUrl: callHistoryLink(config.teamsAppId) } : {}),
  });

  const httpMetrics = new Registry();
  const server: Server = createServer({
    logger,
    store,
    now,
    authenticator: new Authenticator({ validator, isInAdminGroup }),
    sync,
    cloudlinkFor: (id) => (id === env.tenantId ? runtime.cloudlink : undefined),
    reports,
    jobs,
    secretBox,
    bot: teams.endpoint({ sync, reports }),
    webhooks: currentWebhooks(
      () => runtime.service,
      (event) => void noticeMissedCall({ store, notices, logger }, env.tenantId, event),
    ),
    metrics: httpMetrics,
    syncMetrics: () => runtime.metrics,
    metricsToken: config.metricsBearerToken,
    tabDir: env.tabDir,
    tabSourceMaps: env.tabSourceMaps,
    onBehalfOf: (_tenant, assertion, scope) => tokens.onBehalfOf(assertion, scope),
    appVersion: env.appVersion,
    defaults: { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
  });
  const baseUrl = await listen(server, config.port, config.host);

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
  const sweep = () => void notices.sweep();
  const firstSweep = setTimeout(sweep, 10_000);
  const sweeps = setInterval(sweep, NOTICE_SWEEP_MS);
  firstSweep.unref();
  sweeps.unref();

  return {
    baseUrl,
    store,
    get sync() {
      return runtime.service;
    },
    async close() {
      clearTimeout(firstSweep);
      clearInterval(sweeps);
      stopDocuments();
      clearInterval(linkRefresh);
      jobs.close(); // a job still running is then reported as interrupted, by whichever process is asked
      await runtime.close();
      await operatorEvents?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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

import type { Server } from 'restify';
import { TokenClient, GRAPH_DEFAULT_SCOPE } from '../shared/adapters/entra/token-client';
import { createEntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import { CloudLinkClient } from '../shared/adapters/cloudlink';
import { GraphAdapter } from '../shared/adapters/graph/graph-adapter';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { Logger } from '../shared/platform/logger';
import { SecretBox } from '../shared/platform/secret-box';
import type { Store } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import { createSyncService, type SyncService } from '../shared/sync';
import { Authenticator } from './auth/authenticator';
import { createServer, listen } from './server';
import { JobRegistry } from './services/jobs';
import { noticeMissedCall, subscribeToCalls } from './services/missed-calls';
import { NoticeService } from './services/notices';
import { ReportService } from './services/reports';
import { SignIns } from './services/sign-in';
import { syncFacade, webhookHandlers, type TenantSync } from './services/sync-service-facade';
import { TenantDocuments } from './services/tenant-documents';
import { createTeamsBot } from './teams';
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
  botAuth: BotAuth;
  secretKey: Buffer;
  /** The demo's presence monitor accounts: registered when the store has none, their passwords refreshed on start. */
  initialMonitors?: { username: string; password: string }[];
  identityOverride?: BotUser;
  appVersion: string;
  tabDir: string;
}

export interface RunningSwitchboard {
  baseUrl: string;
  store: Store;
  sync?: SyncService;
  close(): Promise<void>;
}

const NOTICE_SWEEP_MS = 60 * 60 * 1000;
/** Delegated scope monitor accounts sign in with: presence subscriptions need a user token with Presence.Read.All. */
const MONITOR_SCOPE = 'https://graph.microsoft.com/Presence.Read.All';

/** Builds every piece of the server process from the configuration and environment, and starts listening. */
export async function startSwitchboard(
  config: Config,
  env: Environment,
  logger: Logger,
): Promise<RunningSwitchboard> {
  const now = () => Date.now();
  const store = await openStore(config.storeUrl);
  const secretBox = new SecretBox(env.secretKey);
  await linkTenant(store, secretBox, env, now());

  const tokens = new TokenClient({
    authorityHost: env.authorityHost,
    tenantId: env.tenantId,
    clientId: env.clientId,
    clientSecret: env.clientSecret,
  });
  const documents = new TenantDocuments(
    store,
    env.tenantId,
    { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
    logger,
  );
  await documents.refresh();
  let service: SyncService | undefined;
  const graph = new GraphAdapter({
    baseUrl: env.graphBaseUrl,
    clientId: env.clientId,
    getAppToken: () => tokens.getAppToken(GRAPH_DEFAULT_SCOPE),
    getMonitorToken: (m) => tokens.getUserTokenByPassword(m.username, m.password, MONITOR_SCOPE),
    beforeRequest: (kind) => service?.beforeGraphRequest(kind) ?? Promise.resolve(),
    onOutcome: (outcome) => service?.onGraphOutcome(outcome),
    forgetToken: (token) => tokens.forget(token),
  });
  const cloudlink = env.cloudlink
    ? new CloudLinkClient({ ...env.cloudlink, onOutcome: (outcome) => service?.onCloudLinkOutcome(outcome) })
    : undefined;
  let tenantSync: TenantSync | undefined;
  if (cloudlink) {
    service = createSyncService(
      {
        tenantId: env.tenantId,
        clientId: env.clientId,
        mode: config.sync.mode,
        notificationUrl: `${config.publicBaseUrl}/api/notifications/graph`,
        lifecycleNotificationUrl: `${config.publicBaseUrl}/api/notifications/graph/lifecycle`,
        // Without it the service never subscribes to PBX presence, and phone calls reach Teams only at the hourly resync.
        cloudLinkWebhookUrl: cloudLinkWebhookUrl(config),
        pollIntervalMs: config.sync.pollIntervalMs,
        resyncIntervalMs: config.sync.resyncIntervalMs,
        pbxReadsPerSecond: config.sync.pbxReadsPerSecond,
      },
      {
        graph,
        subscriptions: graph.subscriptions,
        cloudlink,
        store,
        monitorCredentials: (username, sealed) => ({ username, password: secretBox.open(sealed) }),
        mapping: () => documents.mapping,
        selection: () => documents.selection,
      },
    );
    tenantSync = {
      service,
      graph,
      cloudlink,
      check: {
        tenantId: env.tenantId,
        store,
        graph,
        cloudlink,
        getAppToken: () => tokens.getAppToken(GRAPH_DEFAULT_SCOPE),
        publicBaseUrl: config.publicBaseUrl,
        syncMode: config.sync.mode,
        now,
      },
    };
    await registerInitialMonitors(store, secretBox, env, now());
  } else {
    logger.warn(
      'CloudLink is not configured (CLOUDLINK_ACCOUNT_ID, CLOUDLINK_CLIENT_ID, CLOUDLINK_CLIENT_SECRET): presence sync and call history stay off',
    );
  }

  const validator = createEntraJwtValidator({
    authorityHost: env.authorityHost,
    allowedTenantIds: [env.tenantId],
    audiences: [env.clientId, env.appIdUri],
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
    tenants: (id) => (id === env.tenantId ? tenantSync : undefined),
    store,
    secretBox,
    logger,
    now,
    reloadDocuments: () => documents.refresh(),
  });
  const jobs = new JobRegistry(logger, now);
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
  });

  const server: Server = createServer({
    logger,
    store,
    now,
    authenticator: new Authenticator({ validator, isInAdminGroup }),
    sync,
    cloudlinkFor: (id) => (id === env.tenantId ? cloudlink : undefined),
    reports,
    jobs,
    secretBox,
    bot: teams.endpoint({ sync, reports }),
    webhooks: service
      ? webhookHandlers(
          service,
          (body) => void noticeMissedCall({ store, notices, logger }, env.tenantId, body),
        )
      : undefined,
    metrics: service?.metrics ?? new (await import('prom-client')).Registry(),
    metricsToken: config.metricsBearerToken,
    tabDir: env.tabDir,
    appVersion: env.appVersion,
    defaults: { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
  });
  const baseUrl = await listen(server, config.port, config.host);

  // The sync service subscribes with webhook URLs on this server, so it starts once the server answers.
  if (service) {
    // start() resumes from the store; refreshUsers() then matches PBX and Entra users as they are today.
    const running = service;
    await running
      .start()
      .then(() => running.refreshUsers())
      .catch((e: unknown) =>
        logger.error({ err: e }, 'presence sync could not start; run the configuration check'),
      );
  }
  const unsubscribeCalls =
    service && cloudlink
      ? await subscribeToCalls(cloudlink, cloudLinkWebhookUrl(config), service.cloudLinkWebhookKey, logger)
      : async () => undefined;
  const stopDocuments = documents.watch();
  const sweep = () => void notices.sweep();
  const firstSweep = setTimeout(sweep, 10_000);
  const sweeps = setInterval(sweep, NOTICE_SWEEP_MS);
  firstSweep.unref();
  sweeps.unref();

  return {
    baseUrl,
    store,
    sync: service,
    async close() {
      clearTimeout(firstSweep);
      clearInterval(sweeps);
      stopDocuments();
      await unsubscribeCalls();
      await service?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function cloudLinkWebhookUrl(config: Config): string {
  return `${config.publicBaseUrl}/api/notifications/cloudlink`;
}

/** The environment is the source of truth for the tenant link at start-up; the admin's documents are kept. */
async function linkTenant(store: Store, box: SecretBox, env: Environment, now: number): Promise<void> {
  const existing = await store.getTenant(env.tenantId);
  await store.putTenant({
    tenantId: env.tenantId,
    displayName: env.tenantName,
    clientId: env.clientId,
    clientSecretSealed: box.seal(env.clientSecret),
    clientSecretExpiresAt: env.clientSecretExpiresAt ?? existing?.clientSecretExpiresAt ?? null,
    cloudlink: env.cloudlink
      ? {
          accountId: env.cloudlink.accountId,
          clientId: env.cloudlink.clientId,
          clientSecretSealed: box.seal(env.cloudlink.clientSecret),
        }
      : (existing?.cloudlink ?? null),
    settings: existing?.settings ?? {},
    updatedAt: now,
  });
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

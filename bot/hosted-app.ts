import { hostname } from 'node:os';
import { createEntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import type { OperatorSyncState } from '../shared/api/operator';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { LogTap, Logger } from '../shared/platform/logger';
import type { RunningSwitchboard } from './app';
import { openProcess, serveSwitchboard } from './serve';
import { clusterSpreadFor } from './services/cluster-spread';
import { GraphSubscriptionIndex } from './services/graph-subscription-index';
import { hostedWebhooks } from './services/hosted-webhooks';
import { Onboarding } from './services/onboarding';
import { ServiceRefusal } from './services/refusal';
import { syncFacade } from './services/sync-facade';
import { TenantNames } from './services/tenant-names';
import type { TenantRuntime } from './services/tenant-runtime';
import { TENANT_REFRESH_MS, TenantRuntimes } from './services/tenant-runtimes';
import type { BotAuth } from './teams/adapter';

/** The partner's side of a hosted deployment (TENANCY=hosted); the customers' tenants come from the registry. */
export interface HostedEnvironment {
  /** The partner's multi-tenant app registration, which every customer's admin consented to. */
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: number | null;
  appIdUri: string;
  botAuth: BotAuth;
  secretKey: Buffer;
  appVersion: string;
  tabDir: string;
  /** How often the registry is re-read (default TENANT_REFRESH_MS); tests shorten it. */
  tenantRefreshMs?: number;
  /** How old the last good registry read may be before no tenant is served (default REGISTRY_STALE_MS). */
  registryStaleMs?: number;
  /** First wait before a failed read of a tenant's name is tried again (default NAME_RETRY_MS); tests shorten it. */
  tenantNameRetryMs?: number;
}

export interface RunningHostedSwitchboard extends RunningSwitchboard {
  tenants: TenantRuntimes;
  /** The HTTP routes it serves (ServingSwitchboard.routes). */
  routes(): { method: string; path: string }[];
}

/** The operator view's sync state of a tenant in this process. */
function syncStateOf(runtime: TenantRuntime | undefined): OperatorSyncState {
  if (!runtime) return 'notOpen';
  const service = runtime.service;
  return service ? (service.health().syncOwnership?.state ?? 'owner') : 'off';
}

/** How often each process re-reads every tenant's link (a CloudLink account saved on another process). */
const LINK_REFRESH_MS = 10_000;

/**
 * Hosted mode's composition root (issue 16): one server for every customer tenant in the registry. Each tenant has
 * its own runtime (tokens, Graph, CloudLink, sync) and documents in a TenantRuntimes map, and everything that serves a
 * request takes the tenant from it: the token check (a tenant is served while it is open here), the API's sync
 * facade, call history's CloudLink, the bot's on-behalf-of and its gate, and the webhooks.
 */
export async function startHostedSwitchboard(
  config: Config,
  env: HostedEnvironment,
  logger: Logger,
  logTap?: LogTap,
): Promise<RunningHostedSwitchboard> {
  const { now, store, secretBox, metricsSink, operatorEvents } = await openProcess(
    config,
    env.secretKey,
    logger,
    logTap,
  );
  // Several processes on one PostgreSQL: the tenants' sync spreads over them (issue 16 with issue 12's ownership).
  const spread = clusterSpreadFor(config, store, logger);
  await spread?.start();
  const names = new TenantNames({ registry: store.tenantRegistry(), logger, retryMs: env.tenantNameRetryMs });
  const tenants = new TenantRuntimes({
    spread,
    config,
    store,
    secretBox,
    logger,
    now,
    metricsSink,
    app: {
      clientId: env.clientId,
      clientSecret: env.clientSecret,
      clientSecretExpiresAt: env.clientSecretExpiresAt,
    },
    defaults: { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
    // The name its sync leases carry too (their holder is `<this id>/<instance>`), so the operator view and the
    // offboarding name a server the same way.
    processId: spread?.memberId ?? `${hostname()}/${process.pid}`,
    registryStaleMs: env.registryStaleMs,
    // Consent names a tenant by id only: its organisation's name is read with its own app token once it opens.
    opened: (t) => void names.name(t.tenantId, t.runtime.graph),
    closed: (id) => names.forget(id),
  });
  const runtimeOf = (tenantId: string) => tenants.get(tenantId)?.runtime;
  const isTenantServed = (tenantId: string) => tenants.serves(tenantId);
  /** For the token check: a registry this process cannot read is an outage of ours, not an unknown organisation. */
  const isTenantServedNow = (tenantId: string) => {
    if (!tenants.registryFresh())
      throw new ServiceRefusal(
        'unavailable',
        'registry_unavailable',
        'Switchboard cannot read its list of organisations just now; try again in a minute.',
      );
    // The provider's own tenant signs in too, for the operator view; the authenticator keeps it to that.
    return Promise.resolve(tenants.serves(tenantId) || tenantId === config.operatorTenantId);
  };

  const serving = await serveSwitchboard({
    config,
    logger,
    store,
    secretBox,
    now,
    validator: createEntraJwtValidator({
      authorityHost: config.authorityHost,
      isTenantServed: isTenantServedNow,
      audiences: [env.clientId, env.appIdUri],
    }),
    // No ADMIN_GROUP_ID: a group id means one tenant's group; hosted admins hold the app role in their own tenant.
    botAuth: env.botAuth,
    appIdUri: env.appIdUri,
    onBehalfOf: (tenantId, assertion, scope) => {
      const runtime = runtimeOf(tenantId);
      if (!runtime) return Promise.reject(new Error(`tenant ${tenantId} is not served by this process`));
      return runtime.tokens.onBehalfOf(assertion, scope);
    },
    sync: syncFacade({
      tenants: (id) => runtimeOf(id)?.tenantSync,
      store,
      secretBox,
      logger,
      now,
      reloadDocuments: async (id) => void (await tenants.get(id)?.documents.refresh()),
      linkChanged: async (id) => void (await runtimeOf(id)?.reload()),
      credentialProblems: (id) => runtimeOf(id)?.credentialProblems() ?? [],
    }),
    cloudlinkFor: (id) => runtimeOf(id)?.cloudlink,
    webhooks: (missedCall) =>
      hostedWebhooks({
        service: (id) => runtimeOf(id)?.service,
        onPbxEvent: missedCall,
        subscriptions: new GraphSubscriptionIndex(store, () => tenants.ids(), now),
        logger,
      }),
    // Every open tenant's sync series, labelled by tenant; a closed or offboarded tenant's are gone.
    syncMetrics: () => metricsSink.registry,
    appVersion: env.appVersion,
    tabDir: env.tabDir,
    hosted: {
      isTenantServed,
      operatorTenantId: config.operatorTenantId,
      available: () => tenants.registryFresh(),
      syncStateOf: (id) => syncStateOf(tenants.get(id)?.runtime),
      onboarding: new Onboarding({
        registry: store.tenantRegistry(),
        authorityHost: config.authorityHost,
        clientId: env.clientId,
        clientSecret: () => env.clientSecret,
        publicBaseUrl: config.publicBaseUrl,
        logger,
        now,
        // Served at once by the process that took the callback; the others open it at their next refresh.
        activate: async (tenantId) => void (await tenants.open(tenantId)),
      }),
    },
  });

  // Every tenant's sync subscribes with webhook URLs on this server, so the tenants open once it answers.
  await tenants.refresh();
  const refreshing = { registry: Promise.resolve(), links: Promise.resolve() };
  const registryRefresh = setInterval(() => {
    refreshing.registry = tenants
      .refresh()
      .catch((e: unknown) =>
        logger.warn({ err: e, event: 'tenant.refreshFailed' }, 'reading the tenant registry failed'),
      );
  }, env.tenantRefreshMs ?? TENANT_REFRESH_MS);
  const linkRefresh = setInterval(() => {
    refreshing.links = tenants.reloadLinks();
  }, LINK_REFRESH_MS);
  registryRefresh.unref();
  linkRefresh.unref();
  logger.info({ event: 'hosted.started', tenants: tenants.ids().length }, 'hosted Switchboard started');

  return {
    baseUrl: serving.baseUrl,
    store,
    tenants,
    routes: () => serving.routes(),
    async close() {
      clearInterval(registryRefresh);
      clearInterval(linkRefresh);
      names.close();
      await serving.close(async () => {
        await Promise.all([refreshing.registry, refreshing.links]);
        await tenants.closeAll();
        await spread?.stop();
        await operatorEvents?.close();
      });
      await store.close();
    },
  };
}

import { Registry } from 'prom-client';
import type { Server } from 'restify';
import type { EntraJwtValidator } from '../shared/adapters/entra/jwt-validator';
import type { OperatorSyncState } from '../shared/api/operator';
import type { Config } from '../shared/config/load';
import { DEFAULT_MAPPING } from '../shared/domain/mapping';
import { DEFAULT_SELECTION } from '../shared/domain/selection';
import type { LogTap, Logger } from '../shared/platform/logger';
import { SecretBox } from '../shared/platform/secret-box';
import type { CloudLinkPort, PbxEvent } from '../shared/ports/cloudlink';
import type { Store } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import { SyncMetricsSink } from '../shared/sync';
import { callHistoryLink } from '../shared/teams/deep-link';
import { Authenticator } from './auth/authenticator';
import { createServer, listen } from './server';
import { JobRegistry } from './services/jobs';
import { noticeMissedCall } from './services/missed-calls';
import { NoticeService } from './services/notices';
import { OperatorEvents } from './services/operator-events';
import { ONBOARD_PATH, type Onboarding } from './services/onboarding';
import { ReportService } from './services/reports';
import { SignIns, StandInSignIns } from './services/sign-in';
import type { SyncFacade } from './services/sync-facade';
import type { WebhookReceiver } from './services/webhooks';
import { createTeamsBot } from './teams';
import type { BotAuth } from './teams/adapter';
import type { BotUser } from './teams/identity';

const NOTICE_SWEEP_MS = 60 * 60 * 1000;
/** Missed-call notices the connector did not take wait at least a minute (missed-call-retry-policy.ts). */
const MISSED_CALL_RETRY_SWEEP_MS = 60 * 1000;

/**
 * What both compositions (one tenant: app.ts; many: hosted-app.ts) hand the server. Everything tenant-specific comes
 * in as a function of the tenant id, so the server, the bot and the services never know how many tenants there are.
 */
export interface ServeOptions {
  config: Config;
  logger: Logger;
  store: Store;
  secretBox: SecretBox;
  now: () => number;
  validator: EntraJwtValidator;
  /** ADMIN_GROUP_ID membership (single-tenant mode only). */
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  botAuth: BotAuth;
  appIdUri: string;
  identityOverride?: BotUser;
  /** The stand-in user's app roles (Environment.identityRoles). */
  identityRoles?: string[];
  /** On-behalf-of with the tenant's own token client. */
  onBehalfOf: (tenantId: string, assertion: string, scope: string) => Promise<string>;
  sync: SyncFacade;
  cloudlinkFor: (tenantId: string) => CloudLinkPort | undefined;
  /** The webhook receiver; `missedCall` turns a tenant's accepted PBX event into a missed-call notice. */
  webhooks: (missedCall: (tenantId: string, event: PbxEvent) => void) => WebhookReceiver;
  syncMetrics?: () => Registry | undefined;
  appVersion: string;
  tabDir: string;
  tabSourceMaps?: boolean;
  /** Where "Open call history" leads without a Teams app id (the demo: its Teams-like host page). */
  callHistoryUrl?: string;
  /** Hosted mode only: admin-consent onboarding, the bot's gate for tenants not served, the fixed app registration. */
  hosted?: {
    onboarding: Onboarding;
    isTenantServed: (tenantId: string) => boolean;
    /** False while the process cannot trust its tenant list (its registry reads fail): the bot says so. */
    available: () => boolean;
    /** The hosting provider's tenant (OPERATOR_TENANT_ID), whose operators see every tenant; unset: nobody does. */
    operatorTenantId?: string;
    /** The tenant's sync as this process sees it, for the operator view. */
    syncStateOf: (tenantId: string) => OperatorSyncState;
  };
}

export interface ServingSwitchboard {
  baseUrl: string;
  /** Every route the server mounts, as restify's router holds them (tests walk them all, so none is forgotten). */
  routes(): { method: string; path: string }[];
  /**
   * Stops the notice sweeps and the job registry, then runs `stopTenants` (the sync services, the operator events),
   * then closes the HTTP server, which answered webhooks until then.
   */
  close(stopTenants: () => Promise<void>): Promise<void>;
}

/** What every composition opens first: the clock, the store, the secret box, and the admin page's recent problems. */
export async function openProcess(
  config: Config,
  secretKey: Buffer,
  logger: Logger,
  /** The logger's tap (createProcessLogger): its warnings and errors become the admin page's recent problems. */
  logTap?: LogTap,
): Promise<{
  now: () => number;
  store: Store;
  secretBox: SecretBox;
  /** Every served tenant's sync metrics, labelled by tenant: built before any tenant's budget writes to it. */
  metricsSink: SyncMetricsSink;
  operatorEvents?: OperatorEvents;
}> {
  const store = await openStore(config.storeUrl);
  return {
    now: () => Date.now(),
    store,
    metricsSink: new SyncMetricsSink(),
    secretBox: new SecretBox(secretKey),
    operatorEvents: logTap ? new OperatorEvents(store, logTap, logger) : undefined,
  };
}

/** Builds the bot, the services behind the API and the HTTP server, and starts listening and sweeping notices. */
export async function serveSwitchboard(options: ServeOptions): Promise<ServingSwitchboard> {
  const { config, logger, store, now, sync } = options;
  const onboardUrl = options.hosted ? `${config.publicBaseUrl}${ONBOARD_PATH}` : undefined;
  const standIn = options.identityOverride;
  // Only the loopback playground has a stand-in with roles (bot/demo.ts; the config refuses the playground elsewhere).
  const signIns =
    standIn && options.identityRoles && options.botAuth.kind === 'playground'
      ? new StandInSignIns(store, now, { ...standIn, roles: options.identityRoles })
      : new SignIns(store, now);
  const teams = createTeamsBot({
    auth: options.botAuth,
    store,
    logger,
    now,
    // On-behalf-of is asked only to learn at sign-in whether the user still has to consent (see teams/sso.ts).
    sso: {
      validator: options.validator,
      appIdUri: options.appIdUri,
      signInUrl: `${config.publicBaseUrl}/tab/index.html`,
      onBehalfOf: options.onBehalfOf,
    },
    signIns,
    isInAdminGroup: options.isInAdminGroup,
    identityOverride: options.identityOverride,
    ...(options.hosted && onboardUrl
      ? {
          notServed: {
            isTenantServed: options.hosted.isTenantServed,
            available: options.hosted.available,
            onboardUrl,
          },
        }
      : {}),
  });
  const jobs = new JobRegistry(logger, now, store);
  const reports = new ReportService({
    store,
    sync,
    jobs,
    notifier: teams.notifier,
    logger,
    appVersion: options.appVersion,
    now,
  });
  if (!config.teamsAppId && !options.callHistoryUrl)
    logger.warn(
      { event: 'config.teamsAppIdMissing' },
      "TEAMS_APP_ID is not set: missed-call notices link to the tab's web address, which outside Teams only says to open Teams; set it to the app package's id for a link that opens the Calls tab",
    );
  const notices = new NoticeService({
    store,
    notifier: teams.notifier,
    logger,
    now,
    tabUrl: `${config.publicBaseUrl}/tab/index.html`,
    // In Teams a deep link opens the app's tab; the web address outside Teams only says to open Teams.
    callHistoryUrl: config.teamsAppId ? callHistoryLink(config.teamsAppId) : options.callHistoryUrl,
  });

  const server: Server = createServer({
    logger,
    store,
    now,
    authenticator: new Authenticator({
      validator: options.validator,
      isInAdminGroup: options.isInAdminGroup,
      onboardUrl,
      ...(options.hosted?.operatorTenantId
        ? {
            operator: {
              tenantId: options.hosted.operatorTenantId,
              isCustomerServed: options.hosted.isTenantServed,
            },
          }
        : {}),
    }),
    sync,
    cloudlinkFor: options.cloudlinkFor,
    reports,
    jobs,
    secretBox: options.secretBox,
    bot: teams.endpoint({ sync, reports }),
    webhooks: options.webhooks(
      (tenantId, event) => void noticeMissedCall({ store, notices, logger }, tenantId, event),
    ),
    metrics: new Registry(),
    syncMetrics: options.syncMetrics,
    metricsToken: config.metricsBearerToken,
    tabDir: options.tabDir,
    tabSourceMaps: options.tabSourceMaps,
    onBehalfOf: options.onBehalfOf,
    appVersion: options.appVersion,
    defaults: { mapping: DEFAULT_MAPPING, selection: DEFAULT_SELECTION },
    ...(options.hosted
      ? {
          onboarding: { service: options.hosted.onboarding, publicBaseUrl: config.publicBaseUrl },
          partnerApp: true,
          operator: { syncStateOf: options.hosted.syncStateOf },
        }
      : {}),
  });
  const baseUrl = await listen(server, config.port, config.host);

  const sweep = () => void notices.sweep();
  const firstSweep = setTimeout(sweep, 10_000);
  const sweeps = setInterval(sweep, NOTICE_SWEEP_MS);
  const missedCallRetries = setInterval(
    () => void retryMissedCalls(notices, logger),
    MISSED_CALL_RETRY_SWEEP_MS,
  );
  firstSweep.unref();
  sweeps.unref();
  missedCallRetries.unref();
  return {
    baseUrl,
    routes: () =>
      Object.values(server.router.getRoutes()).map((r) => ({ method: r.method, path: String(r.path) })),
    async close(stopTenants) {
      clearTimeout(firstSweep);
      clearInterval(sweeps);
      clearInterval(missedCallRetries);
      jobs.close(); // a job still running is then reported as interrupted, by whichever process is asked
      await stopTenants();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A store that cannot be read now is logged; the next minute tries again. */
function retryMissedCalls(notices: NoticeService, logger: Logger): Promise<void> {
  return notices.retryMissedCalls().then(
    () => undefined,
    (e: unknown) => logger.warn({ err: e }, 'missed-call notice retries could not be read'),
  );
}

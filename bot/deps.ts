import type { Registry } from 'prom-client';
import type { MappingTable, UserSelection } from '../shared/api/contract';
import type { Logger } from '../shared/platform/logger';
import type { SecretBox } from '../shared/platform/secret-box';
import type { CloudLinkPort } from '../shared/ports/cloudlink';
import type { Store } from '../shared/ports/store';
import type { Authenticator } from './auth/authenticator';
import type { JobRegistry } from './services/jobs';
import type { Onboarding } from './services/onboarding';
import type { ReportService } from './services/reports';
import type { SyncFacade } from './services/sync-facade';
import type { WebhookReceiver } from './services/webhooks';

/** Hands an incoming /api/messages request to the bot; implemented in bot/teams (the only botbuilder folder). */
export interface BotEndpoint {
  handle(req: import('restify').Request, res: import('restify').Response): Promise<void>;
}

/** Everything the HTTP server needs, built by the composition root (bot/main.ts) or a test. */
export interface ServerDeps {
  logger: Logger;
  store: Store;
  now: () => number;
  authenticator: Authenticator;
  sync: SyncFacade;
  /** The CloudLink adapter of a tenant; undefined when the tenant has not linked CloudLink yet. */
  cloudlinkFor(tenantId: string): CloudLinkPort | undefined;
  reports: ReportService;
  jobs: JobRegistry;
  secretBox: SecretBox;
  bot: BotEndpoint;
  /** Where the webhook routes hand Graph items and CloudLink posts; absent: the routes are not mounted. */
  webhooks?: WebhookReceiver;
  /** The server's own metrics (HTTP requests). */
  metrics: Registry;
  /** The running sync service's metrics, when one runs (it starts and restarts with the CloudLink link). */
  syncMetrics?: () => Registry | undefined;
  /** The bearer token GET /metrics requires (METRICS_BEARER_TOKEN); undefined: /metrics answers 404. */
  metricsToken?: string;
  /** Folder of the built tab (tab/dist). */
  tabDir: string;
  /**
   * Trades the user's SSO token on behalf of the user: GET /api/me asks once per tab start whether the user must
   * consent first (bot/services/consent-check.ts). Absent: no such check.
   */
  onBehalfOf?: (tenantId: string, assertion: string, scope: string) => Promise<string>;
  /** Serve the tab's source maps (the demo only; production answers 404 for them). */
  tabSourceMaps?: boolean;
  appVersion: string;
  /** What GET /api/admin/mapping and /selection answer before an admin saved anything (the domain's defaults). */
  defaults: { mapping: MappingTable; selection: UserSelection };
  limits?: { maxBodyBytes?: number; burst?: number; perSecond?: number };
  /** Hosted mode: customers' admins onboard their tenant through admin consent (GET /onboard). */
  onboarding?: { service: Onboarding; publicBaseUrl: string };
  /**
   * Hosted mode: every customer signs in through the partner's app registration, so the tenant link page must not
   * change its client id, secret or secret expiry; a customer's admin links CloudLink only.
   */
  partnerApp?: boolean;
  /** Hosted mode: the operator view (/api/operator/*); the tenant's sync as this process sees it. */
  operator?: { syncStateOf: (tenantId: string) => import('../shared/api/operator').OperatorSyncState };
}

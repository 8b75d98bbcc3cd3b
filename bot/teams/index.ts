import type { CloudAdapter } from 'botbuilder';
import type { EntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import type { BotEndpoint } from '../deps';
import type { ReportService } from '../services/reports';
import type { SignIns } from '../services/sign-in';
import type { SyncFacade } from '../services/sync-facade';
import { createCloudAdapter, type BotAuth } from './adapter';
import { SwitchboardBot } from './bot';
import { handleActivityRequest } from './endpoint';
import type { BotUser } from './identity';
import { ProactiveNotifier } from './proactive';
import { BotSso } from './sso';

/**
 * The bot behind /api/messages, and the notifier that reaches Teams users proactively. This folder is the only
 * place that imports botbuilder: moving to the Teams SDK or the Microsoft 365 Agents SDK means rewriting it alone.
 */
export interface TeamsBotOptions {
  auth: BotAuth;
  store: Store;
  logger: Logger;
  now: () => number;
  sso: {
    validator: EntraJwtValidator;
    appIdUri: string;
    signInUrl: string;
    onBehalfOf?: (tenantId: string, assertion: string, scope: string) => Promise<string>;
  };
  signIns: SignIns;
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  identityOverride?: BotUser;
  /** Hosted mode: activities of tenants not served get a polite answer only (see SwitchboardBot). */
  notServed?: {
    isTenantServed: (tenantId: string) => boolean;
    onboardUrl: string;
    available?: () => boolean;
  };
}

export interface TeamsBot {
  adapter: CloudAdapter;
  notifier: ProactiveNotifier;
  /** The endpoint needs the report service, which needs the notifier: so it is bound once both exist. */
  endpoint(services: { sync: SyncFacade; reports: ReportService }): BotEndpoint;
}

export const SSO_CONNECTION_NAME = 'switchboard-sso';

export function createTeamsBot(options: TeamsBotOptions): TeamsBot {
  const connection = createCloudAdapter(options.auth, options.logger);
  const adapter = connection.adapter;
  const notifier = new ProactiveNotifier(
    adapter,
    options.auth.kind === 'playground' ? '' : options.auth.appId,
    options.store,
    options.logger,
  );
  const sso = new BotSso({
    ...options.sso,
    store: options.store,
    signIns: options.signIns,
    logger: options.logger,
    now: options.now,
    connectionName: SSO_CONNECTION_NAME,
  });
  return {
    adapter,
    notifier,
    endpoint({ sync, reports }) {
      const bot = new SwitchboardBot({
        store: options.store,
        sync,
        reports,
        signIns: options.signIns,
        sso,
        logger: options.logger,
        now: options.now,
        isInAdminGroup: options.isInAdminGroup,
        requireSignIn: options.auth.kind !== 'playground',
        identityOverride: options.identityOverride,
        notServed: options.notServed,
      });
      return {
        handle: (req, res) =>
          handleActivityRequest(
            req,
            res,
            connection,
            (context) => bot.run(context),
            options.logger,
            options.auth.kind === 'playground',
          ),
      };
    },
  };
}

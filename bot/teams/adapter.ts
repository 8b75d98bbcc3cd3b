import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { Logger } from '../../shared/platform/logger';
import { messagesFor } from '../conversation/messages';

/**
 * How /api/messages authenticates the Bot Framework. Every mode authenticates every activity, except `playground`,
 * which exists for Microsoft's Agents Playground: it sends activities without an Authorization header, so it is only
 * possible with LOCAL_PLAYGROUND=true on a loopback HOST (the config refuses anything else).
 */
export type BotAuth =
  /** Production: tokens from the Bot Framework channel service, replies with BOT_ID/BOT_PASSWORD. */
  | { kind: 'botFramework'; appId: string; password: string }
  /**
   * Tests and demo: channel tokens are checked against another OpenID issuer (the Entra emulator), so a test can
   * show that unsigned and forged activities are refused without reaching Microsoft.
   */
  | {
      kind: 'customIssuer';
      appId: string;
      password: string;
      openIdMetadataUrl: string;
      issuer: string;
      loginUrl: string;
    }
  /** No credentials: botbuilder then accepts activities without a token and replies to the playground's connector. */
  | { kind: 'playground' };

export interface BotConnection {
  adapter: CloudAdapter;
  /** Kept to authenticate each request ourselves (see endpoint.ts) before the adapter runs the turn. */
  authentication: BotFrameworkAuthentication;
}

export function createCloudAdapter(auth: BotAuth, logger: Logger): BotConnection {
  const options: ConfigurationBotFrameworkAuthenticationOptions =
    auth.kind === 'playground'
      ? {}
      : auth.kind === 'botFramework'
        ? { MicrosoftAppId: auth.appId, MicrosoftAppType: 'MultiTenant' }
        : {
            MicrosoftAppId: auth.appId,
            MicrosoftAppType: 'MultiTenant',
            ValidateAuthority: false,
            ToBotFromChannelOpenIdMetadataUrl: auth.openIdMetadataUrl,
            ToBotFromChannelTokenIssuer: auth.issuer,
            ToBotFromEmulatorOpenIdMetadataUrl: auth.openIdMetadataUrl,
            ToChannelFromBotLoginUrl: auth.loginUrl,
            ToChannelFromBotOAuthScope: 'https://api.botframework.com',
            OAuthUrl: 'https://api.botframework.com',
            CallerId: 'urn:botframework:azure',
          };
  const credentials =
    auth.kind === 'playground'
      ? new ConfigurationServiceClientCredentialFactory({})
      : new ConfigurationServiceClientCredentialFactory({
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.password,
          MicrosoftAppType: 'MultiTenant',
        });
  const authentication = new ConfigurationBotFrameworkAuthentication(options, credentials);
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    try {
      await context.sendActivity(messagesFor(context.activity.locale).turnFailed);
    } catch (e) {
      logger.warn({ err: e }, 'could not tell the user about the failed turn');
    }
  };
  return { adapter, authentication };
}

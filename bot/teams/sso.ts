import { randomUUID } from 'node:crypto';
import {
  CardFactory,
  type Attachment,
  type InvokeResponse,
  type TokenExchangeInvokeRequest,
  type TurnContext,
} from 'botbuilder';
import { EntraError } from '../../shared/adapters/entra/entra-error';
import type { EntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { SSO_SCOPE } from '../auth/caller';
import { messagesFor } from '../conversation/messages';
import type { SignIns } from '../services/sign-in';
import type { BotUser } from './identity';

/**
 * Teams SSO for the bot, without the Bot Framework token service.
 *
 * Why not the token service (OAuth connection + UserTokenClient.exchangeToken, as TeamsSSOTokenExchangeMiddleware
 * does): it is a Microsoft cloud service reached only from Azure Bot registrations, so it cannot run offline, in
 * tests or in the demo, and it would hold user tokens outside our tenant's control. The token Teams hands us in
 * `signin/tokenExchange` is already an Entra token for our API (aud = our identifier URI); we validate it with the
 * same validator as the tab's API and, when Graph is needed as the user, redeem it on-behalf-of with our own app
 * registration. The protocol towards Teams stays the same: an OAuthCard with a tokenExchangeResource, 412 when the
 * exchange cannot complete (Teams then shows the consent/sign-in card), and `signin/verifyState` after consent.
 */
export interface SsoOptions {
  validator: EntraJwtValidator;
  store: Store;
  signIns: SignIns;
  logger: Logger;
  now: () => number;
  /** api://<host>/botid-<clientId>: what Teams asks Entra a token for. */
  appIdUri: string;
  /** Name echoed in the OAuthCard and invoke responses; Teams matches them, the value itself is ours to choose. */
  connectionName: string;
  /** Where the card's sign-in button leads when SSO is not possible in this client (the tab signs in on its own). */
  signInUrl: string;
  /** On-behalf-of for a Graph scope; asked once at sign-in to learn whether the user still has to consent. */
  onBehalfOf?: (tenantId: string, assertion: string, scope: string) => Promise<string>;
}

/** A delegated Graph permission every signed-in user consents to; failing OBO for it means consent is missing. */
export const CONSENT_PROBE_SCOPE = 'https://graph.microsoft.com/User.Read';

export class BotSso {
  constructor(private readonly options: SsoOptions) {}

  /** The card that makes Teams fetch an SSO token silently and send it back in signin/tokenExchange. */
  signInCard(locale?: string): Attachment {
    const m = messagesFor(locale);
    return CardFactory.oauthCard(
      this.options.connectionName,
      m.signInTitle,
      m.signInText,
      this.options.signInUrl,
      {
        id: randomUUID(),
        uri: this.options.appIdUri,
        providerId: '',
      },
    );
  }

  async exchange(context: TurnContext, user: BotUser | undefined): Promise<InvokeResponse> {
    const request = (context.activity.value ?? {}) as Partial<TokenExchangeInvokeRequest>;
    const failed = (detail: string): InvokeResponse => ({
      // 412 tells Teams the exchange did not work, so it falls back to the sign-in / consent card.
      status: 412,
      body: { id: request.id, connectionName: this.options.connectionName, failureDetail: detail },
    });
    if (!user) return failed('The activity does not name a Teams user and tenant.');
    if (typeof request.id !== 'string' || typeof request.token !== 'string')
      return failed('The token exchange request lacks id or token.');

    let roles: string[];
    try {
      const claims = await this.options.validator.validate(request.token);
      // Never trust a tenant or user named anywhere but the token: it must be this very sender's token.
      if (claims.tenantId !== user.tenantId || claims.objectId !== user.userId)
        return failed('The token belongs to another user or tenant.');
      if (!claims.scopes.includes(SSO_SCOPE)) return failed(`The token lacks the ${SSO_SCOPE} scope.`);
      roles = claims.roles;
    } catch (e) {
      this.options.logger.info({ err: e }, 'SSO token refused');
      return failed('The token is not valid for this app.');
    }
    if (this.options.onBehalfOf) {
      try {
        await this.options.onBehalfOf(user.tenantId, request.token, CONSENT_PROBE_SCOPE);
      } catch (e) {
        if (e instanceof EntraError && needsConsent(e)) return failed('Consent is required.');
        this.options.logger.warn({ err: e }, 'on-behalf-of during sign-in failed');
        return failed('Signing in failed; please try again.');
      }
    }
    // Every Teams client the user has open sends the same exchange; the first one wins in every process, the rest
    // are answered 200 without a second sign-in message.
    const first = await this.options.store.markNoticeSent(
      user.tenantId,
      `sso-exchange:${request.id}`,
      this.options.now(),
    );
    if (first) {
      await this.options.signIns.signIn(user.tenantId, user.userId, roles);
      await context.sendActivity(messagesFor(context.activity.locale).signedIn(user.displayName));
    }
    return { status: 200, body: { id: request.id, connectionName: this.options.connectionName } };
  }

  /**
   * After the user consented in the popup Teams sends signin/verifyState with a one-time code meant for the token
   * service. We have no use for it: the next token exchange now succeeds, so we send the sign-in card again.
   */
  async verifyState(context: TurnContext): Promise<InvokeResponse> {
    await context.sendActivity({ attachments: [this.signInCard(context.activity.locale)] });
    return { status: 200 };
  }
}

function needsConsent(e: EntraError): boolean {
  return (
    e.error === 'invalid_grant' ||
    e.error === 'interaction_required' ||
    e.error === 'consent_required' ||
    e.aadstsCode === 65001
  );
}

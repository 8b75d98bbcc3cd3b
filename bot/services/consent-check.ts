import { EntraError } from '../../shared/adapters/entra/entra-error';
import type { Logger } from '../../shared/platform/logger';
import type { UserCaller } from '../auth/caller';
import { ServiceRefusal } from './refusal';

/** A delegated Graph permission every tenant consents to with the app: asking for it tells whether consent is missing. */
export const CONSENT_PROBE_SCOPE = 'https://graph.microsoft.com/User.Read';

export type OnBehalfOf = (tenantId: string, assertion: string, scope: string) => Promise<string>;

/**
 * Trades the user's Teams SSO token on behalf of the user once, when the tab starts (GET /api/me), to learn whether
 * the user (or an admin for everyone) still has to consent to the app. Entra's refusal (AADSTS65001, invalid_grant
 * with suberror consent_required) becomes our `consent_required`, which the tab answers with Teams' consent window.
 * Any other failure is logged and does not stop the tab: nothing the tab shows needs the delegated token today.
 */
export async function ensureConsent(
  onBehalfOf: OnBehalfOf | undefined,
  logger: Logger,
  caller: UserCaller,
  requestId: string,
): Promise<void> {
  if (!onBehalfOf) return;
  try {
    await onBehalfOf(caller.tenantId, caller.ssoToken, CONSENT_PROBE_SCOPE);
  } catch (e) {
    const entra = e instanceof EntraError ? e : undefined;
    const fields = {
      requestId,
      tenantId: caller.tenantId,
      userId: caller.userId,
      code: entra?.code ?? 'on_behalf_of_failed',
      correlationId: entra?.correlationId,
    };
    if (entra?.isConsentRequired()) {
      logger.info(fields, 'on-behalf-of refused: the user has to consent to the app');
      throw new ServiceRefusal(
        'forbidden',
        'consent_required',
        'Switchboard needs your permission to act for you in Microsoft 365 before it can start.',
        'consent_required',
      );
    }
    logger.warn({ ...fields, err: e }, 'on-behalf-of check failed; the tab goes on without it');
  }
}

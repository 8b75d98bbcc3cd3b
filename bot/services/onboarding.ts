import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { EntraError } from '../../shared/adapters/entra/entra-error';
import { GRAPH_DEFAULT_SCOPE, TokenClient } from '../../shared/adapters/entra/token-client';
import type { Logger } from '../../shared/platform/logger';
import { sameSecret } from '../../shared/platform/same-secret';
import type { TenantRegistry } from '../../shared/ports/tenant-registry';

/** How long an admin has between leaving for Entra's consent page and coming back. */
export const ONBOARD_STATE_TTL_MS = 10 * 60_000;
export const ONBOARD_PATH = '/onboard';
export const ONBOARD_CALLBACK_PATH = '/onboard/callback';
/** Who the registry names as having onboarded a tenant that came through this flow. */
export const ONBOARDED_BY_CONSENT = 'admin-consent';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The OAuth errors Entra answers a declined admin consent with (v2 documents consent_required; others use these). */
const DECLINED = new Set(['access_denied', 'consent_required', 'permission_denied']);

export type OnboardFailure =
  /** The callback came without a state, or without the browser cookie it was issued with. */
  | 'state_missing'
  /** A state we never issued, or one already used (a replay). */
  | 'state_unknown'
  | 'state_expired'
  /** The state was issued to another browser (its cookie does not match). */
  | 'state_other_browser'
  | 'consent_declined'
  /** Entra sent an error other than a decline (the AADSTS code says which). */
  | 'consent_error'
  /** Entra said yes but named no tenant we can use. */
  | 'tenant_missing'
  /** Entra refused the app a token in that tenant: the consent did not happen or was revoked. */
  | 'token_refused'
  /** Entra could not be asked (network, throttling, outage): try again. */
  | 'token_unavailable';

export type OnboardOutcome =
  | { ok: true; tenantId: string; reactivated: boolean }
  | { ok: false; failure: OnboardFailure; tenantId?: string; aadsts?: string };

export interface OnboardingOptions {
  registry: TenantRegistry;
  /** https://login.microsoftonline.com, or the Entra emulator. */
  authorityHost: string;
  /** The multi-tenant Switchboard app registration every customer consents to. */
  clientId: string;
  clientSecret: () => string;
  publicBaseUrl: string;
  logger: Logger;
  now: () => number;
  /**
   * Makes the new tenant usable once it is in the registry (its tenant link, its runtime). A failure here is logged;
   * the tenant stays registered and is picked up at the next start.
   */
  activate?: (tenantId: string) => Promise<void>;
}

/**
 * Onboarding a customer's tenant through Entra admin consent (v2 `adminconsent`). The round trip carries a `state`
 * that is random, single-use, expires after ONBOARD_STATE_TTL_MS, is stored only as a SHA-256 digest, and is bound to
 * the browser that started it by a cookie (also kept as a digest), so a link cannot be forwarded, replayed or forged.
 * The query string Entra sends back is believed only after Entra issued the app a token in the named tenant.
 */
export class Onboarding {
  constructor(private readonly options: OnboardingOptions) {}

  get callbackUrl(): string {
    return `${this.options.publicBaseUrl}${ONBOARD_CALLBACK_PATH}`;
  }

  /** Where to send the admin, and the cookie value that binds the state to this browser. */
  async begin(): Promise<{ location: string; browserToken: string; maxAgeSeconds: number }> {
    const { registry, now, authorityHost, clientId } = this.options;
    const state = randomBytes(32).toString('base64url');
    const browserToken = randomBytes(32).toString('base64url');
    await registry.putOnboardingState(
      digest(state),
      { browserHash: digest(browserToken), expiresAt: now() + ONBOARD_STATE_TTL_MS },
      now(),
    );
    const query = new URLSearchParams({
      client_id: clientId,
      redirect_uri: this.callbackUrl,
      state,
      scope: GRAPH_DEFAULT_SCOPE,
    });
    return {
      // `organizations`: the admin who signs in decides which tenant consents.
      location: `${authorityHost}/organizations/v2.0/adminconsent?${query.toString()}`,
      browserToken,
      maxAgeSeconds: ONBOARD_STATE_TTL_MS / 1000,
    };
  }

  /** Checks the round trip, then what Entra answered; logs the outcome with the request's correlation id. */
  async complete(
    query: Record<string, string>,
    browserToken: string | undefined,
    correlationId: string,
  ): Promise<OnboardOutcome> {
    const outcome = await this.decide(query, browserToken);
    const { logger } = this.options;
    if (outcome.ok)
      logger.info(
        {
          event: 'tenant.onboarded',
          tenantId: outcome.tenantId,
          reactivated: outcome.reactivated,
          correlationId,
        },
        'tenant onboarded through admin consent',
      );
    else
      logger.warn(
        {
          event: 'tenant.onboard_failed',
          code: outcome.failure,
          aadsts: outcome.aadsts,
          tenantId: outcome.tenantId,
          correlationId,
        },
        'tenant onboarding failed',
      );
    return outcome;
  }

  private async decide(
    query: Record<string, string>,
    browserToken: string | undefined,
  ): Promise<OnboardOutcome> {
    const { registry, now } = this.options;
    const state = query.state;
    if (!state || !browserToken) return { ok: false, failure: 'state_missing' };
    // Taken (deleted) before anything else is looked at: a state works once, whatever the outcome.
    const pending = await registry.takeOnboardingState(digest(state));
    if (!pending) return { ok: false, failure: 'state_unknown' };
    if (!sameSecret(digest(browserToken), pending.browserHash))
      return { ok: false, failure: 'state_other_browser' };
    if (pending.expiresAt <= now()) return { ok: false, failure: 'state_expired' };

    const aadsts = aadstsOf(query.error_description);
    if (query.error)
      return { ok: false, failure: DECLINED.has(query.error) ? 'consent_declined' : 'consent_error', aadsts };
    const tenantId = query.tenant ?? '';
    if (query.admin_consent?.toLowerCase() !== 'true' || !GUID.test(tenantId))
      return { ok: false, failure: 'tenant_missing' };

    const confirmed = await this.confirm(tenantId.toLowerCase());
    if (confirmed) return { ...confirmed, tenantId: tenantId.toLowerCase() };
    const before = await registry.get(tenantId.toLowerCase());
    await registry.onboard(
      tenantId.toLowerCase(),
      before?.displayName ?? tenantId.toLowerCase(),
      now(),
      ONBOARDED_BY_CONSENT,
    );
    await this.options
      .activate?.(tenantId.toLowerCase())
      .catch((e: unknown) =>
        this.options.logger.error(
          { err: e, tenantId: tenantId.toLowerCase(), event: 'tenant.activate_failed' },
          'the onboarded tenant could not be started; it is registered and starts with the next process start',
        ),
      );
    return { ok: true, tenantId: tenantId.toLowerCase(), reactivated: before !== undefined };
  }

  /** Asks Entra for an app token in the tenant; undefined when it issued one for exactly that tenant. */
  private async confirm(
    tenantId: string,
  ): Promise<{ ok: false; failure: OnboardFailure; aadsts?: string } | undefined> {
    const tokens = new TokenClient({
      authorityHost: this.options.authorityHost,
      tenantId,
      credentials: () => ({ clientId: this.options.clientId, clientSecret: this.options.clientSecret() }),
      now: this.options.now,
    });
    let token: string;
    try {
      token = await tokens.getAppToken(GRAPH_DEFAULT_SCOPE);
    } catch (e) {
      if (!(e instanceof EntraError)) throw e;
      const temporary = e.status === 0 || e.status === 429 || e.status >= 500;
      return { ok: false, failure: temporary ? 'token_unavailable' : 'token_refused', aadsts: e.code };
    }
    let tid: unknown;
    try {
      tid = decodeJwt(token).tid;
    } catch {
      tid = undefined;
    }
    // The token endpoint of that tenant answered, over TLS; its token must say the same tenant.
    if (typeof tid !== 'string' || tid.toLowerCase() !== tenantId)
      return { ok: false, failure: 'token_refused' };
    return undefined;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** `AADSTS65004` from an error description, or undefined; never more of Entra's text than the code. */
function aadstsOf(description: string | undefined): string | undefined {
  const m = /AADSTS(\d{3,7})/.exec(description ?? '');
  return m ? `AADSTS${m[1]}` : undefined;
}

import { createHash, randomUUID } from 'node:crypto';
import { networkFailureOf } from '../http/retry';
import { EntraError } from './entra-error';

/**
 * Access tokens from Entra ID's v2 token endpoint for one tenant and one app registration: app-only tokens (client
 * credentials), monitor-account tokens (password grant, then refresh tokens) and on-behalf-of tokens for signed-in
 * users. Tokens are cached until five minutes before they expire, and concurrent callers of the same token share one
 * request, so a burst of presence writes costs one round trip to Entra.
 *
 * Why the plain endpoint and not @azure/msal-node: MSAL validates the authority and throws `authority_uri_insecure`
 * ("Authority URIs must use https") for any http authority (msal-common's `validateAsUri`, checked in the 2.16
 * build installed here), and it runs instance discovery against login.microsoftonline.com for hosts it does not
 * know. The Entra emulator the tests and the demo run against is plain http on 127.0.0.1, so MSAL could not be
 * pointed at it without a fake TLS endpoint. The three grants used here are single form posts, small enough to own.
 */

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
/** Renew this long before expiry so a token never runs out between the check and Graph reading it. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The app registration's credentials as they are now. */
export interface AppCredentials {
  clientId: string;
  /** Required for app tokens and on-behalf-of; optional for the password grant of a public client. */
  clientSecret?: string;
}

/** One token request, for logs and health: `error` when Entra refused it or it failed. Never a secret or a token. */
export interface TokenOutcome {
  grant: string;
  clientId: string;
  error?: EntraError;
  durationMs: number;
}

export interface TokenClientOptions {
  /** https://login.microsoftonline.com, or the Entra emulator's base URL. */
  authorityHost: string;
  tenantId: string;
  /**
   * Read before every token request, so a secret or client id the admin saves is used by the next request; cached
   * tokens are kept per client id and secret, so a change never reuses a token issued under the old ones.
   */
  credentials: () => AppCredentials;
  /** Every token request, answered or not. */
  onOutcome?: (outcome: TokenOutcome) => void;
  /** Epoch ms; pass the emulators' clock in tests. Defaults to Date.now. */
  now?: () => number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** The first wait after Entra refuses the app's credentials; each refusal in a row doubles it, up to the longest. */
export const REFUSED_APP_FIRST_HOLD_MS = 60 * 1000;
export const REFUSED_APP_LONGEST_HOLD_MS = 15 * 60 * 1000;

/** How a token is asked for. */
export interface TokenRequestOptions {
  /**
   * Ask Entra even while its refusal of these app credentials is held (see TokenClient): the configuration check does,
   * since the admin runs it right after fixing something on Entra's side that no saved setting shows.
   */
  askAgain?: boolean;
}

interface HeldRefusal {
  error: EntraError;
  until: number;
  holdMs: number;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
  refreshToken?: string;
}

/**
 * A refusal of the app's own credentials (a wrong, expired or deleted secret, an app unknown to the tenant) is held:
 * until a growing wait has passed, requests under the same client id and secret fail at once with it instead of
 * asking Entra again. Every Graph call asks for a token, so without this a wrong secret meant about ten refused
 * token requests a second, each one an error line, until someone noticed. A new secret or client id is a different
 * key and is asked at once; a success ends the hold.
 */
export class TokenClient {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly refusedApps = new Map<string, HeldRefusal>();
  private readonly now: () => number;
  private readonly tokenUrl: string;

  constructor(private readonly options: TokenClientOptions) {
    this.now = options.now ?? Date.now;
    this.tokenUrl = `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
  }

  /**
   * Forgets a cached token a service refused with 401 (revoked, or issued under a secret since rotated), so the next
   * request gets a new one. A monitor's refresh token is kept: it may still be good.
   */
  forget(accessToken: string): void {
    for (const [key, cached] of this.cache)
      if (cached.accessToken === accessToken)
        this.cache.set(key, { ...cached, accessToken: '', expiresAt: 0 });
  }

  /** An app-only token; `scope` must be `{resource}/.default`. */
  getAppToken(scope: string = GRAPH_DEFAULT_SCOPE, options: TokenRequestOptions = {}): Promise<string> {
    const credentials = this.clientCredentials(true);
    return this.cached(`app|${appKey(credentials)}|${scope}`, () =>
      this.request({ grant_type: 'client_credentials', scope, ...credentials }, options),
    );
  }

  /**
   * A delegated token for a presence monitor account (ROPC). Keeps the account's refresh token and redeems it when
   * the access token runs out; if the refresh token was refused (expired, revoked) it signs in with the password again.
   */
  getUserTokenByPassword(username: string, password: string, scope: string): Promise<string> {
    const withRefresh = /(^|\s)offline_access(\s|$)/.test(scope) ? scope : `${scope} offline_access`;
    // The password is part of the key (hashed) so a changed password never gets the old account's cached token.
    // Keyed by the client id, not its secret: a refresh token outlives a secret rotation of the same app.
    const key = `user|${this.options.credentials().clientId}|${username.toLowerCase()}|${digest(password)}|${scope}`;
    return this.cached(key, async (previous) => {
      if (previous?.refreshToken) {
        try {
          const renewed = await this.request({
            grant_type: 'refresh_token',
            refresh_token: previous.refreshToken,
            scope: withRefresh,
            ...this.clientCredentials(false),
          });
          return { ...renewed, refreshToken: renewed.refreshToken ?? previous.refreshToken };
        } catch (e) {
          if (!(e instanceof EntraError && e.error === 'invalid_grant')) throw e;
        }
      }
      return this.request({
        grant_type: 'password',
        username,
        password,
        scope: withRefresh,
        ...this.clientCredentials(false),
      });
    });
  }

  /** Trades a signed-in user's token (issued to this app, e.g. the Teams SSO token) for a token for `scope`. */
  onBehalfOf(userAssertion: string, scope: string): Promise<string> {
    const credentials = this.clientCredentials(true);
    return this.cached(`obo|${appKey(credentials)}|${digest(userAssertion)}|${scope}`, () =>
      this.request({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion: userAssertion,
        scope,
        ...credentials,
      }),
    );
  }

  private clientCredentials(secretRequired: boolean): Record<string, string> {
    const { clientId, clientSecret } = this.options.credentials();
    if (clientSecret) return { client_id: clientId, client_secret: clientSecret };
    if (secretRequired)
      throw new Error('TokenClient: this grant needs a client secret, and none is configured');
    return { client_id: clientId };
  }

  private async cached(
    key: string,
    fetchToken: (previous?: CachedToken) => Promise<CachedToken>,
  ): Promise<string> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - REFRESH_MARGIN_MS > this.now()) return hit.accessToken;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = fetchToken(hit).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const token = await pending;
    this.remember(key, token);
    return token.accessToken;
  }

  /** Stores a token and drops expired ones, so on-behalf-of entries (one per user assertion) do not pile up. */
  private remember(key: string, token: CachedToken): void {
    const now = this.now();
    for (const [k, v] of this.cache) if (v.expiresAt <= now && !v.refreshToken) this.cache.delete(k);
    this.cache.set(key, token);
  }

  private async request(
    params: Record<string, string>,
    options: TokenRequestOptions = {},
  ): Promise<CachedToken> {
    const app = appKey(params);
    const held = this.refusedApps.get(app);
    // Not logged again: the refusal was, when Entra gave it.
    if (held && !options.askAgain && this.now() < held.until) throw held.error;
    const startedAt = this.now();
    const outcome = { grant: params.grant_type ?? 'unknown', clientId: params.client_id ?? '' };
    try {
      const token = await this.post(params, startedAt);
      this.refusedApps.delete(app);
      this.options.onOutcome?.({ ...outcome, durationMs: this.now() - startedAt });
      return token;
    } catch (e) {
      if (e instanceof EntraError) {
        if (e.refusal === 'appCredentials') this.hold(app, e, held);
        this.options.onOutcome?.({ ...outcome, error: e, durationMs: this.now() - startedAt });
      }
      throw e;
    }
  }

  private hold(app: string, error: EntraError, previous: HeldRefusal | undefined): void {
    // An app unknown to the tenant (AADSTS700016) is often only not there yet, just after admin consent or a new
    // registration: asked again every minute, never held longer. A wrong or expired secret stays wrong: waits grow.
    const holdMs =
      previous && !error.isAppUnknown()
        ? Math.min(previous.holdMs * 2, REFUSED_APP_LONGEST_HOLD_MS)
        : REFUSED_APP_FIRST_HOLD_MS;
    this.refusedApps.set(app, { error, until: this.now() + holdMs, holdMs });
  }

  private async post(params: Record<string, string>, startedAt: number): Promise<CachedToken> {
    let response: Response;
    try {
      response = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          // Entra echoes this as correlation_id in errors, which ties our logs to Microsoft's.
          'client-request-id': randomUUID(),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (e) {
      const network = networkFailureOf(e);
      if (!network) throw e; // not the network's failure: a bug of ours, to surface as one
      throw new EntraError({
        status: 0,
        error: 'network_error',
        description: `${(e as Error).message}${network.cause ? ` (${network.cause})` : ''}`,
        network,
      });
    }
    const text = await response.text();
    if (!response.ok) throw EntraError.fromResponse(response.status, text);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new EntraError({
        status: response.status,
        error: 'invalid_response',
        description: 'Token response is not JSON.',
      });
    }
    const expiresIn = Number(body.expires_in);
    if (typeof body.access_token !== 'string' || !Number.isFinite(expiresIn)) {
      throw new EntraError({
        status: response.status,
        error: 'invalid_response',
        description: 'Token response lacks access_token or expires_in.',
      });
    }
    return {
      accessToken: body.access_token,
      // Counted from when the request was sent, so network time never makes us think a token lives longer.
      expiresAt: startedAt + expiresIn * 1000,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    };
  }
}

/** Tokens issued under one client id and secret are never served under another. */
function appKey(credentials: Record<string, string>): string {
  return digest(`${credentials.client_id ?? ''}\n${credentials.client_secret ?? ''}`);
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

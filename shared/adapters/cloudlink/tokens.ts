import { CLOUDLINK_CREDENTIALS_REFUSED, CloudLinkError } from '../../ports/cloudlink';
import type { CloudLinkHttp } from './http';
import type { CloudLinkAdapterOptions } from './options';

/** A token is renewed this long before CloudLink says it expires, so no request goes out with a dying one. */
export const EXPIRY_SKEW_MS = 60_000;

interface Held {
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
  /** The secret the token was issued under: a token from a replaced secret is not used again. */
  secret: string;
}

/**
 * The account token of one CloudLink link (client credentials), cached until shortly before it expires, renewed
 * with its refresh token (falling back to client credentials when the refresh token is refused), and shared by
 * concurrent callers so a burst of requests makes one token call.
 */
export class CloudLinkTokens {
  private held: Held | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly http: CloudLinkHttp,
    private readonly options: CloudLinkAdapterOptions,
  ) {}

  get(): Promise<string> {
    const now = this.now();
    if (this.held && this.held.secret !== this.secret()) this.held = undefined;
    if (this.held && this.held.expiresAt - EXPIRY_SKEW_MS > now)
      return Promise.resolve(this.held.accessToken);
    this.pending ??= this.renew().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets the access token (CloudLink refused it), keeping the refresh token for the next `get`. */
  invalidate(rejected: string): void {
    if (this.held?.accessToken === rejected) this.held = { ...this.held, expiresAt: 0 };
  }

  private async renew(): Promise<string> {
    const refresh = this.held?.refreshToken;
    const secret = this.secret();
    if (refresh) {
      try {
        // A confidential client authenticates on every grant, the refresh grant included (RFC 6749 section 6).
        return await this.grant(
          new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refresh,
            client_id: this.options.clientId,
            client_secret: secret,
          }),
          secret,
        );
      } catch (e) {
        // A spent or expired refresh token is not fatal: the client credentials still work.
        if (!(e instanceof CloudLinkError) || (e.status !== 400 && e.status !== 401)) throw e;
      }
    }
    try {
      return await this.grant(
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.options.clientId,
          client_secret: secret,
          account_id: this.options.accountId,
        }),
        secret,
      );
    } catch (e) {
      if (e instanceof CloudLinkError && (e.status === 400 || e.status === 401))
        throw new CloudLinkError(
          e.status,
          CLOUDLINK_CREDENTIALS_REFUSED,
          'CloudLink refused the client id and secret of the tenant link.',
          e.requestId,
        );
      throw e;
    }
  }

  private secret(): string {
    const { clientSecret } = this.options;
    return typeof clientSecret === 'function' ? clientSecret() : clientSecret;
  }

  private async grant(form: URLSearchParams, secret: string): Promise<string> {
    const started = this.now();
    const res = await this.http.request({
      op: 'token',
      service: 'authentication',
      method: 'POST',
      path: '/token',
      body: form,
    });
    const body = res.body as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (typeof body?.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new CloudLinkError(
        res.status,
        'InvalidTokenResponse',
        'The token response has no access_token or expires_in.',
        res.requestId,
      );
    }
    this.held = {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      expiresAt: started + body.expires_in * 1000,
      secret,
    };
    return body.access_token;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

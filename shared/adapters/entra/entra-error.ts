import type { NetworkFailure } from '../../ports/network-failure';
import { SignInError, type SignInRefusal } from '../../ports/sign-in';

/**
 * A refusal from Entra ID's token endpoint, typed so callers can act on it: `error` is the OAuth code, `aadstsCode`
 * the AADSTS number Microsoft documents, `correlationId` what Microsoft support asks for.
 */
export class EntraError extends SignInError {
  readonly status: number;
  readonly error: string;
  readonly aadstsCode: number | undefined;
  readonly description: string;
  readonly correlationId: string | undefined;
  readonly suberror: string | undefined;
  /** Set (with status 0) when the token endpoint gave no answer: the connection failed or the time ran out. */
  readonly network: NetworkFailure | undefined;

  constructor(input: {
    status: number;
    error: string;
    aadstsCode?: number;
    description: string;
    correlationId?: string;
    suberror?: string;
    network?: NetworkFailure;
  }) {
    // The first line of the description is the useful part; trace lines follow it.
    super(`Entra ID ${input.status} ${input.error}: ${input.description.split(/\r?\n/)[0]}`);
    this.name = 'EntraError';
    this.status = input.status;
    this.error = input.error;
    this.aadstsCode = input.aadstsCode;
    this.description = input.description;
    this.correlationId = input.correlationId;
    this.suberror = input.suberror;
    this.network = input.network;
  }

  /** The AADSTS code as Microsoft writes it, or the OAuth error when there is none. */
  get code(): string | undefined {
    return this.aadstsCode !== undefined ? `AADSTS${this.aadstsCode}` : this.error;
  }

  /** Throttling and outages are failures to try again, not refusals. */
  get refusal(): SignInRefusal | undefined {
    if (this.status === 0 || this.status === 429 || this.status >= 500) return undefined;
    if (this.isClientSecretInvalid() || this.isAppUnknown()) return 'appCredentials';
    if (this.isMfaRequired()) return 'mfaRequired';
    if (this.isUserCredentialRejected()) return 'accountCredentials';
    if (this.isConsentRequired()) return 'consentRequired';
    return 'other';
  }

  /** The app registration is not found in the tenant (AADSTS700016), or the client failed to authenticate. */
  isAppUnknown(): boolean {
    return this.aadstsCode === 700016 || (this.error === 'invalid_client' && this.aadstsCode === undefined);
  }

  /** The user or an admin must consent (AADSTS65001): the tab should ask for consent. */
  isConsentRequired(): boolean {
    return (
      this.aadstsCode === 65001 || this.suberror === 'consent_required' || this.error === 'consent_required'
    );
  }

  /** Conditional Access wants MFA (AADSTS50076/50079): an account that cannot do MFA must be exempted by an admin. */
  isMfaRequired(): boolean {
    return this.aadstsCode === 50076 || this.aadstsCode === 50079;
  }

  /** The client secret is wrong (AADSTS7000215) or expired (AADSTS7000222): an admin must enter a new one. */
  isClientSecretInvalid(): boolean {
    return this.aadstsCode === 7000215 || this.aadstsCode === 7000222;
  }

  /** Username or password wrong (AADSTS50126), the account disabled (50057), locked (50053) or its password expired (50055). */
  isUserCredentialRejected(): boolean {
    return [50126, 50057, 50053, 50055].includes(this.aadstsCode ?? 0);
  }

  /**
   * Builds the error from an error response body, tolerating bodies that are not Entra's JSON (proxies, outages). The
   * AADSTS number comes from `error_codes`, the documented field, and nowhere else: the description is prose for
   * people, and a code read out of it would match whatever text a proxy or a future wording puts there.
   */
  static fromResponse(status: number, bodyText: string): EntraError {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: keep the status and a short excerpt so the log says what came back.
    }
    const description =
      typeof body.error_description === 'string' ? body.error_description : bodyText.slice(0, 200);
    const codes = Array.isArray(body.error_codes) ? body.error_codes : [];
    return new EntraError({
      status,
      error: typeof body.error === 'string' ? body.error : `http_${status}`,
      aadstsCode: typeof codes[0] === 'number' ? codes[0] : undefined,
      description,
      correlationId: typeof body.correlation_id === 'string' ? body.correlation_id : undefined,
      suberror: typeof body.suberror === 'string' ? body.suberror : undefined,
    });
  }
}

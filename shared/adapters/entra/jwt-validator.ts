import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
} from 'jose';

/**
 * Validates a bearer token that Entra ID issued to someone calling us: a Teams SSO token from the tab, or an
 * app-only token of another system calling the presence API. Checks, in order: well-formed JWT, RS256, tenant in
 * the allowed set (read from the token, then proven by the issuer and the signature), signature against the
 * tenant's published keys, issuer `${authorityHost}/{tid}/v2.0`, audience, lifetime.
 */

export type EntraTokenRejection =
  | 'malformed'
  | 'bad_signature'
  | 'wrong_tenant'
  | 'bad_issuer'
  | 'bad_audience'
  | 'expired'
  | 'not_yet_valid'
  /** exp - iat longer than Entra ever issues (MAX_TOKEN_LIFETIME_SECONDS). */
  | 'bad_lifetime'
  | 'keys_unavailable'
  /** Hosted mode: a genuine token of an organisation the deployment does not serve (yet, or any more). */
  | 'tenant_not_onboarded';

/**
 * The longest lifetime (exp - iat) accepted. Entra issues access tokens for 60 to 90 minutes, and at most 28 hours
 * to clients capable of continuous access evaluation; a token valid until 2100 was not issued by Entra as it is.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 28 * 3600;

/** Entra tenant ids are GUIDs; in hosted mode nothing else is worth fetching keys for. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Key sets kept at once (each is a cached JWKS document); in hosted mode one per recently seen tenant. */
const MAX_KEY_SETS = 500;

export class EntraTokenError extends Error {
  constructor(
    readonly reason: EntraTokenRejection,
    message: string,
  ) {
    super(message);
    this.name = 'EntraTokenError';
  }
}

export interface EntraTokenClaims {
  tenantId: string;
  /** The calling app (azp in v2 tokens, appid in v1). */
  appId: string;
  audience: string;
  /** Object id of the user (delegated tokens) or of the calling app's service principal. */
  objectId?: string;
  /** Delegated scopes; empty for app-only tokens. */
  scopes: string[];
  /** App roles: the user's (delegated) or the calling app's (app-only). */
  roles: string[];
  name?: string;
  preferredUsername?: string;
  /** True when a user signed in (the token has scp); false for app-only tokens. */
  delegated: boolean;
  /**
   * True only for an app-only token as Entra marks it: `idtyp: app`, or app roles and no `scp`. A token with
   * neither scp nor these markers is neither a user's nor an app's, and is refused wherever one of them is needed.
   */
  appOnly: boolean;
  /** Epoch seconds. */
  expiresAt: number;
  raw: JWTPayload;
}

export interface EntraJwtValidatorOptions {
  /** https://login.microsoftonline.com, or the Entra emulator's base URL. */
  authorityHost: string;
  /**
   * Single-tenant mode: tenants whose tokens are accepted; a token from any other tenant is refused before any key
   * is fetched.
   */
  allowedTenantIds?: string[];
  /**
   * Hosted mode (instead of allowedTenantIds): whether a tenant is served now. Asked only once the token verified
   * against its tenant's keys, issuer and audience, so the answer `tenant_not_onboarded` is given only to a genuine
   * member of that organisation. Tenant ids must be GUIDs, as Entra's are, before any key is fetched.
   */
  isTenantServed?: (tenantId: string) => Promise<boolean>;
  /** Accepted `aud` values: the app's client id and/or its identifier URI. */
  audiences: string[];
  /** Allowed clock skew in seconds (default 300, as Microsoft's own validators). */
  clockToleranceSeconds?: number;
  /** Epoch ms; pass the emulators' clock in tests. Defaults to Date.now. */
  now?: () => number;
}

export interface EntraJwtValidator {
  validate(token: string): Promise<EntraTokenClaims>;
}

export function createEntraJwtValidator(options: EntraJwtValidatorOptions): EntraJwtValidator {
  const host = options.authorityHost.replace(/\/+$/, '');
  const allowed = new Set((options.allowedTenantIds ?? []).map((t) => t.toLowerCase()));
  const served = options.isTenantServed;
  if (allowed.size === 0 && !served)
    throw new Error('createEntraJwtValidator: allowedTenantIds must name at least one tenant');
  if (options.audiences.length === 0)
    throw new Error('createEntraJwtValidator: audiences must name at least one audience');
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keysFor = (tid: string) => {
    let set = keySets.get(tid);
    if (!set) {
      // Hosted mode meets any tenant's tokens: keep the key sets of the most recent few only.
      if (keySets.size >= MAX_KEY_SETS) keySets.delete(keySets.keys().next().value as string);
      set = createRemoteJWKSet(new URL(`${host}/${tid}/discovery/v2.0/keys`));
      keySets.set(tid, set);
    }
    return set;
  };

  return {
    async validate(token: string): Promise<EntraTokenClaims> {
      let alg: string | undefined;
      let unverified: JWTPayload;
      try {
        alg = decodeProtectedHeader(token).alg;
        unverified = decodeJwt(token);
      } catch {
        throw new EntraTokenError('malformed', 'The token is not a well-formed JWT.');
      }
      // Entra signs with RS256 only; "none" or an HMAC algorithm means a forged token.
      if (alg !== 'RS256')
        throw new EntraTokenError(
          'bad_signature',
          `Tokens signed with ${alg ?? 'no algorithm'} are not accepted.`,
        );
      const tid = typeof unverified.tid === 'string' ? unverified.tid.toLowerCase() : '';
      if (served ? !TENANT_ID.test(tid) : !allowed.has(tid))
        throw new EntraTokenError(
          'wrong_tenant',
          'The token was issued for a tenant this app does not serve.',
        );

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keysFor(tid), {
          algorithms: ['RS256'],
          issuer: `${host}/${tid}/v2.0`,
          audience: options.audiences,
          clockTolerance: options.clockToleranceSeconds ?? 300,
          currentDate: new Date((options.now ?? Date.now)()),
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (e) {
        throw toRejection(e);
      }
      checkLifetime(payload, (options.now ?? Date.now)(), options.clockToleranceSeconds ?? 300);
      if (served && !(await served(tid)))
        throw new EntraTokenError('tenant_not_onboarded', 'Your organisation has not set up this app yet.');
      return toClaims(payload, tid);
    },
  };
}

/** jose checks exp and nbf against now; this adds that a token was not issued in the future nor for decades. */
function checkLifetime(payload: JWTPayload, nowMs: number, toleranceSeconds: number): void {
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat > nowMs / 1000 + toleranceSeconds)
    throw new EntraTokenError('not_yet_valid', 'The token claims to be issued in the future.');
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS)
    throw new EntraTokenError('bad_lifetime', 'The token is valid for longer than Entra ID issues tokens.');
}

function toRejection(e: unknown): EntraTokenError {
  if (e instanceof errors.JWTExpired) return new EntraTokenError('expired', 'The token has expired.');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud')
      return new EntraTokenError('bad_audience', 'The token was issued for another audience.');
    if (e.claim === 'iss')
      return new EntraTokenError('bad_issuer', 'The token was not issued by the expected authority.');
    if (e.claim === 'nbf' || e.claim === 'iat')
      return new EntraTokenError('not_yet_valid', 'The token is not valid yet.');
    return new EntraTokenError('malformed', `The token's ${e.claim} claim is invalid.`);
  }
  if (
    e instanceof errors.JWSSignatureVerificationFailed ||
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JOSEAlgNotAllowed
  ) {
    return new EntraTokenError(
      'bad_signature',
      'The token signature does not verify against the tenant keys.',
    );
  }
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) {
    return new EntraTokenError('malformed', 'The token could not be parsed.');
  }
  // Anything else failed while fetching the key set: a timeout, an HTTP error or an unreadable JWKS document.
  return new EntraTokenError('keys_unavailable', 'The tenant signing keys could not be fetched.');
}

function toClaims(payload: JWTPayload, tid: string): EntraTokenClaims {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const scopes = (str(payload.scp) ?? '').split(' ').filter(Boolean);
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    tenantId: tid,
    appId: str(payload.azp) ?? str(payload.appid) ?? '',
    audience: Array.isArray(payload.aud) ? String(payload.aud[0]) : String(payload.aud),
    objectId: str(payload.oid),
    scopes,
    roles,
    name: str(payload.name),
    preferredUsername: str(payload.preferred_username),
    delegated: scopes.length > 0,
    appOnly: scopes.length === 0 && (payload.idtyp === 'app' || roles.length > 0),
    expiresAt: payload.exp as number,
    raw: payload,
  };
}

import { createHash, randomBytes } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { DirectoryApp, DirectoryTenant, DirectoryUser } from '../common/directory';
import { nowSeconds, type EntraContext } from './context';

/**
 * The claims of the tokens the emulator signs. Access tokens are v2-shaped (`ver` 2.0, `azp`) and also carry `appid`
 * because Graph tokens do and the Graph emulator reads it. Lifetimes: access tokens one hour, as Entra's defaults.
 */
export const ACCESS_TOKEN_LIFETIME_S = 3599;

function common(ctx: EntraContext, tenant: DirectoryTenant, lifetimeSeconds: number): JWTPayload {
  const iat = nowSeconds(ctx);
  return {
    iss: ctx.issuer(tenant.id),
    iat,
    nbf: iat,
    exp: iat + lifetimeSeconds,
    tid: tenant.id,
    // Entra's unique token identifier; validators use it to spot replays.
    uti: randomBytes(16).toString('base64url'),
    ver: '2.0',
  };
}

/** Entra's `sub` is pairwise: the same user gets a different subject in each app. */
function pairwiseSubject(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId}:${clientId}`).digest('base64url');
}

export function mintAppToken(
  ctx: EntraContext,
  input: { tenant: DirectoryTenant; app: DirectoryApp; audience: string; roles: string[] },
): Promise<string> {
  const claims: JWTPayload = {
    ...common(ctx, input.tenant, ACCESS_TOKEN_LIFETIME_S),
    aud: input.audience,
    sub: input.app.clientId,
    azp: input.app.clientId,
    azpacr: '1',
    appid: input.app.clientId,
    appidacr: '1',
    app_displayname: input.app.displayName,
    idtyp: 'app',
  };
  // An app with no admin-consented application permission gets a token without a roles claim at all.
  if (input.roles.length > 0) claims.roles = input.roles;
  return ctx.keys.sign(claims);
}

export interface UserTokenInput {
  tenant: DirectoryTenant;
  /** The app the token is issued to (azp). */
  clientId: string;
  appDisplayName?: string;
  user: DirectoryUser;
  audience: string;
  scp: string[];
  roles?: string[];
  amr?: string[];
  lifetimeSeconds?: number;
  /** Whether the client proved itself with a secret (azpacr 1) or is a public client (azpacr 0). */
  clientAuthenticated?: boolean;
}

export function mintUserToken(ctx: EntraContext, input: UserTokenInput): Promise<string> {
  const claims: JWTPayload = {
    ...common(ctx, input.tenant, input.lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_S),
    aud: input.audience,
    sub: pairwiseSubject(input.user.id, input.clientId),
    oid: input.user.id,
    azp: input.clientId,
    azpacr: input.clientAuthenticated ? '1' : '0',
    appid: input.clientId,
    idtyp: 'user',
    name: input.user.displayName,
    preferred_username: input.user.userPrincipalName,
    scp: input.scp.join(' '),
    amr: input.amr ?? ['pwd'],
  };
  if (input.appDisplayName) claims.app_displayname = input.appDisplayName;
  if (input.roles && input.roles.length > 0) claims.roles = input.roles;
  return ctx.keys.sign(claims);
}

/** The OpenID Connect id_token returned when `openid` was asked for: about the user, for the client itself. */
export function mintIdToken(
  ctx: EntraContext,
  input: { tenant: DirectoryTenant; app: DirectoryApp; user: DirectoryUser },
): Promise<string> {
  return ctx.keys.sign({
    ...common(ctx, input.tenant, ACCESS_TOKEN_LIFETIME_S),
    aud: input.app.clientId,
    sub: pairwiseSubject(input.user.id, input.app.clientId),
    oid: input.user.id,
    name: input.user.displayName,
    preferred_username: input.user.userPrincipalName,
  });
}

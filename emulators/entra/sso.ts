import type { EntraContext } from './context';
import { mintUserToken } from './tokens';

/**
 * Teams SSO tokens: what `authentication.getAuthToken()` hands a tab (and the bot's token exchange receives).
 * Teams' own client requests it, so `azp` is the Teams client; `aud` is the app's identifier URI, `scp`
 * access_as_user, and `roles` the app roles the user holds in the app (e.g. Switchboard.Admin).
 */
export const TEAMS_DESKTOP_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

export interface SsoTokenRequest {
  tenantId: string;
  /** The user's object id or UPN. */
  userId: string;
  /** The Switchboard app's client id. */
  clientId: string;
  /** Defaults to the app's first identifier URI. */
  audience?: string;
  /** Defaults to one hour. */
  expiresInSeconds?: number;
  /** Defaults to access_as_user. */
  scp?: string;
}

/** Refused SSO token requests (a test host asking for a token the directory could never issue). */
export class SsoTokenError extends Error {}

export function mintTeamsSsoToken(ctx: EntraContext, input: SsoTokenRequest): Promise<string> {
  const tenant = ctx.directory.tenant(input.tenantId);
  if (!tenant) throw new SsoTokenError(`Tenant '${input.tenantId}' not found.`);
  const app = ctx.directory.appIn(tenant.id, input.clientId);
  if (!app)
    throw new SsoTokenError(
      `Application '${input.clientId}' is not registered in (or consented to by) tenant '${tenant.id}'.`,
    );
  const user = ctx.directory.findUser(tenant.id, input.userId);
  if (!user) throw new SsoTokenError(`User '${input.userId}' does not exist in tenant '${tenant.id}'.`);
  if (!user.accountEnabled) throw new SsoTokenError(`User '${input.userId}' is disabled.`);
  const audience = input.audience ?? app.identifierUris[0];
  if (!audience)
    throw new SsoTokenError(
      `Application '${app.clientId}' exposes no identifier URI, so Teams SSO cannot work.`,
    );
  return mintUserToken(ctx, {
    tenant,
    clientId: TEAMS_DESKTOP_CLIENT_ID,
    user,
    audience,
    scp: (input.scp ?? 'access_as_user').split(/\s+/).filter(Boolean),
    roles: user.appRoles[app.clientId] ?? [],
    lifetimeSeconds: input.expiresInSeconds,
  });
}

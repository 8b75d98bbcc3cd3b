import type { DirectoryApp, DirectoryTenant, DirectoryUser } from '../../common/directory';
import type { EntraContext } from '../context';
import { GRAPH_RESOURCE, type RequestedScope } from '../scopes';
import { ACCESS_TOKEN_LIFETIME_S, mintIdToken, mintUserToken } from '../tokens';

/**
 * The token response of the delegated grants (password, refresh_token, on-behalf-of): a Graph access token with
 * `scp`, a refresh token when `offline_access` was asked for, an id_token when `openid` was, and `scope` listing
 * what was granted with the resource prefix, as Entra reports it.
 */
export async function userTokenResponse(
  ctx: EntraContext,
  input: {
    tenant: DirectoryTenant;
    app: DirectoryApp;
    user: DirectoryUser;
    requested: RequestedScope;
    granted: string[];
    clientAuthenticated: boolean;
    amr?: string[];
    allowRefreshToken: boolean;
  },
) {
  const { tenant, app, user, requested, granted } = input;
  const accessToken = await mintUserToken(ctx, {
    tenant,
    clientId: app.clientId,
    appDisplayName: app.displayName,
    user,
    audience: GRAPH_RESOURCE,
    scp: granted,
    amr: input.amr,
    clientAuthenticated: input.clientAuthenticated,
  });
  const oidc = [...requested.oidc].filter((s) => s !== 'offline_access' || input.allowRefreshToken);
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: [...granted.map((p) => `${GRAPH_RESOURCE}/${p}`), ...oidc].join(' '),
    expires_in: ACCESS_TOKEN_LIFETIME_S,
    ext_expires_in: ACCESS_TOKEN_LIFETIME_S,
    access_token: accessToken,
  };
  if (input.allowRefreshToken && requested.oidc.has('offline_access')) {
    body.refresh_token = ctx.refreshTokens.issue({
      tenantId: tenant.id,
      clientId: app.clientId,
      userId: user.id,
      permissions: granted,
    });
  }
  if (requested.oidc.has('openid')) body.id_token = await mintIdToken(ctx, { tenant, app, user });
  return body;
}

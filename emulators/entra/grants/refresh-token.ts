import { authenticateClient } from '../client-auth';
import { requireParam, type EntraContext, type TokenRequest } from '../context';
import { aad } from '../errors';
import { grantDelegated, isAadErrorSpec, parseScope } from '../scopes';
import { userTokenResponse } from './user-token-response';

/**
 * refresh_token: redeems a refresh token from an earlier delegated grant for a new access token (and a new refresh
 * token). It is bound to the tenant, client and user it was issued for.
 */
export async function refreshTokenGrant(ctx: EntraContext, tr: TokenRequest) {
  const client = authenticateClient(ctx, tr, { secretRequired: false });
  const presented = requireParam(ctx, tr, 'refresh_token');
  const scope = requireParam(ctx, tr, 'scope');
  const requested = parseScope(tr.tenant, scope, ctx.directory.appsIn(tr.tenant.id));
  if (isAadErrorSpec(requested)) throw ctx.errors.fail(tr.req, requested);

  const grant = ctx.refreshTokens.find(presented);
  if (!grant || grant.tenantId !== tr.tenant.id) throw ctx.errors.fail(tr.req, aad.malformedGrant());
  if (grant.clientId !== client.app.clientId) throw ctx.errors.fail(tr.req, aad.grantIssuedToAnotherClient());
  if (grant.expiresAt <= ctx.clock.now()) throw ctx.errors.fail(tr.req, aad.refreshTokenExpired());
  const user = tr.tenant.users.get(grant.userId);
  if (!user) throw ctx.errors.fail(tr.req, aad.userNotFound(tr.tenant.displayName));
  if (!user.accountEnabled) throw ctx.errors.fail(tr.req, aad.accountDisabled());

  // Consent may have been revoked since the refresh token was issued: judge against the app's consent today.
  const granted = grantDelegated(client.app, requested);
  if (isAadErrorSpec(granted)) throw ctx.errors.fail(tr.req, granted);
  return userTokenResponse(ctx, {
    tenant: tr.tenant,
    app: client.app,
    user,
    requested,
    granted,
    clientAuthenticated: client.withSecret,
    allowRefreshToken: true,
  });
}

import { authenticateClient } from '../client-auth';
import { requireParam, type EntraContext, type TokenRequest } from '../context';
import { aad } from '../errors';
import { isAadErrorSpec, parseScope } from '../scopes';
import { ACCESS_TOKEN_LIFETIME_S, mintAppToken } from '../tokens';

/**
 * client_credentials: an app acting as itself. Only `{resource}/.default` is a valid scope; the token's `roles`
 * are the application permissions an admin consented to (for Graph) or the app roles another app's API assigned
 * to the caller.
 */
export async function clientCredentialsGrant(ctx: EntraContext, tr: TokenRequest) {
  const { app } = authenticateClient(ctx, tr, { secretRequired: true });
  const scope = requireParam(ctx, tr, 'scope');
  const items = scope.split(/\s+/).filter(Boolean);
  const notDefault = items.find((s) => !s.endsWith('/.default'));
  if (notDefault !== undefined)
    throw ctx.errors.fail(tr.req, aad.clientCredentialsScopeNotDefault(notDefault));
  const requested = parseScope(tr.tenant, scope, ctx.directory.appsIn(tr.tenant.id));
  if (isAadErrorSpec(requested)) throw ctx.errors.fail(tr.req, requested);

  const roles =
    requested.resource.kind === 'graph'
      ? app.grantedApplicationPermissions
      : (requested.resource.app.roleAssignmentsToApps[app.clientId] ?? []);
  const accessToken = await mintAppToken(ctx, {
    tenant: tr.tenant,
    app,
    audience: requested.resource.audience,
    roles,
  });
  return {
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_S,
    ext_expires_in: ACCESS_TOKEN_LIFETIME_S,
    access_token: accessToken,
  };
}

import { authenticateClient } from '../client-auth';
import { requireParam, type EntraContext, type TokenRequest } from '../context';
import { aad } from '../errors';
import { grantDelegated, GRAPH_APP_ID, isAadErrorSpec, parseScope } from '../scopes';
import { userTokenResponse } from './user-token-response';

/**
 * password (ROPC): used only for the presence monitor accounts. Checks run in the real order: the client, the
 * user's credentials, the account state, Conditional Access (MFA), then consent for the asked scopes.
 */
export async function passwordGrant(ctx: EntraContext, tr: TokenRequest) {
  const client = authenticateClient(ctx, tr, { secretRequired: false });
  const username = requireParam(ctx, tr, 'username');
  const password = requireParam(ctx, tr, 'password');
  const scope = requireParam(ctx, tr, 'scope');
  const requested = parseScope(tr.tenant, scope, ctx.directory.appsIn(tr.tenant.id));
  if (isAadErrorSpec(requested)) throw ctx.errors.fail(tr.req, requested);

  const user = ctx.directory.findUser(tr.tenant.id, username);
  if (!user) throw ctx.errors.fail(tr.req, aad.userNotFound(tr.tenant.displayName));
  if (user.password === undefined || user.password !== password)
    throw ctx.errors.fail(tr.req, aad.invalidPassword());
  if (!user.accountEnabled) throw ctx.errors.fail(tr.req, aad.accountDisabled());
  const resourceId = requested.resource.kind === 'graph' ? GRAPH_APP_ID : requested.resource.app.clientId;
  if (user.mfaRequired) throw ctx.errors.fail(tr.req, aad.mfaRequired(resourceId));

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

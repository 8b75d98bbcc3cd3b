import { authenticateClient } from '../client-auth';
import { nowSeconds, requireParam, type EntraContext, type TokenRequest } from '../context';
import { aad } from '../errors';
import { grantDelegated, isAadErrorSpec, parseScope } from '../scopes';
import { userTokenResponse } from './user-token-response';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * jwt-bearer on-behalf-of: a confidential app trades a user's token that was issued TO it (a Teams SSO token whose
 * aud is the app's identifier URI or client id) for a Graph token for the same user. The assertion must be a user
 * token signed by this authority for this tenant and still valid by the emulator's clock.
 */
export async function onBehalfOfGrant(ctx: EntraContext, tr: TokenRequest) {
  const client = authenticateClient(ctx, tr, { secretRequired: true });
  const assertion = requireParam(ctx, tr, 'assertion');
  const scope = requireParam(ctx, tr, 'scope');
  if (tr.form.get('requested_token_use') !== 'on_behalf_of') {
    throw ctx.errors.fail(tr.req, aad.missingParameter('requested_token_use'));
  }
  const requested = parseScope(tr.tenant, scope, ctx.directory.appsIn(tr.tenant.id));
  if (isAadErrorSpec(requested)) throw ctx.errors.fail(tr.req, requested);

  let claims: Record<string, unknown>;
  try {
    claims = await ctx.keys.verifySignature(assertion);
  } catch {
    throw ctx.errors.fail(
      tr.req,
      aad.assertionInvalid('The provided signature value did not match the expected signature value.'),
    );
  }
  if (claims.iss !== ctx.issuer(tr.tenant.id) || claims.tid !== tr.tenant.id) {
    throw ctx.errors.fail(tr.req, aad.assertionInvalid('The token was not issued for this tenant.'));
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0;
  if (exp <= nowSeconds(ctx) || nbf > nowSeconds(ctx))
    throw ctx.errors.fail(tr.req, aad.assertionExpired(ctx.clock.now(), exp));
  const audience = String(claims.aud ?? '');
  const app = client.app;
  const ownAudiences = [app.clientId, ...app.identifierUris].map((a) => a.toLowerCase());
  if (!ownAudiences.includes(audience.toLowerCase())) {
    throw ctx.errors.fail(tr.req, aad.assertionAudienceMismatch(audience, app.clientId, app.displayName));
  }
  const user =
    typeof claims.oid === 'string' && typeof claims.scp === 'string'
      ? tr.tenant.users.get(claims.oid)
      : undefined;
  if (!user)
    throw ctx.errors.fail(tr.req, aad.assertionInvalid('The assertion is not a user token of this tenant.'));
  if (!user.accountEnabled) throw ctx.errors.fail(tr.req, aad.accountDisabled());
  // The admin consented for the app, but this user's consent was taken away (control API) and not given again.
  if (ctx.consent.isRequired(tr.tenant.id, app.clientId, user.id))
    throw ctx.errors.fail(tr.req, aad.consentRequired(app.clientId, app.displayName));

  const granted = grantDelegated(app, requested);
  if (isAadErrorSpec(granted)) throw ctx.errors.fail(tr.req, granted);
  return userTokenResponse(ctx, {
    tenant: tr.tenant,
    app,
    user,
    requested,
    granted,
    clientAuthenticated: true,
    amr: Array.isArray(claims.amr) ? claims.amr.map(String) : undefined,
    // Refresh tokens from OBO are not used by Switchboard; the emulator does not issue them.
    allowRefreshToken: false,
  });
}

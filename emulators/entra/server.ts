import type { Clock } from '../common/clock';
import type { Directory, TokenVerifier } from '../common/directory';
import { listen, Router, type RunningServer } from '../common/http';
import type { EntraContext } from './context';
import { authorizeDecision, authorizePage, consentControl, ConsentRequirements } from './consent';
import { adminConsentAnswer, adminConsentPage } from './admin-consent';
import { servicePrincipalDelete, servicePrincipalList, ssoTokenControl } from './control';
import { AadErrors } from './errors';
import { SigningKeys } from './keys';
import { jwks, openIdConfiguration } from './metadata';
import { RefreshTokenStore } from './refresh-tokens';
import { mintTeamsSsoToken, type SsoTokenRequest } from './sso';
import { tokenEndpoint, tokenEndpointWrongMethod, type TokenRequestRecord } from './token-endpoint';
import { accessTokenVerifier } from './verify';

/**
 * The Entra ID emulator: OpenID discovery, JWKS, the v2 token endpoint and admin consent (v2 and v1) per tenant,
 * over HTTP on 127.0.0.1,
 * plus in-process hooks for the Graph emulator (verifyAccessToken) and for tests (SSO tokens, request log).
 */
export type EntraEmulator = RunningServer & {
  verifyAccessToken: TokenVerifier;
  issuer(tenantId: string): string;
  jwksUri(tenantId: string): string;
  tokenEndpoint(tenantId: string): string;
  mintTeamsSsoToken(opts: SsoTokenRequest): Promise<string>;
  /** Every token endpoint call in order, for tests that count requests (caching, sharing in-flight requests). */
  tokenRequests: TokenRequestRecord[];
  /** The kid of the signing key in every token header and in the JWKS. */
  signingKeyId: string;
};

export interface EntraEmulatorOptions {
  directory: Directory;
  clock: Clock;
  port?: number;
}

export async function startEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  let baseUrl = '';
  const keys = await SigningKeys.generate();
  const ctx: EntraContext = {
    directory: options.directory,
    clock: options.clock,
    keys,
    errors: new AadErrors(options.clock, () => baseUrl),
    refreshTokens: new RefreshTokenStore(options.clock),
    consent: new ConsentRequirements(),
    baseUrl: () => baseUrl,
    issuer: (tenantId) => `${baseUrl}/${tenantId}/v2.0`,
  };
  const tokenRequests: TokenRequestRecord[] = [];
  const router = new Router()
    .on('GET', '/:tenant/v2.0/.well-known/openid-configuration', openIdConfiguration(ctx))
    .on('GET', '/:tenant/discovery/v2.0/keys', jwks(ctx))
    .on('POST', '/:tenant/oauth2/v2.0/token', tokenEndpoint(ctx, tokenRequests))
    .on('GET', '/:tenant/oauth2/v2.0/token', tokenEndpointWrongMethod(ctx))
    .on('GET', '/:tenant/oauth2/v2.0/authorize', authorizePage(ctx))
    .on('POST', '/:tenant/oauth2/v2.0/authorize', authorizeDecision(ctx))
    .on('GET', '/:tenant/v2.0/adminconsent', adminConsentPage(ctx, 'v2'))
    .on('POST', '/:tenant/v2.0/adminconsent', adminConsentAnswer(ctx, 'v2'))
    .on('GET', '/:tenant/adminconsent', adminConsentPage(ctx, 'v1'))
    .on('POST', '/:tenant/adminconsent', adminConsentAnswer(ctx, 'v1'))
    .on('GET', '/_control/tenants/:tenantId/service-principals', servicePrincipalList(ctx))
    .on('DELETE', '/_control/tenants/:tenantId/service-principals/:appId', servicePrincipalDelete(ctx))
    .on('POST', '/_control/sso-token', ssoTokenControl(ctx))
    .on('PUT', '/_control/consent-required', consentControl(ctx, true))
    .on('DELETE', '/_control/consent-required', consentControl(ctx, false));
  const running = await listen(router, { port: options.port });
  baseUrl = running.baseUrl;
  return {
    ...running,
    verifyAccessToken: accessTokenVerifier(ctx),
    issuer: ctx.issuer,
    jwksUri: (tenantId) => `${baseUrl}/${tenantId}/discovery/v2.0/keys`,
    tokenEndpoint: (tenantId) => `${baseUrl}/${tenantId}/oauth2/v2.0/token`,
    mintTeamsSsoToken: (opts) => mintTeamsSsoToken(ctx, opts),
    tokenRequests,
    signingKeyId: keys.kid,
  };
}

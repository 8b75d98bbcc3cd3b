import type { AccessTokenClaims, TokenVerifier } from '../common/directory';
import { nowSeconds, type EntraContext } from './context';

/**
 * The in-process verifier the Graph emulator trusts: signature by this emulator's key, issuer and tenant known,
 * audience as asked, and lifetime judged by the emulator's clock. Failures carry Graph's error code and messages.
 */
class InvalidAuthenticationToken extends Error {
  readonly code = 'InvalidAuthenticationToken';
}

export function accessTokenVerifier(ctx: EntraContext): TokenVerifier {
  return async (token: string, audience: string): Promise<AccessTokenClaims> => {
    let claims: Record<string, unknown>;
    try {
      claims = await ctx.keys.verifySignature(token);
    } catch {
      throw new InvalidAuthenticationToken(
        'Access token validation failure. Invalid signature or malformed token.',
      );
    }
    const tid = typeof claims.tid === 'string' ? claims.tid : '';
    const tenant = ctx.directory.tenants.get(tid);
    if (!tenant || claims.iss !== ctx.issuer(tenant.id))
      throw new InvalidAuthenticationToken('Access token validation failure. Invalid issuer.');
    if (claims.aud !== audience)
      throw new InvalidAuthenticationToken('Access token validation failure. Invalid audience.');
    const exp = typeof claims.exp === 'number' ? claims.exp : 0;
    const iat = typeof claims.iat === 'number' ? claims.iat : 0;
    const nbf = typeof claims.nbf === 'number' ? claims.nbf : iat;
    const now = nowSeconds(ctx);
    if (exp <= now || nbf > now)
      throw new InvalidAuthenticationToken('Lifetime validation failed, the token is expired.');
    const appid =
      typeof claims.appid === 'string' ? claims.appid : typeof claims.azp === 'string' ? claims.azp : '';
    const result: AccessTokenClaims = { tid: tenant.id, appid, aud: audience, exp, iat };
    if (typeof claims.oid === 'string' && typeof claims.scp === 'string') {
      result.oid = claims.oid;
      result.scp = claims.scp;
    }
    if (Array.isArray(claims.roles)) result.roles = claims.roles.map(String);
    return result;
  };
}

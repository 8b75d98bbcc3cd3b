import type { Clock } from '../common/clock';
import type { Directory, DirectoryTenant } from '../common/directory';
import type { EmulatorRequest } from '../common/http';
import { aad, type AadErrors } from './errors';
import type { SigningKeys } from './keys';
import type { ConsentRequirements } from './consent-requirements';
import type { RefreshTokenStore } from './refresh-tokens';

/** What every part of the Entra emulator shares: the directory, the clock, the signing key and the error factory. */
export interface EntraContext {
  directory: Directory;
  clock: Clock;
  keys: SigningKeys;
  errors: AadErrors;
  refreshTokens: RefreshTokenStore;
  /** Users who have not consented to an app that the admin did not consent to for everyone. */
  consent: ConsentRequirements;
  baseUrl(): string;
  /** `${baseUrl}/${tenantId}/v2.0`, the issuer of every token for that tenant (the cross-team contract). */
  issuer(tenantId: string): string;
}

/** One call to the token endpoint, after the tenant in the path was found. */
export interface TokenRequest {
  req: EmulatorRequest;
  form: URLSearchParams;
  tenant: DirectoryTenant;
}

/** Reads a required form parameter, refusing the request the way Entra does when it is missing or empty. */
export function requireParam(ctx: EntraContext, tr: TokenRequest, name: string): string {
  const value = tr.form.get(name);
  if (value === null || value.trim() === '') throw ctx.errors.fail(tr.req, aad.missingParameter(name));
  return value;
}

/** Seconds since the epoch by the emulator's clock, for iat/nbf/exp. */
export function nowSeconds(ctx: EntraContext): number {
  return Math.floor(ctx.clock.now() / 1000);
}

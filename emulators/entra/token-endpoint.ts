import { HttpFailure, type EmulatorRequest, type EmulatorResponse } from '../common/http';
import type { EntraContext, TokenRequest } from './context';
import { aad } from './errors';
import { clientCredentialsGrant } from './grants/client-credentials';
import { JWT_BEARER_GRANT, onBehalfOfGrant } from './grants/on-behalf-of';
import { passwordGrant } from './grants/password';
import { refreshTokenGrant } from './grants/refresh-token';

/**
 * POST /{tenant}/oauth2/v2.0/token. Entra reads the body only as application/x-www-form-urlencoded: a JSON body
 * is not parsed at all, so the request is refused for lacking `grant_type`, exactly as the real service does.
 */

/** What a test can see about each call the endpoint answered (never the secrets). */
export interface TokenRequestRecord {
  tenant: string;
  grantType: string | null;
  clientId: string | null;
  status: number;
  at: number;
}

const grants: Record<string, (ctx: EntraContext, tr: TokenRequest) => Promise<Record<string, unknown>>> = {
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
  refresh_token: refreshTokenGrant,
  [JWT_BEARER_GRANT]: onBehalfOfGrant,
};

const noStore = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };
/** The log keeps the latest calls only, so `npm run emulators` can run for days. */
const LOG_LIMIT = 1000;

export function tokenEndpoint(ctx: EntraContext, log: TokenRequestRecord[]) {
  return async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const form = req.form ?? new URLSearchParams();
    const record: TokenRequestRecord = {
      tenant: req.params.tenant ?? '',
      grantType: form.get('grant_type'),
      clientId: form.get('client_id'),
      status: 200,
      at: ctx.clock.now(),
    };
    log.push(record);
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
    try {
      const body = await answer(ctx, req, form);
      return { status: 200, headers: noStore, body };
    } catch (e) {
      if (e instanceof HttpFailure) record.status = e.response.status;
      throw e;
    }
  };
}

async function answer(
  ctx: EntraContext,
  req: EmulatorRequest,
  form: URLSearchParams,
): Promise<Record<string, unknown>> {
  const tenantName = req.params.tenant ?? '';
  const tenant = ctx.directory.tenant(tenantName);
  if (!tenant) throw ctx.errors.fail(req, aad.tenantNotFound(tenantName, 'invalid_request'));
  const grantType = form.get('grant_type');
  if (!grantType) throw ctx.errors.fail(req, aad.missingParameter('grant_type'));
  const grant = grants[grantType];
  if (!grant) throw ctx.errors.fail(req, aad.unsupportedGrantType());
  return grant(ctx, { req, form, tenant });
}

/** GET on the token endpoint: Entra answers that only POST is accepted. */
export function tokenEndpointWrongMethod(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    throw ctx.errors.fail(req, {
      status: 400,
      error: 'invalid_request',
      code: 900561,
      message: `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
    });
  };
}

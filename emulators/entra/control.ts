import type { EmulatorRequest, EmulatorResponse } from '../common/http';
import type { EntraContext } from './context';
import { mintTeamsSsoToken, SsoTokenError, type SsoTokenRequest } from './sso';

/**
 * POST /_control/sso-token {tenantId, userId, clientId, audience?, expiresInSeconds?, scp?} → {token}: how a
 * browser test host (the Teams-like page) gets the token Teams would hand the tab.
 */
export function ssoTokenControl(ctx: EntraContext) {
  return async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const input = parseSsoRequest(req.body);
    if (typeof input === 'string') return badRequest(input);
    try {
      return { status: 200, body: { token: await mintTeamsSsoToken(ctx, input) } };
    } catch (e) {
      if (e instanceof SsoTokenError) return badRequest(e.message);
      throw e;
    }
  };
}

function badRequest(message: string): EmulatorResponse {
  return { status: 400, body: { error: { code: 'BadRequest', message } } };
}

function parseSsoRequest(body: unknown): SsoTokenRequest | string {
  if (typeof body !== 'object' || body === null) return 'Send a JSON body {tenantId, userId, clientId}.';
  const b = body as Record<string, unknown>;
  for (const key of ['tenantId', 'userId', 'clientId'] as const) {
    if (typeof b[key] !== 'string' || b[key] === '') return `'${key}' is required and must be a string.`;
  }
  if (b.audience !== undefined && typeof b.audience !== 'string') return "'audience' must be a string.";
  if (b.scp !== undefined && typeof b.scp !== 'string') return "'scp' must be a space-separated string.";
  if (
    b.expiresInSeconds !== undefined &&
    !(Number.isInteger(b.expiresInSeconds) && (b.expiresInSeconds as number) > 0)
  ) {
    return "'expiresInSeconds' must be a positive integer.";
  }
  return {
    tenantId: b.tenantId as string,
    userId: b.userId as string,
    clientId: b.clientId as string,
    audience: b.audience as string | undefined,
    scp: b.scp as string | undefined,
    expiresInSeconds: b.expiresInSeconds as number | undefined,
  };
}

/**
 * DELETE /_control/tenants/{tenantId}/service-principals/{appId}: the customer's admin deletes the enterprise
 * application of a multi-tenant app, which revokes its consent. New token requests for the tenant then fail with
 * AADSTS700016 until an admin consents again; tokens already issued stay valid until they expire, as in Entra.
 * 404 when the tenant has no such service principal (the home tenant's own registration is not one).
 */
export function servicePrincipalDelete(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const removed = ctx.directory.removeServicePrincipal(req.params.tenantId ?? '', req.params.appId ?? '');
    if (!removed)
      return {
        status: 404,
        body: { error: { code: 'NotFound', message: 'This tenant has no service principal for that app.' } },
      };
    return { status: 204 };
  };
}

/** GET /_control/tenants/{tenantId}/service-principals: the multi-tenant apps this tenant consented to. */
export function servicePrincipalList(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const tenant = ctx.directory.tenant(req.params.tenantId ?? '');
    if (!tenant) return { status: 404, body: { error: { code: 'NotFound', message: 'No such tenant.' } } };
    return { status: 200, body: { value: [...tenant.servicePrincipals.values()] } };
  };
}

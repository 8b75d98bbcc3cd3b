import type { EmulatorRequest, EmulatorResponse } from '../common/http';
import type { EntraContext } from './context';
import { aad } from './errors';

/**
 * OpenID Connect discovery per tenant: the configuration document and the signing keys. An unknown tenant gets
 * AADSTS90002 with `invalid_tenant`, as on the real discovery endpoints.
 */

function requireTenant(ctx: EntraContext, req: EmulatorRequest) {
  const name = req.params.tenant ?? '';
  const tenant = ctx.directory.tenant(name);
  if (!tenant) throw ctx.errors.fail(req, aad.tenantNotFound(name, 'invalid_tenant'));
  return tenant;
}

export function openIdConfiguration(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const tenant = requireTenant(ctx, req);
    const base = `${ctx.baseUrl()}/${tenant.id}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: ctx.issuer(tenant.id),
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'nbf',
          'name',
          'oid',
          'preferred_username',
          'tid',
          'ver',
          'roles',
          'scp',
        ],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        msgraph_host: 'graph.microsoft.com',
      },
    };
  };
}

export function jwks(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const tenant = requireTenant(ctx, req);
    return { status: 200, body: ctx.keys.jwks(ctx.issuer(tenant.id)) };
  };
}

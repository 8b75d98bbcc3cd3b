import type { DirectoryApp, DirectoryTenant } from '../common/directory';
import { aad, type AadErrorSpec } from './errors';

/**
 * The `scope` parameter of a v2 token request: OpenID scopes plus permissions of exactly one resource, each written
 * `{resource}/{permission}` (a bare permission like `User.Read` means Microsoft Graph).
 */

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export type Resource =
  | { kind: 'graph'; audience: typeof GRAPH_RESOURCE }
  /** Another app's API in the tenant; `audience` is the identifier the caller named it by (URI or client id). */
  | { kind: 'app'; app: DirectoryApp; audience: string };

export interface RequestedScope {
  resource: Resource;
  /** Permission names after the resource prefix, e.g. `.default`, `Presence.Read.All`. */
  permissions: string[];
  oidc: Set<string>;
}

/**
 * Parses a scope string or returns the AADSTS error the real service answers with. `apps` are the apps the tenant
 * has a service principal for (its own and consented multi-tenant ones): only their APIs can be named.
 */
export function parseScope(
  tenant: DirectoryTenant,
  scope: string,
  apps: readonly DirectoryApp[],
): RequestedScope | AadErrorSpec {
  const items = scope.split(/\s+/).filter(Boolean);
  const oidc = new Set(items.filter((s) => OIDC_SCOPES.has(s.toLowerCase())).map((s) => s.toLowerCase()));
  const resourceScopes = items.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  const split = resourceScopes.map(splitScope);
  const names = new Set(split.map((s) => normalizeResourceName(s.resource)));
  if (names.size > 1) return aad.moreThanOneResource(scope);
  const name = split[0]?.resource ?? GRAPH_RESOURCE;
  const resource = resolveResource(apps, name);
  if (!resource) return aad.resourceNotFound(name, tenant.displayName);
  return { resource, permissions: split.map((s) => s.permission), oidc };
}

function splitScope(scope: string): { resource: string; permission: string } {
  const slash = scope.lastIndexOf('/');
  if (slash < 0) return { resource: GRAPH_RESOURCE, permission: scope };
  return { resource: scope.slice(0, slash), permission: scope.slice(slash + 1) };
}

function normalizeResourceName(name: string): string {
  const lower = name.toLowerCase();
  return lower === GRAPH_APP_ID ? GRAPH_RESOURCE : lower;
}

function resolveResource(apps: readonly DirectoryApp[], name: string): Resource | undefined {
  const lower = normalizeResourceName(name);
  if (lower === GRAPH_RESOURCE) return { kind: 'graph', audience: GRAPH_RESOURCE };
  for (const app of apps) {
    if (app.clientId.toLowerCase() === lower || app.identifierUris.some((u) => u.toLowerCase() === lower)) {
      return { kind: 'app', app, audience: name };
    }
  }
  return undefined;
}

/**
 * The delegated permissions a user token may carry: what the app was consented for, intersected with what was
 * asked (`.default` asks for all of it). Anything asked for but not consented means consent is required, which is
 * what an admin must fix in Entra, so it is an error and not a silently smaller token.
 */
export function grantDelegated(app: DirectoryApp, requested: RequestedScope): string[] | AadErrorSpec {
  const consentRequired = aad.consentRequired(app.clientId, app.displayName);
  // Delegated access is modelled for Graph only; other APIs in the tenant have no per-user consent here.
  if (requested.resource.kind !== 'graph') return consentRequired;
  const consented = new Map(app.consentedDelegatedPermissions.map((p) => [p.toLowerCase(), p]));
  // Only OpenID scopes asked (e.g. "openid offline_access"): Entra issues a Graph token for what was consented.
  const asked = requested.permissions.length === 0 ? ['.default'] : requested.permissions;
  if (asked.some((p) => p === '.default')) {
    return consented.size > 0 ? [...consented.values()] : consentRequired;
  }
  const granted: string[] = [];
  for (const p of asked) {
    const canonical = consented.get(p.toLowerCase());
    if (!canonical) return consentRequired;
    granted.push(canonical);
  }
  return [...new Set(granted)];
}

export function isAadErrorSpec(value: unknown): value is AadErrorSpec {
  return (
    typeof value === 'object' && value !== null && 'code' in value && 'error' in value && 'status' in value
  );
}

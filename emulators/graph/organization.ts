import type { ApiRoutes } from './api';
import { hasAny, PERMISSIONS } from './auth';
import { badRequest, directoryDenied } from './errors';

/**
 * GET /organization: the caller's own tenant, as a collection of one (Graph's "List organization"). Only the two
 * properties Switchboard reads are modelled, `id` and `displayName`; asking `$select` for any other property is
 * refused rather than answered with a made-up value.
 */
const PROPERTIES = ['id', 'displayName'];

function parseSelect(raw: string | null): string[] {
  if (raw === null) return PROPERTIES;
  return raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const known = PROPERTIES.find((p) => p.toLowerCase() === f.toLowerCase());
      if (!known)
        throw badRequest(
          `Could not find a property named '${f}' on type 'microsoft.graph.organization'.`,
          'Request_BadRequest',
        );
      return known;
    });
}

export function registerOrganizationRoutes(routes: ApiRoutes): void {
  routes.on('GET', '/organization', (call) => {
    if (!hasAny(call.caller, PERMISSIONS.readOrganization)) throw directoryDenied();
    const tenant = call.caller.tenant;
    const all: Record<string, unknown> = { id: tenant.id, displayName: tenant.displayName };
    const select = parseSelect(call.req.query.get('$select'));
    return {
      status: 200,
      body: {
        '@odata.context': `${call.serviceRoot}/$metadata#organization`,
        value: [Object.fromEntries(select.map((k) => [k, all[k]]))],
      },
    };
  });
}

import type { Server } from 'restify';
import type { DialRules } from '../../shared/api/contract';
import { DIAL_RULES_DOCUMENT, dialRulesSchema, tenantDialRules } from '../services/dial-rules';
import { saveTenantDocument } from '../services/tenant-settings';
import { parseInput } from './errors';
import { adminRoute, type RouteContext } from './route';

/** GET/PUT /api/admin/dial-rules: the company's default country and the PBX's outside-line prefix. */
export function mountDialRulesRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

  server.get(
    '/api/admin/dial-rules',
    admin(async (caller) => ({ body: await tenantDialRules(deps.store, caller.tenantId) })),
  );
  server.put(
    '/api/admin/dial-rules',
    admin(async (caller, req) => {
      const rules: DialRules = parseInput(dialRulesSchema, req.body);
      await saveTenantDocument(deps, {
        tenantId: caller.tenantId,
        name: DIAL_RULES_DOCUMENT,
        value: rules,
        by: caller.userId,
      });
      return { body: rules };
    }),
  );
}

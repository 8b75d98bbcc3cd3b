import type { Server } from 'restify';
import type { DialRules } from '../../shared/api/contract';
import type { TenantRecord } from '../../shared/ports/store';
import { DIAL_RULES_DOCUMENT, dialRulesSchema, tenantDialRules } from '../services/dial-rules';
import { parseInput } from './errors';
import { userRoute, type RouteContext } from './route';

/** GET/PUT /api/admin/dial-rules: the company's default country and the PBX's outside-line prefix. */
export function mountDialRulesRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = (handler: Parameters<typeof userRoute>[1]) => userRoute(ctx, handler, { admin: true });

  server.get(
    '/api/admin/dial-rules',
    admin(async (caller) => ({ body: await tenantDialRules(deps.store, caller.tenantId) })),
  );
  server.put(
    '/api/admin/dial-rules',
    admin(async (caller, req) => {
      const rules: DialRules = parseInput(dialRulesSchema, req.body);
      const now = deps.now();
      const tenant = (await deps.store.getTenant(caller.tenantId)) ?? blankTenant(caller.tenantId, now);
      await deps.store.putTenant({
        ...tenant,
        settings: { ...tenant.settings, [DIAL_RULES_DOCUMENT]: rules },
        updatedAt: now,
      });
      deps.logger.info(
        { tenantId: caller.tenantId, event: 'config.changed', by: caller.userId, keys: ['dialRules'], rules },
        'the admin saved the dialling rules',
      );
      return { body: rules };
    }),
  );
}

function blankTenant(tenantId: string, now: number): TenantRecord {
  return {
    tenantId,
    displayName: '',
    clientId: '',
    clientSecretSealed: null,
    clientSecretExpiresAt: null,
    clientSecretSavedAt: null,
    cloudlink: null,
    settings: {},
    updatedAt: now,
  };
}

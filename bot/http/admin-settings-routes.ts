import type { Server } from 'restify';
import type { z } from 'zod';
import type { AdminClickToCall } from '../../shared/api/contract';
import {
  groupSearchQuery,
  mappingTableRequest,
  storedMappingTable,
  userSelectionRequest,
} from '../../shared/api/schemas';
import { adminClickToCallSchema, tenantClickToCall } from '../services/settings';
import { readTenantDocument, saveTenantDocument } from '../services/tenant-settings';
import { ApiHttpError, parseInput } from './errors';
import { adminRoute, queryOf, type RouteContext } from './route';

/**
 * The admin's documents in the tenant's settings: the mapping table and the user selection (read by the sync engine),
 * the group picker for the selection, and the click-to-call defaults (/api/me answers them unless a user overrides).
 */
export function mountAdminSettingsRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

  server.get(
    '/api/admin/mapping',
    admin(async (caller) => ({
      body: await tenantDocument(caller.tenantId, 'mapping', storedMappingTable, deps.defaults.mapping),
    })),
  );
  server.put(
    '/api/admin/mapping',
    admin(async (caller, req) => {
      const mapping = parseInput(mappingTableRequest, req.body);
      await saveTenantDocument(deps, {
        tenantId: caller.tenantId,
        name: 'mapping',
        value: mapping,
        by: caller.userId,
      });
      await deps.sync.applyMapping(caller.tenantId);
      return { body: mapping };
    }),
  );
  server.get(
    '/api/admin/selection',
    admin(async (caller) => ({
      body: await tenantDocument(caller.tenantId, 'selection', userSelectionRequest, deps.defaults.selection),
    })),
  );
  server.put(
    '/api/admin/selection',
    admin(async (caller, req) => {
      const selection = parseInput(userSelectionRequest, req.body);
      // Checked before saving: a group Graph does not know would be saved, then break every directory refresh.
      if (selection.mode === 'groupWithAllowList' && selection.groupId !== null) {
        const group = await deps.sync.findGroup(caller.tenantId, selection.groupId);
        if (!group)
          throw new ApiHttpError(
            400,
            'group_not_found',
            `Your directory has no group ${selection.groupId} (deleted, or the id is mistyped); choose the group again.`,
          );
      }
      await saveTenantDocument(deps, {
        tenantId: caller.tenantId,
        name: 'selection',
        value: selection,
        by: caller.userId,
      });
      await deps.sync.applySelection(caller.tenantId);
      return { body: selection };
    }),
  );

  server.get(
    '/api/admin/groups',
    admin(async (caller, req) => {
      const { q } = parseInput(groupSearchQuery, queryOf(req), 'query');
      return { body: await deps.sync.searchGroups(caller.tenantId, q) };
    }),
  );

  // --- click-to-call defaults per client type: /api/me answers them unless the user overrides one ---
  server.get(
    '/api/admin/click-to-call',
    admin(async (caller) => ({ body: await tenantClickToCall(deps.store, caller.tenantId) })),
  );
  server.put(
    '/api/admin/click-to-call',
    admin(async (caller, req) => {
      const config: AdminClickToCall = parseInput(adminClickToCallSchema, req.body);
      await saveTenantDocument(deps, {
        tenantId: caller.tenantId,
        name: 'clickToCall',
        value: config.byClient,
        by: caller.userId,
      });
      return { body: config };
    }),
  );

  const tenantDocument = <T>(tenantId: string, name: string, schema: z.ZodType<T>, fallback: T) =>
    readTenantDocument(deps.store, tenantId, name, schema, fallback);
}

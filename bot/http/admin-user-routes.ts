import type { Server } from 'restify';
import { userOverrideRequest, usersQuery } from '../../shared/api/schemas';
import { parseDirectoryDoc, readOverrides, USER_OVERRIDES_DOCUMENT } from '../../shared/domain/directory';
import type { UserOverride } from '../../shared/domain/matching';
import { adminUserRows, overrideViews, pageOfRows } from '../services/admin-users';
import { saveTenantDocument } from '../services/tenant-settings';
import { ApiHttpError, notFound, parseInput } from './errors';
import { adminRoute, queryOf, type RouteContext } from './route';

/** /api/admin/users: the paired users, the admin's manual pairings, a user's diagnostics, resync and phone reset. */
export function mountAdminUserRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

  server.get(
    '/api/admin/users',
    admin(async (caller, req) => {
      const query = parseInput(usersQuery, queryOf(req));
      const { doc, users, overrides } = await directoryOf(caller.tenantId);
      return { body: pageOfRows(adminUserRows(doc, users, overrides), query, doc) };
    }),
  );
  server.get(
    '/api/admin/users/overrides',
    admin(async (caller) => {
      const { doc, users, overrides } = await directoryOf(caller.tenantId);
      return { body: { items: overrideViews(doc, users, overrides) } };
    }),
  );
  server.put(
    '/api/admin/users/overrides',
    admin(async (caller, req) => {
      const wanted = parseInput(userOverrideRequest, req.body);
      const { doc, users, overrides } = await directoryOf(caller.tenantId);
      if (!doc.pbx.some((p) => p.principalId === wanted.pbxPrincipalId))
        throw notFound(`PBX user ${wanted.pbxPrincipalId}`);
      const gone = new Set(doc.entra.filter((u) => u.accountEnabled === false).map((u) => u.id));
      if (!users.some((u) => u.entraUserId === wanted.entraUserId) || gone.has(wanted.entraUserId))
        throw notFound(`Teams user ${wanted.entraUserId}`);
      const rival = overrides.find(
        (o) => o.entraUserId === wanted.entraUserId && o.pbxPrincipalId !== wanted.pbxPrincipalId,
      );
      if (rival)
        throw new ApiHttpError(
          409,
          'override_conflict',
          `This Teams user is already mapped by hand to PBX user ${rival.pbxPrincipalId}; remove that mapping first.`,
        );
      const next: UserOverride[] = [
        ...overrides.filter((o) => o.pbxPrincipalId !== wanted.pbxPrincipalId),
        { pbxPrincipalId: wanted.pbxPrincipalId, entraUserId: wanted.entraUserId },
      ];
      return { body: await saveOverrides(caller.tenantId, next, caller.userId) };
    }),
  );
  server.del(
    '/api/admin/users/overrides/:pbxPrincipalId',
    admin(async (caller, req) => {
      const { overrides } = await directoryOf(caller.tenantId);
      if (!overrides.some((o) => o.pbxPrincipalId === req.params.pbxPrincipalId))
        throw notFound(`Override for PBX user ${req.params.pbxPrincipalId}`);
      const next = overrides.filter((o) => o.pbxPrincipalId !== req.params.pbxPrincipalId);
      return { body: await saveOverrides(caller.tenantId, next, caller.userId) };
    }),
  );
  async function directoryOf(tenantId: string) {
    const [raw, users, tenant] = await Promise.all([
      deps.store.getDirectoryState(tenantId),
      deps.store.listUsers(tenantId),
      deps.store.getTenant(tenantId),
    ]);
    return { doc: parseDirectoryDoc(raw), users, overrides: readOverrides(tenant?.settings) };
  }
  /** Saves the overrides and pairs the users again at once, so the list shows the result. */
  async function saveOverrides(tenantId: string, overrides: UserOverride[], by: string) {
    await saveTenantDocument(deps, { tenantId, name: USER_OVERRIDES_DOCUMENT, value: overrides, by });
    await deps.sync.applySelection(tenantId);
    const after = await directoryOf(tenantId);
    return { items: overrideViews(after.doc, after.users, after.overrides) };
  }
  server.get(
    '/api/admin/users/:id/diagnostics',
    admin(async (caller, req) => {
      const diagnostics = await deps.sync.userDiagnostics(caller.tenantId, req.params.id);
      if (!diagnostics) throw notFound(`User ${req.params.id}`);
      return { body: diagnostics };
    }),
  );
  server.post(
    '/api/admin/users/:id/resync',
    admin(async (caller, req) => {
      await knownUser(caller.tenantId, req.params.id);
      await deps.sync.resyncUser(caller.tenantId, req.params.id);
      return { body: await deps.sync.status(caller.tenantId, req.params.id) };
    }),
  );
  server.post(
    '/api/admin/users/:id/reset-phone',
    admin(async (caller, req) => {
      await knownUser(caller.tenantId, req.params.id);
      return { body: await deps.sync.resetPhoneStatus(caller.tenantId, req.params.id) };
    }),
  );
  async function knownUser(tenantId: string, userId: string): Promise<void> {
    if (!(await deps.store.getUser(tenantId, userId))) throw notFound(`User ${userId}`);
  }
}

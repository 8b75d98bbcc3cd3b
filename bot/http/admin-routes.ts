import type { Server } from 'restify';
import { z } from 'zod';
import type {
  AdminClickToCall,
  MonitorsResponse,
  OperatorEventsResponse,
  TenantLinkView,
} from '../../shared/api/contract';
import {
  addMonitorRequest,
  mappingTableRequest,
  problemsQuery,
  reportUpdateRequest,
  resyncAllRequest,
  tenantUpdateRequest,
  groupSearchQuery,
  userOverrideRequest,
  userSelectionRequest,
  usersQuery,
} from '../../shared/api/schemas';
import { parseDirectoryDoc, readOverrides, USER_OVERRIDES_DOCUMENT } from '../../shared/domain/directory';
import type { UserOverride } from '../../shared/domain/matching';
import type { TenantRecord } from '../../shared/ports/store';
import { adminUserRows, overrideViews, pageOfRows } from '../services/admin-users';
import { toMonitorView } from '../services/monitor-view';
import { changedKeys } from '../services/tenant-link';
import { emptyTenant, readTenantDocument, saveTenantDocument } from '../services/tenant-settings';
import { summarizeCheck } from '../services/config-check';
import { adminClickToCallSchema, tenantClickToCall } from '../services/settings';
import { mountDialRulesRoutes } from './dial-rules-routes';
import { mountSyncRequestRoutes } from './sync-request-routes';
import { ApiHttpError, badRequest, notFound, parseInput } from './errors';
import { queryOf, userRoute, type RouteContext } from './route';

/** Graph accepts at most 650 users per presence subscription, so each monitor account watches at most 650. */
export const USERS_PER_MONITOR = 650;

/** /api/admin/*: everything here requires the admin role or group, checked in userRoute. */
export function mountAdminRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = (handler: Parameters<typeof userRoute>[1]) => userRoute(ctx, handler, { admin: true });
  mountDialRulesRoutes(server, ctx);
  mountSyncRequestRoutes(server, ctx);

  // --- tenant link ---
  server.get(
    '/api/admin/tenant',
    admin(async (caller) => ({
      body: toTenantView(caller.tenantId, await deps.store.getTenant(caller.tenantId), deps.partnerApp),
    })),
  );
  server.put(
    '/api/admin/tenant',
    admin(async (caller, req) => {
      const update = parseInput(tenantUpdateRequest, req.body);
      if (
        deps.partnerApp &&
        (update.clientId !== undefined ||
          update.clientSecret !== undefined ||
          update.clientSecretExpiresAt !== undefined)
      )
        throw new ApiHttpError(
          403,
          'app_registration_managed',
          'Your Switchboard provider manages the app registration; only the CloudLink link can be changed here.',
        );
      const now = deps.now();
      const current = (await deps.store.getTenant(caller.tenantId)) ?? emptyTenant(caller.tenantId, now);
      const seal = (s: string | undefined, previous: string | null) =>
        s === undefined ? previous : deps.secretBox.seal(s);
      // Linking the first app registration is no change; replacing one is.
      const clientChanged =
        update.clientId !== undefined &&
        current.clientId !== '' &&
        update.clientId.toLowerCase() !== current.clientId.toLowerCase();
      const cloudlinkChanged =
        update.cloudlink !== undefined &&
        (update.cloudlink.accountId !== current.cloudlink?.accountId ||
          update.cloudlink.clientId !== current.cloudlink?.clientId);
      const next: TenantRecord = {
        ...current,
        clientId: update.clientId ?? current.clientId,
        // A new app registration invalidates the old app's secret: keep it only if the same app stays linked.
        clientSecretSealed: seal(update.clientSecret, clientChanged ? null : current.clientSecretSealed),
        clientSecretSavedAt:
          update.clientSecret !== undefined
            ? now
            : clientChanged
              ? null
              : (current.clientSecretSavedAt ?? null),
        clientSecretExpiresAt: update.clientSecretExpiresAt
          ? Date.parse(update.clientSecretExpiresAt)
          : clientChanged
            ? null
            : current.clientSecretExpiresAt,
        cloudlink: update.cloudlink
          ? {
              accountId: update.cloudlink.accountId,
              clientId: update.cloudlink.clientId,
              // Another CloudLink client's secret is no good for this one.
              clientSecretSealed: seal(
                update.cloudlink.clientSecret,
                cloudlinkChanged ? null : (current.cloudlink?.clientSecretSealed ?? null),
              ),
              clientSecretSavedAt:
                update.cloudlink.clientSecret !== undefined
                  ? now
                  : cloudlinkChanged
                    ? null
                    : (current.cloudlink?.clientSecretSavedAt ?? null),
            }
          : current.cloudlink,
        updatedAt: now,
      };
      await deps.store.putTenant(next);
      deps.logger.info(
        {
          tenantId: caller.tenantId,
          event: 'config.changed',
          by: caller.userId,
          keys: changedKeys(current, next),
        },
        'the admin saved the tenant link',
      );
      if (clientChanged) {
        // Monitor consent and subscriptions belong to the old app registration: each must be authorized again.
        for (const m of await deps.store.listMonitors(caller.tenantId)) {
          if (m.state !== 'deleted')
            await deps.store.putMonitor({ ...m, state: 'updateRequired', updatedAt: now });
        }
      }
      // The next token request uses what was saved; a newly linked CloudLink account starts the sync.
      await deps.sync.linkChanged(caller.tenantId);
      return { body: toTenantView(caller.tenantId, next, deps.partnerApp) };
    }),
  );

  // --- presence monitors ---
  server.get(
    '/api/admin/monitors',
    admin(async (caller) => {
      const [monitors, users] = await Promise.all([
        deps.store.listMonitors(caller.tenantId),
        deps.store.listUsers(caller.tenantId),
      ]);
      const syncedUsers = users.filter((u) => u.selected).length;
      const body: MonitorsResponse = {
        items: monitors.filter((m) => m.state !== 'deleted').map(toMonitorView),
        needed: Math.ceil(syncedUsers / USERS_PER_MONITOR),
        syncedUsers,
      };
      return { body };
    }),
  );
  server.post(
    '/api/admin/monitors',
    admin(async (caller, req) => ({
      status: 201,
      body: await deps.sync.monitors.add(caller.tenantId, parseInput(addMonitorRequest, req.body)),
    })),
  );
  server.post(
    '/api/admin/monitors/:id/authorize',
    admin(async (caller, req) => ({
      body: await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.authorize(caller.tenantId, req.params.id),
      ),
    })),
  );
  server.post(
    '/api/admin/monitors/:id/renew',
    admin(async (caller, req) => ({
      body: await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.renew(caller.tenantId, req.params.id),
      ),
    })),
  );
  server.del(
    '/api/admin/monitors/:id',
    admin(async (caller, req) => {
      await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.remove(caller.tenantId, req.params.id),
      );
      return {};
    }),
  );

  async function existingMonitor<T>(tenantId: string, monitorId: string, run: () => Promise<T>): Promise<T> {
    const m = await deps.store.getMonitor(tenantId, monitorId);
    if (!m || m.state === 'deleted') throw notFound(`Monitor ${monitorId}`);
    return run();
  }

  // --- mapping table and user selection: documents in the tenant's settings, read by the sync engine ---
  server.get(
    '/api/admin/mapping',
    admin(async (caller) => ({
      body: await tenantDocument(caller.tenantId, 'mapping', mappingTableRequest, deps.defaults.mapping),
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

  // --- users and their diagnostics ---
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

  // --- long operations with progress ---
  server.post(
    '/api/admin/check',
    admin(async (caller) => ({
      status: 202,
      body: await deps.jobs.start(
        caller.tenantId,
        'configurationCheck',
        async (job) => {
          const steps = await deps.sync.configurationCheck(caller.tenantId, (s) => job.steps(s));
          job.steps(steps);
          return summarizeCheck(steps);
        },
        caller.userId,
      ),
    })),
  );
  server.post(
    '/api/admin/resync-all',
    admin(async (caller, req) => {
      const options = parseInput(resyncAllRequest, req.body ?? {});
      return {
        status: 202,
        body: await deps.jobs.start(
          caller.tenantId,
          'resyncAll',
          (job) => deps.sync.resyncAll(caller.tenantId, (done, total) => job.progress(done, total), options),
          caller.userId,
        ),
      };
    }),
  );
  server.get(
    '/api/admin/jobs/:id',
    admin(async (caller, req) => {
      const job = await deps.jobs.get(caller.tenantId, req.params.id);
      if (!job) throw notFound(`Job ${req.params.id}`);
      return { body: job };
    }),
  );

  server.get(
    '/api/admin/health',
    admin(async (caller) => ({ body: await deps.sync.health(caller.tenantId) })),
  );
  // What the server logged as a warning or error for this tenant, newest first: the log without a shell.
  server.get(
    '/api/admin/problems',
    admin(async (caller, req) => {
      const { limit } = parseInput(problemsQuery, queryOf(req));
      const events = await deps.store.listEvents(caller.tenantId, limit);
      const body: OperatorEventsResponse = {
        items: events.map((e) => ({
          at: new Date(e.at).toISOString(),
          level: e.level,
          event: e.event,
          message: e.message,
          detail: e.detail,
        })),
      };
      return { body };
    }),
  );

  // --- problem reports triage ---
  server.get(
    '/api/admin/reports',
    admin(async (caller, req) => {
      const status = queryOf(req).status;
      if (status !== undefined && !['new', 'acknowledged', 'needsInfo', 'resolved'].includes(status))
        throw badRequest('status must be new, acknowledged, needsInfo or resolved');
      const items = (await deps.reports.list(caller.tenantId)).filter(
        (r) => status === undefined || r.status === status,
      );
      return { body: { items } };
    }),
  );
  server.get(
    '/api/admin/reports/:id',
    admin(async (caller, req) => {
      const report = await deps.store.getReport(caller.tenantId, req.params.id);
      if (!report) throw notFound(`Report ${req.params.id}`);
      return {
        body: {
          ...report,
          createdAt: new Date(report.createdAt).toISOString(),
          updatedAt: new Date(report.updatedAt).toISOString(),
        },
      };
    }),
  );
  server.patch(
    '/api/admin/reports/:id',
    admin(async (caller, req) => {
      const change = parseInput(reportUpdateRequest, req.body);
      const updated = await deps.reports.update(caller.tenantId, req.params.id, change, caller.displayName);
      if (!updated) throw notFound(`Report ${req.params.id}`);
      return {
        body: (await deps.reports.list(caller.tenantId)).find((r) => r.reportId === updated.reportId),
      };
    }),
  );
}

function toTenantView(tenantId: string, t: TenantRecord | undefined, appManaged?: boolean): TenantLinkView {
  return {
    ...(appManaged ? { appManaged: true as const } : {}),
    tenantId,
    clientId: t?.clientId ?? '',
    clientSecretSet: Boolean(t?.clientSecretSealed),
    clientSecretExpiresAt: t?.clientSecretExpiresAt ? new Date(t.clientSecretExpiresAt).toISOString() : null,
    cloudlink: t?.cloudlink
      ? {
          accountId: t.cloudlink.accountId,
          clientId: t.cloudlink.clientId,
          clientSecretSet: Boolean(t.cloudlink.clientSecretSealed),
        }
      : null,
  };
}

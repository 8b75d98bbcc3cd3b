import type { Server } from 'restify';
import { reportUpdateRequest } from '../../shared/api/schemas';
import { badRequest, notFound, parseInput } from './errors';
import { adminRoute, queryOf, type RouteContext } from './route';

/** /api/admin/reports: triage of the problem reports users sent from the tab or the bot. */
export function mountAdminReportRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

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
        body: (await deps.reports.list(caller.tenantId)).find((r) => r.reportId === updated.report.reportId),
      };
    }),
  );
}

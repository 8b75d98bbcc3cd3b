import type { Server } from 'restify';
import type { OperatorEventsResponse } from '../../shared/api/contract';
import { problemsQuery, resyncAllRequest } from '../../shared/api/schemas';
import { summarizeCheck } from '../services/config-check';
import { notFound, parseInput } from './errors';
import { adminRoute, queryOf, type RouteContext } from './route';

/**
 * The admin's operations: the configuration check and "Sync all" as jobs with progress, the health page, and the
 * tenant's recent problems (what the server logged as a warning or error: the log without a shell).
 */
export function mountAdminOpsRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

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
  // Newest first.
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
}

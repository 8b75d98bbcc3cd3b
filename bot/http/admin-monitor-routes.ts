import type { Server } from 'restify';
import type { MonitorsResponse } from '../../shared/api/contract';
import { addMonitorRequest, monitorPasswordRequest } from '../../shared/api/schemas';
import { monitorsNeeded } from '../../shared/domain/monitors';
import { toMonitorView } from '../services/monitor-view';
import { notFound, parseInput } from './errors';
import { adminRoute, type RouteContext } from './route';

/** /api/admin/monitors: the presence monitor accounts whose Graph subscriptions carry Teams changes. */
export function mountAdminMonitorRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

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
        needed: monitorsNeeded(syncedUsers),
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
  server.put(
    '/api/admin/monitors/:id/password',
    admin(async (caller, req) => {
      const request = parseInput(monitorPasswordRequest, req.body);
      const monitorId: string = req.params.id;
      const view = await existingMonitor(caller.tenantId, monitorId, () =>
        deps.sync.monitors.setPassword(caller.tenantId, monitorId, request),
      );
      // That it changed and what came of it; the password itself never reaches a log.
      deps.logger.info(
        {
          tenantId: caller.tenantId,
          event: 'config.changed',
          by: caller.userId,
          monitorId,
          keys: ['monitor.password', 'monitor.passwordExpiresAt'],
          state: view.state,
        },
        'the admin gave a presence monitor a new password',
      );
      return { body: view };
    }),
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
}

import type { Server } from 'restify';
import type { MonitorView, MonitorsResponse } from '../../shared/api/contract';
import { addMonitorRequest, monitorPasswordRequest } from '../../shared/api/schemas';
import { monitorsNeeded } from '../../shared/domain/monitors';
import { toMonitorView } from '../services/monitor-view';
import { notFound, parseInput } from './errors';
import type { UserCaller } from '../auth/caller';
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
    admin(async (caller, req) => {
      const view = await deps.sync.monitors.add(caller.tenantId, parseInput(addMonitorRequest, req.body));
      logMonitorChange(caller, view.monitorId, {
        keys: ['monitor.username', 'monitor.password', 'monitor.passwordExpiresAt'],
        change: 'added',
        state: view.state,
      });
      return { status: 201, body: view };
    }),
  );
  server.post(
    '/api/admin/monitors/:id/authorize',
    admin(async (caller, req) => {
      const view = await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.authorize(caller.tenantId, req.params.id),
      );
      logMonitorAction(caller, view, 'authorize');
      return { body: view };
    }),
  );
  server.post(
    '/api/admin/monitors/:id/renew',
    admin(async (caller, req) => {
      const view = await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.renew(caller.tenantId, req.params.id),
      );
      logMonitorAction(caller, view, 'renew');
      return { body: view };
    }),
  );
  server.put(
    '/api/admin/monitors/:id/password',
    admin(async (caller, req) => {
      const request = parseInput(monitorPasswordRequest, req.body);
      const monitorId: string = req.params.id;
      const view = await existingMonitor(caller.tenantId, monitorId, () =>
        deps.sync.monitors.setPassword(caller.tenantId, monitorId, request),
      );
      logMonitorChange(caller, monitorId, {
        keys: ['monitor.password', 'monitor.passwordExpiresAt'],
        change: 'newPassword',
        state: view.state,
      });
      return { body: view };
    }),
  );
  server.del(
    '/api/admin/monitors/:id',
    admin(async (caller, req) => {
      await existingMonitor(caller.tenantId, req.params.id, () =>
        deps.sync.monitors.remove(caller.tenantId, req.params.id),
      );
      logMonitorChange(caller, req.params.id, { keys: ['monitor'], change: 'removed', state: 'deleted' });
      return {};
    }),
  );

  /**
   * A monitor added, given a new password or removed changes the tenant's configuration: who did it, to which monitor
   * and what came of it, in the same line as every other setting. Key names only: a password never reaches a log.
   */
  function logMonitorChange(
    caller: UserCaller,
    monitorId: string,
    change: { keys: string[]; change: 'added' | 'newPassword' | 'removed'; state: MonitorView['state'] },
  ): void {
    deps.logger.info(
      { tenantId: caller.tenantId, event: 'config.changed', by: caller.userId, monitorId, ...change },
      `the admin changed a presence monitor (${change.change})`,
    );
  }

  /** Authorize and renew change no setting but are an admin's repair: the log says who asked and what came of it. */
  function logMonitorAction(caller: UserCaller, view: MonitorView, action: 'authorize' | 'renew'): void {
    deps.logger.info(
      {
        tenantId: caller.tenantId,
        event: 'monitor.adminAction',
        by: caller.userId,
        monitorId: view.monitorId,
        action,
        state: view.state,
      },
      `the admin asked to ${action} a presence monitor`,
    );
  }

  async function existingMonitor<T>(tenantId: string, monitorId: string, run: () => Promise<T>): Promise<T> {
    const m = await deps.store.getMonitor(tenantId, monitorId);
    if (!m || m.state === 'deleted') throw notFound(`Monitor ${monitorId}`);
    return run();
  }
}

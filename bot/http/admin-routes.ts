import type { Server } from 'restify';
import { mountAdminMonitorRoutes } from './admin-monitor-routes';
import { mountAdminOpsRoutes } from './admin-ops-routes';
import { mountAdminReportRoutes } from './admin-report-routes';
import { mountAdminSettingsRoutes } from './admin-settings-routes';
import { mountAdminTenantRoutes } from './admin-tenant-routes';
import { mountAdminUserRoutes } from './admin-user-routes';
import { mountDialRulesRoutes } from './dial-rules-routes';
import { mountSyncRequestRoutes } from './sync-request-routes';
import type { RouteContext } from './route';

/** /api/admin/*: everything there requires the admin role or group (adminRoute in route.ts); one file per area. */
export function mountAdminRoutes(server: Server, ctx: RouteContext): void {
  mountAdminTenantRoutes(server, ctx);
  mountAdminMonitorRoutes(server, ctx);
  mountAdminSettingsRoutes(server, ctx);
  mountDialRulesRoutes(server, ctx);
  mountAdminUserRoutes(server, ctx);
  mountAdminOpsRoutes(server, ctx);
  mountAdminReportRoutes(server, ctx);
  mountSyncRequestRoutes(server, ctx);
}

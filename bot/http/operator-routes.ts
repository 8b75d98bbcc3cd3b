import type { Server } from 'restify';
import type { OperatorSyncState } from '../../shared/api/operator';
import { listOperatorTenants } from '../services/operator-view';
import { userRoute, type RouteContext } from './route';

/**
 * /api/operator/*: the hosting provider's operator view (hosted mode). Only a validated token of OPERATOR_TENANT_ID
 * holding the Switchboard.Operator app role gets an answer; everyone else, a customer's admin included, 403.
 */
export function mountOperatorRoutes(
  server: Server,
  ctx: RouteContext,
  syncStateOf: (tenantId: string) => OperatorSyncState,
): void {
  const { deps } = ctx;
  server.get(
    '/api/operator/tenants',
    userRoute(
      ctx,
      async () => ({
        body: await listOperatorTenants({ store: deps.store, jobs: deps.jobs, syncStateOf, now: deps.now }),
      }),
      { operator: true },
    ),
  );
}

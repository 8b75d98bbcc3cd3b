import type { Server } from 'restify';
import { z } from 'zod';
import type { HandedRequestView } from '../../shared/api/contract';
import { notFound, parseInput } from './errors';
import { userRoute, type RouteContext } from './route';

const requestId = z.object({ id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a request number') });

/**
 * GET /api/admin/sync-requests/:id: where an admin call answered 202 `sync_queued` (handed by a standby to the
 * process that runs the sync, which had not finished it in time) is followed to its end. Only the tenant's own
 * admin calls are found: the inbox's webhook rows are not requests anyone polls.
 */
export function mountSyncRequestRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  server.get(
    '/api/admin/sync-requests/:id',
    userRoute(
      ctx,
      async (caller, req) => {
        const { id } = parseInput(requestId, req.params);
        const item = await deps.store.syncInbox?.().get(caller.tenantId, Number(id));
        if (!item || item.kind !== 'call') throw notFound(`Sync request ${id}`);
        const body: HandedRequestView = {
          id,
          op: typeof item.payload.op === 'string' ? item.payload.op : 'unknown',
          state: item.state,
          done: item.done,
          total: item.total,
          result: item.result ?? null,
          finishedAt: item.finishedAt === null ? null : new Date(item.finishedAt).toISOString(),
        };
        return { body };
      },
      { admin: true },
    ),
  );
}

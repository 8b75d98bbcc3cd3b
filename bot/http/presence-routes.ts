import type { Server } from 'restify';
import { z } from 'zod';
import { parseInput } from './errors';
import { appRoute, queryOf, type RouteContext } from './route';

const MAX_IDS = 100;

const presenceQuery = z
  .object({
    ids: z.string().optional(),
    mails: z.string().optional(),
  })
  .refine(
    (q) => q.ids || q.mails,
    'name users with ids=<entra object ids> or mails=<addresses>, comma-separated',
  );

/**
 * GET /api/presence?ids=a,b or ?mails=x@y,z@y: presence of users for other systems (call-centre software), as an
 * app-only token of the caller's own tenant allows. Users outside that tenant are simply unknown to it.
 */
export function mountPresenceRoutes(server: Server, ctx: RouteContext): void {
  server.get(
    '/api/presence',
    appRoute(ctx, async (caller, req) => {
      const q = parseInput(presenceQuery, queryOf(req), 'query');
      const split = (v?: string) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      const ids = split(q.ids);
      const mails = split(q.mails).map((m) => m.toLowerCase());
      if (ids.length + mails.length > MAX_IDS) {
        return {
          status: 400,
          body: { error: { code: 'too_many_users', message: `Ask for at most ${MAX_IDS} users per call.` } },
        };
      }
      const users = await ctx.deps.store.listUsers(caller.tenantId);
      const wanted = users.filter((u) => ids.includes(u.entraUserId) || mails.includes(u.upn.toLowerCase()));
      const items = await Promise.all(
        wanted.map(async (u) => {
          const status = await ctx.deps.sync.status(caller.tenantId, u.entraUserId);
          return {
            id: u.entraUserId,
            upn: u.upn,
            displayName: u.displayName,
            teams: status.teams,
            pbx: status.pbx,
            lastSyncAt: status.lastSyncAt,
          };
        }),
      );
      const found = new Set(wanted.flatMap((u) => [u.entraUserId, u.upn.toLowerCase()]));
      return { body: { items, notFound: [...ids, ...mails].filter((k) => !found.has(k)) } };
    }),
  );
}

import type { Server } from 'restify';
import { z } from 'zod';
import { readPresence } from '../services/presence-read';
import { ApiHttpError, parseInput } from './errors';
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
 * app-only token of the caller's own tenant allows. Users outside that tenant are simply unknown to it. What the
 * answer holds and how an integrator gets a token: docs/presence-api.md.
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
      const mails = split(q.mails);
      if (ids.length + mails.length > MAX_IDS) {
        // Thrown, not returned: sendError adds the requestId every error of this API carries.
        throw new ApiHttpError(400, 'too_many_users', `Ask for at most ${MAX_IDS} users per call.`);
      }
      return { body: await readPresence(ctx.deps, caller.tenantId, { ids, mails }) };
    }),
  );
}

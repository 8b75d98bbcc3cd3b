import type { Server } from 'restify';
import { z } from 'zod';
import type { CallsResponse, MeResponse, MySettings } from '../../shared/api/contract';
import type { UserCaller } from '../auth/caller';
import { openCursor, sealCursor } from '../services/call-cursor';
import { firstPage, readCallPage, RECORDS_PER_READ, type CallPageQuery } from '../services/calls';
import { tenantDialRules } from '../services/dial-rules';
import { clickToCallFor, mySettingsSchema } from '../services/settings';
import { ensureConsent } from '../services/consent-check';
import { toSummary } from '../services/reports';
import { ApiHttpError, parseInput } from './errors';
import { queryOf, requestIdOf, userRoute, type RouteContext } from './route';

/** The first page names what to list; every next page is the cursor alone, which carries the same question. */
const callsQuery = z
  .object({
    cursor: z.string().min(1).max(2000).optional(),
    filter: z.enum(['all', 'missed', 'incoming', 'outgoing']).optional(),
    q: z.string().max(100).optional(),
    top: z.coerce.number().int().min(1).max(RECORDS_PER_READ).optional(),
  })
  .strict()
  .refine(
    (v) => v.cursor === undefined || (v.filter === undefined && v.q === undefined && v.top === undefined),
    { message: 'a cursor carries the filter, search and page size: send it alone', path: ['cursor'] },
  );

const clientSchema = z.object({
  type: z.enum(['desktop', 'web', 'ios', 'android', 'unknown']),
  version: z.string().max(50).optional(),
  locale: z.string().max(20).optional(),
});

export const createReportSchema = z
  .object({
    category: z.enum(['presence', 'callHistory', 'clickToCall', 'signIn', 'other']),
    description: z.string().trim().min(1, 'must describe the problem').max(4000),
    includeDiagnostics: z.boolean(),
    client: clientSchema,
  })
  .strict();

/** /api/me/*: what a signed-in user may see and change about themselves. The user is always the token's user. */
export function mountMeRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const reporter = (c: UserCaller) => ({
    tenantId: c.tenantId,
    userId: c.userId,
    displayName: c.displayName,
  });

  server.get(
    '/api/me',
    userRoute(
      ctx,
      async (caller, req) => {
        // The hosting provider's own tenant (not a customer) has no app of ours to consent to, nor settings.
        if (caller.customerTenant)
          await ensureConsent(deps.onBehalfOf, deps.logger, caller, requestIdOf(req));
        const settings = await deps.store.getUserSettings(caller.tenantId, caller.userId);
        const body: MeResponse = {
          user: {
            id: caller.userId,
            displayName: caller.displayName,
            upn: caller.upn,
            tenantId: caller.tenantId,
            isAdmin: caller.isAdmin && caller.customerTenant,
            isOperator: caller.isOperator,
            customerTenant: caller.customerTenant,
          },
          settings: toMySettings(settings),
          clickToCall: await clickToCallFor(deps.store, caller.tenantId, settings),
          dialRules: await tenantDialRules(deps.store, caller.tenantId),
        };
        return { body };
      },
      { operatorTenant: true },
    ),
  );

  server.get(
    '/api/me/calls',
    userRoute(ctx, async (caller, req) => {
      const query = parseInput(callsQuery, queryOf(req), 'query');
      const user = await deps.store.getUser(caller.tenantId, caller.userId);
      if (!user?.pbxPrincipalId) {
        throw new ApiHttpError(
          404,
          'no_phone_user',
          'Your Teams account is not matched to a phone user yet. Ask your admin to check the user mapping.',
        );
      }
      const cloudlink = deps.cloudlinkFor(caller.tenantId);
      if (!cloudlink)
        throw new ApiHttpError(
          409,
          'cloudlink_not_linked',
          'Your company has not linked its phone system yet.',
        );
      let page: CallPageQuery;
      if (query.cursor !== undefined) {
        const cursor = openCursor(deps.secretBox, query.cursor, caller);
        // A cursor sealed for another phone user (the admin re-mapped this one) would read someone else's calls.
        if (!cursor || cursor.principalId !== user.pbxPrincipalId)
          throw new ApiHttpError(400, 'invalid_cursor', 'This page of your call history is no longer valid.');
        page = cursor;
      } else {
        const { filter = 'all', q, top = RECORDS_PER_READ } = query;
        page = firstPage(user.pbxPrincipalId, { filter, q, top }, deps.now());
      }
      const { items, nextSkip } = await readCallPage(cloudlink, page);
      const body: CallsResponse =
        nextSkip === undefined
          ? { items }
          : {
              items,
              nextCursor: sealCursor(deps.secretBox, {
                ...page,
                tenantId: caller.tenantId,
                userId: caller.userId,
                skip: nextSkip,
              }),
            };
      return { body };
    }),
  );

  server.get(
    '/api/me/sync',
    userRoute(ctx, async (caller) => ({ body: await deps.sync.status(caller.tenantId, caller.userId) })),
  );
  server.post(
    '/api/me/sync',
    userRoute(ctx, async (caller) => {
      await deps.sync.resyncUser(caller.tenantId, caller.userId);
      return { body: await deps.sync.status(caller.tenantId, caller.userId) };
    }),
  );

  server.get(
    '/api/me/settings',
    userRoute(ctx, async (caller) => ({
      body: toMySettings(await deps.store.getUserSettings(caller.tenantId, caller.userId)),
    })),
  );
  server.put(
    '/api/me/settings',
    userRoute(ctx, async (caller, req) => {
      const settings = parseInput(mySettingsSchema, req.body);
      await deps.store.putUserSettings(caller.tenantId, caller.userId, settings);
      deps.logger.info(
        {
          event: 'settings.userChanged',
          tenantId: caller.tenantId,
          userId: caller.userId,
          missedCallNotice: settings.missedCallNotice,
          source: 'tab',
        },
        'user settings saved from the tab',
      );
      return { body: toMySettings(settings) };
    }),
  );

  server.get(
    '/api/me/reports',
    userRoute(ctx, async (caller) => ({
      body: { items: await deps.reports.list(caller.tenantId, { reporterId: caller.userId }) },
    })),
  );
  server.get(
    '/api/me/reports/diagnostics-preview',
    userRoute(ctx, async (caller, req) => {
      const client = parseInput(
        clientSchema,
        { type: queryOf(req).clientType ?? 'unknown', version: queryOf(req).clientVersion },
        'query',
      );
      return {
        body: await deps.reports.diagnostics(reporter(caller), {
          source: 'tab',
          client,
          correlationIds: [requestIdOf(req)],
        }),
      };
    }),
  );
  server.post(
    '/api/me/reports',
    userRoute(ctx, async (caller, req) => {
      const request = parseInput(createReportSchema, req.body);
      const report = await deps.reports.create(reporter(caller), request, {
        source: 'tab',
        client: request.client,
        correlationIds: [requestIdOf(req)],
      });
      return { status: 201, body: toSummary(report) };
    }),
  );
}

function toMySettings(s: { missedCallNotice: boolean; clickToCall?: MySettings['clickToCall'] }): MySettings {
  return { missedCallNotice: s.missedCallNotice, ...(s.clickToCall ? { clickToCall: s.clickToCall } : {}) };
}

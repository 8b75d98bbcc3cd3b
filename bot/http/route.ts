import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'restify';
import type { Logger } from '../../shared/platform/logger';
import { SyncStandbyError } from '../../shared/sync/ownership';
import { SyncQueuedError } from '../../shared/sync/owner-calls';
import type { AppCaller, UserCaller } from '../auth/caller';
import type { ServerDeps } from '../deps';
import { ServiceRefusal, type RefusalKind } from '../services/refusal';
import { ApiHttpError, RateLimitedError } from './errors';
import type { CallerThrottle } from './rate-limit';

export interface Reply {
  status?: number;
  body?: unknown;
}

export interface RouteContext {
  deps: ServerDeps;
  /** Per signed-in user or calling app. */
  callers: CallerThrottle;
  /** Per client address, before any token is checked; generous because a whole office may share one address. */
  addresses: CallerThrottle;
}

/** The request id we answer in x-request-id and in every error, to match a user's screenshot with our logs. */
export function requestIdOf(req: Request): string {
  const existing = (req as Request & { switchboardRequestId?: string }).switchboardRequestId;
  if (existing) return existing;
  const id = randomUUID();
  (req as Request & { switchboardRequestId?: string }).switchboardRequestId = id;
  return id;
}

/** The tenant of the caller a route authenticated, so a failure's log line names whose request it was. */
const callerTenants = new WeakMap<Request, string>();

const REFUSAL_STATUS: Record<RefusalKind, number> = {
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  upstream_failed: 502,
  unavailable: 503,
};

export function sendError(res: Response, req: Request, logger: Logger, thrown: unknown): void {
  const requestId = requestIdOf(req);
  const e =
    thrown instanceof ServiceRefusal
      ? new ApiHttpError(REFUSAL_STATUS[thrown.kind], thrown.code, thrown.message, thrown.action)
      : thrown;
  if (e instanceof ApiHttpError) {
    if (e instanceof RateLimitedError) res.header('Retry-After', String(e.retryAfterSeconds));
    if (e.status === 401) res.header('WWW-Authenticate', 'Bearer');
    res.send(e.status, e.toBody(requestId));
    return;
  }
  if (e instanceof SyncQueuedError) {
    // Handed to the process that runs the sync, which still works on it: accepted, not failed.
    res.send(202, {
      ...new ApiHttpError(202, 'sync_queued', e.message).toBody(requestId),
      syncRequest: { id: String(e.requestId), href: `/api/admin/sync-requests/${e.requestId}` },
    });
    return;
  }
  if (e instanceof SyncStandbyError) {
    // Another process runs this tenant's sync: a state to report, not a failure of ours.
    res.send(503, new ApiHttpError(503, 'sync_standby', e.message).toBody(requestId));
    return;
  }
  const tenantId = callerTenants.get(req);
  logger.error(
    { event: 'http.failed', ...(tenantId ? { tenantId } : {}), err: e, requestId, path: req.path() },
    'request failed',
  );
  res.send(500, {
    error: {
      code: 'internal_error',
      message: 'Something went wrong on our side. Quote the request id when you report it.',
    },
    requestId,
  });
}

/**
 * Counts a request against its client address. Every route without a signed-in caller goes through this (health,
 * metrics, webhooks, the bot endpoint, the tab's files): /healthz queries the store, so an open route is no free one.
 */
export function limitAddress(ctx: RouteContext, req: Request, bucket: 'ip' | 'hook' = 'ip'): void {
  limit(ctx.addresses, `${bucket}:${req.socket.remoteAddress ?? 'unknown'}`);
}

function limit(limiter: CallerThrottle, key: string): void {
  const taken = limiter.take(key);
  if (!taken.ok) {
    throw new RateLimitedError(taken.retryAfterSeconds);
  }
}

function wrap(ctx: RouteContext, run: (req: Request) => Promise<Reply>) {
  return async (req: Request, res: Response): Promise<void> => {
    res.header('x-request-id', requestIdOf(req));
    try {
      const reply = await run(req);
      if (reply.body === undefined) res.send(reply.status ?? 204);
      else res.send(reply.status ?? 200, reply.body);
    } catch (e) {
      sendError(res, req, ctx.deps.logger, e);
    }
  };
}

/**
 * A route for signed-in Teams users (the tab); `admin` routes also require the admin role or group, `operator` routes
 * the hosting provider's operator role. Only `operatorTenant` (and `operator`) routes serve the hosting provider's own
 * tenant when it is not an onboarded customer.
 */
export function userRoute(
  ctx: RouteContext,
  handler: (caller: UserCaller, req: Request) => Promise<Reply>,
  options: { admin?: boolean; operator?: boolean; operatorTenant?: boolean } = {},
) {
  return wrap(ctx, async (req) => {
    // Counted per address before the token is checked, so floods of bad tokens cannot make us fetch keys endlessly.
    limit(ctx.addresses, `ip:${req.socket.remoteAddress ?? 'unknown'}`);
    const caller = await ctx.deps.authenticator.user(req.header('authorization'), {
      operatorTenant: options.operatorTenant === true || options.operator === true,
    });
    callerTenants.set(req, caller.tenantId);
    limit(ctx.callers, `user:${caller.tenantId}:${caller.userId}`);
    if (options.operator && !caller.isOperator) {
      throw new ApiHttpError(
        403,
        'operator_required',
        "Only the hosting provider's operators (app role Switchboard.Operator in its own tenant) may do this.",
      );
    }
    if (options.admin && !caller.isAdmin) {
      throw new ApiHttpError(
        403,
        'admin_required',
        'Only Switchboard admins (app role Switchboard.Admin or the admin group) may do this.',
      );
    }
    return handler(caller, req);
  });
}

/** A route for admins only (the admin role, or ADMIN_GROUP_ID in single-tenant mode), checked by userRoute. */
export function adminRoute(ctx: RouteContext) {
  return (handler: Parameters<typeof userRoute>[1]) => userRoute(ctx, handler, { admin: true });
}

/** A route for other systems calling with an app-only token. */
export function appRoute(ctx: RouteContext, handler: (caller: AppCaller, req: Request) => Promise<Reply>) {
  return wrap(ctx, async (req) => {
    limit(ctx.addresses, `ip:${req.socket.remoteAddress ?? 'unknown'}`);
    const caller = await ctx.deps.authenticator.app(req.header('authorization'));
    callerTenants.set(req, caller.tenantId);
    limit(ctx.callers, `app:${caller.tenantId}:${caller.appId}`);
    return handler(caller, req);
  });
}

/** A route with no caller identity (health, metrics, webhooks that carry their own secret). */
export function openRoute(ctx: RouteContext, handler: (req: Request) => Promise<Reply>) {
  return wrap(ctx, async (req) => {
    limitAddress(ctx, req);
    return handler(req);
  });
}

export function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.url ?? '/', 'http://x').searchParams) out[k] = v;
  return out;
}

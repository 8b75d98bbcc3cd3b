import restify, { type Request, type Response, type Server } from 'restify';
import { Counter } from 'prom-client';
import { mountAdminRoutes } from './http/admin-routes';
import { jsonBodyReader } from './http/body';
import { mountMeRoutes } from './http/me-routes';
import { mountOnboardRoutes } from './http/onboard-routes';
import { mountOperatorRoutes } from './http/operator-routes';
import { mountOpsRoutes } from './http/ops-routes';
import { mountPresenceRoutes } from './http/presence-routes';
import { CallerThrottle } from './http/rate-limit';
import { limitAddress, requestIdOf, sendError, type RouteContext } from './http/route';
import { mountStaticTab } from './http/static-tab';
import { mountWebhookRoutes } from './http/webhook-routes';
import type { ServerDeps } from './deps';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * The one HTTP server of the product: the bot endpoint, the tab's API, the read API for other systems, webhooks,
 * health, metrics and the tab's files. Every failure becomes a JSON ApiError; nothing a client sends can crash it.
 */
export function createServer(deps: ServerDeps): Server {
  const server = restify.createServer({
    name: 'switchboard',
    handleUncaughtExceptions: false,
    log: deps.logger as never,
  });
  const limits = deps.limits ?? {};
  const ctx: RouteContext = {
    deps,
    callers: new CallerThrottle({
      burst: limits.burst ?? 60,
      perSecond: limits.perSecond ?? 10,
      now: deps.now,
    }),
    addresses: new CallerThrottle({
      burst: (limits.burst ?? 60) * 10,
      perSecond: (limits.perSecond ?? 10) * 10,
      now: deps.now,
    }),
  };

  const requests = metric(
    deps,
    () =>
      new Counter({
        name: 'switchboard_http_requests_total',
        help: 'HTTP requests by route and status',
        labelNames: ['route', 'status'],
        registers: [deps.metrics],
      }),
  );
  server.on('after', (req: Request, res: Response) => {
    requests.inc({ route: req.getRoute()?.path?.toString() ?? 'unmatched', status: String(res.statusCode) });
  });

  server.use(restify.plugins.queryParser({ mapParams: false }));
  // Our own reader, not restify's bodyParser: that one wrote multipart uploads to the temp directory before any
  // token was checked and past the size limit (see bot/http/body.ts).
  server.use(
    jsonBodyReader({ maxBytes: limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, logger: deps.logger }),
  );

  // restify's own refusals (unknown route, wrong method) get the same ApiError shape as ours.
  server.on(
    'restifyError',
    (
      req: Request,
      _res: Response,
      err: Error & { statusCode?: number; body?: { code?: string } },
      callback: () => void,
    ) => {
      const code = toCode(err.body?.code ?? err.name);
      const message =
        err.statusCode === 413
          ? `The request body is larger than ${limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes.`
          : // A library's own words for a malformed request (a parser's position, its internals) are not an answer.
            err.statusCode === 400
            ? 'The request is malformed.'
            : err.message || code;
      Object.assign(err, { toJSON: () => ({ error: { code, message }, requestId: requestIdOf(req) }) });
      callback();
    },
  );

  server.post('/api/messages', async (req: Request, res: Response) => {
    try {
      limitAddress(ctx, req);
      await deps.bot.handle(req, res);
    } catch (e) {
      if (!res.headersSent) sendError(res, req, deps.logger, e);
    }
  });
  mountMeRoutes(server, ctx);
  mountAdminRoutes(server, ctx);
  mountPresenceRoutes(server, ctx);
  mountWebhookRoutes(server, ctx);
  mountOpsRoutes(server, ctx);
  if (deps.operator) mountOperatorRoutes(server, ctx, deps.operator.syncStateOf);
  if (deps.onboarding)
    mountOnboardRoutes(server, {
      onboarding: deps.onboarding.service,
      publicBaseUrl: deps.onboarding.publicBaseUrl,
      logger: deps.logger,
      // Ten starts in a row, then one a minute, per address: an admin onboards once; a script gets nowhere.
      limiter: new CallerThrottle({ burst: 10, perSecond: 1 / 60, now: deps.now }),
    });
  mountStaticTab(server, deps.tabDir, {
    limit: (req) => limitAddress(ctx, req),
    sourceMaps: deps.tabSourceMaps ?? false,
  });
  return server;
}

/** Listens on host:port and resolves the base URL (port 0 picks a free port, as tests do). */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
    });
  });
}

function toCode(name: string): string {
  return (
    name
      .replace(/Error$/, '')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toLowerCase() || 'error'
  );
}

/** A registry rejects a second metric of the same name; several servers in one test process share the default one. */
function metric<T>(deps: ServerDeps, create: () => T): T {
  const existing = deps.metrics.getSingleMetric('switchboard_http_requests_total');
  return (existing as T | undefined) ?? create();
}

import type { Server } from 'restify';
import { sameSecret } from '../../shared/platform/same-secret';
import { ApiHttpError, notFound } from './errors';
import { limitAddress, openRoute, requestIdOf, sendError, type RouteContext } from './route';

/**
 * /healthz for load balancers and the demo's "is it up" check: open, because probes carry no credentials, and it
 * answers only whether the store responds (no data). /metrics for Prometheus: counters and histograms with no user
 * identifiers, still only for a scraper holding METRICS_BEARER_TOKEN; with no token configured it does not exist.
 */
export function mountOpsRoutes(server: Server, ctx: RouteContext): void {
  server.get(
    '/healthz',
    openRoute(ctx, async () => {
      try {
        await ctx.deps.store.listTenants();
        return { body: { status: 'ok', version: ctx.deps.appVersion } };
      } catch {
        return {
          status: 503,
          body: { status: 'degraded', version: ctx.deps.appVersion, store: 'unreachable' },
        };
      }
    }),
  );
  server.get('/metrics', async (req, res) => {
    res.header('x-request-id', requestIdOf(req));
    try {
      limitAddress(ctx, req);
      const expected = ctx.deps.metricsToken;
      if (!expected) throw notFound('/metrics (set METRICS_BEARER_TOKEN to enable it)');
      if (!bearerMatches(req.header('authorization'), expected))
        throw new ApiHttpError(
          401,
          'unauthorized',
          'GET /metrics needs Authorization: Bearer <METRICS_BEARER_TOKEN>.',
        );
      const sync = ctx.deps.syncMetrics?.();
      const text = [await ctx.deps.metrics.metrics(), sync ? await sync.metrics() : ''].join('\n');
      res.setHeader('Content-Type', ctx.deps.metrics.contentType);
      res.sendRaw(200, text);
    } catch (e) {
      sendError(res, req, ctx.deps.logger, e);
    }
  });
}

/** The scraper's bearer token against the configured one, compared in constant time. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const same = sameSecret(m?.[1] ?? '', expected);
  return m !== null && same;
}

import type { Server } from 'restify';
import { openRoute, type RouteContext } from './route';

/**
 * /healthz for load balancers and the demo's "is it up" check; /metrics for Prometheus. Neither carries user data:
 * health answers whether the store responds, metrics are counters and histograms with no user identifiers.
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
  server.get('/metrics', async (_req, res) => {
    const text = await ctx.deps.metrics.metrics();
    res.setHeader('Content-Type', ctx.deps.metrics.contentType);
    res.sendRaw(200, text);
  });
}

import type { Request, Response, Server } from 'restify';
import type { WebhookHandler } from '../services/sync-facade';
import { limitAddress, queryOf, requestIdOf, sendError, type RouteContext } from './route';

/**
 * Mounts the sync service's webhook handlers. They authenticate each post themselves (Graph clientState, the
 * CloudLink `key` Switchboard registered), so the route only translates between restify and the plain handler.
 */
export function mountWebhookRoutes(server: Server, ctx: RouteContext): void {
  const hooks = ctx.deps.webhooks;
  if (!hooks) return;
  const mount = (path: string, handler: WebhookHandler) =>
    server.post(path, async (req: Request, res: Response) => {
      try {
        // A bucket of their own: Graph's and CloudLink's deliveries must not use up an office's budget, nor it theirs.
        limitAddress(ctx, req, 'hook');
        const raw = (req as Request & { rawBody?: unknown }).rawBody;
        const answer = await handler({
          query: queryOf(req),
          headers: req.headers,
          body: req.body,
          rawBody: typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : '',
        });
        if (answer.status === 400) {
          // A post with the right secret (or none needed) that we could not use: a sender's bug worth seeing.
          ctx.deps.logger.warn(
            {
              path,
              requestId: requestIdOf(req),
              reason: typeof answer.body === 'string' ? answer.body.slice(0, 200) : undefined,
            },
            'webhook post refused',
          );
        }
        if (answer.body === undefined) return void res.send(answer.status);
        if (answer.contentType) {
          // Graph's validation handshake wants the token back verbatim as text/plain, not JSON-encoded, and no
          // browser may take the echoed text for anything else.
          res.setHeader('Content-Type', answer.contentType);
          res.setHeader('X-Content-Type-Options', 'nosniff');
          return void res.sendRaw(
            answer.status,
            typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
          );
        }
        res.send(answer.status, answer.body);
      } catch (e) {
        sendError(res, req, ctx.deps.logger, e);
      }
    });
  mount('/api/notifications/graph', hooks.graph);
  mount('/api/notifications/graph/lifecycle', hooks.graphLifecycle);
  mount('/api/notifications/cloudlink', hooks.cloudlink);
}

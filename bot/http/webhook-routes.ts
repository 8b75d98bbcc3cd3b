import type { Request, Response, Server } from 'restify';
import { readGraphPost } from '../../shared/sync';
import type { TenantWebhookAnswer } from '../services/webhooks';
import { ApiHttpError } from './errors';
import { limitAddress, queryOf, requestIdOf, sendError, type RouteContext } from './route';

/**
 * The webhook routes. A Graph post is read here once (`readGraphPost`): the subscription handshake is answered here,
 * well-formed items go to the sync. A CloudLink post goes on unread with the `key` its address carried: the sync
 * reads it only when the key is right. Graph's clientState is checked by the sync too (against the subscription).
 */
export function mountWebhookRoutes(server: Server, ctx: RouteContext): void {
  const receiver = ctx.deps.webhooks;
  if (!receiver) return;
  const graph = (path: string) =>
    server.post(path, async (req: Request, res: Response) => {
      try {
        // A bucket of their own: Graph's and CloudLink's deliveries must not use up an office's budget, nor it theirs.
        limitAddress(ctx, req, 'hook');
        const post = readGraphPost(queryOf(req), req.body);
        if (post.kind === 'handshake') return void sendText(res, 200, post.validationToken);
        const answer =
          post.kind === 'refused' ? { status: 400, problem: post.problem } : await receiver.graph(post.items);
        answerWith(ctx, req, res, path, answer);
      } catch (e) {
        sendError(res, req, ctx.deps.logger, e);
      }
    });
  graph('/api/notifications/graph');
  graph('/api/notifications/graph/lifecycle');
  server.post('/api/notifications/cloudlink', async (req: Request, res: Response) => {
    try {
      limitAddress(ctx, req, 'hook');
      const query = queryOf(req);
      const answer = await receiver.cloudlink({ key: query.key ?? '', body: req.body }, query.tenant);
      answerWith(ctx, req, res, '/api/notifications/cloudlink', answer);
    } catch (e) {
      sendError(res, req, ctx.deps.logger, e);
    }
  });
}

function answerWith(
  ctx: RouteContext,
  req: Request,
  res: Response,
  path: string,
  answer: TenantWebhookAnswer | undefined,
): void {
  if (!answer) throw new ApiHttpError(404, 'sync_off', 'Presence sync is not running.');
  if (answer.status === 400)
    // A post with the right secret (or none needed) that we could not use: a sender's bug worth seeing. A Graph post
    // refused before any sync read it names no tenant: none is known yet.
    ctx.deps.logger.warn(
      {
        event: 'webhook.refused',
        ...(answer.tenantId ? { tenantId: answer.tenantId } : {}),
        path,
        requestId: requestIdOf(req),
        reason: answer.problem?.slice(0, 200),
      },
      'webhook post refused',
    );
  if (answer.problem === undefined) return void res.send(answer.status);
  sendText(res, answer.status, answer.problem);
}

/** Graph's handshake wants the token back verbatim as text/plain, not JSON-encoded; no browser may take it for more. */
function sendText(res: Response, status: number, text: string): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.sendRaw(status, text);
}

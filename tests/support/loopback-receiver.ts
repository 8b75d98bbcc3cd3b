import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readGraphPost, type SyncService, type WebhookAnswer } from '../../shared/sync';

/** What a test or the bench answers itself instead of the service (a delivery it drops or fails on purpose). */
export type ReceiverIntercept = (path: string, query: Record<string, string>) => number | undefined;

export interface LoopbackReceiver {
  /** `${baseUrl}/graph`, `${baseUrl}/graph/lifecycle` and `${baseUrl}/cloudlink` reach the three handlers. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Test equipment: the sync service's webhook entry points on a bare node:http server at 127.0.0.1, for hosts that run
 * the engine without the bot's restify server: the benchmark and the sync integration tests. Like bot/'s routes it
 * reads a Graph post with `readGraphPost` (answering the handshake itself) and hands a CloudLink post on unread with
 * its key. `service` is read per request, so a host may swap the service (a restart).
 */
export async function startLoopbackReceiver(
  service: () => SyncService,
  intercept?: ReceiverIntercept,
  /** A fixed port (a restarted process that must keep its webhook URL); default any free one. */
  port = 0,
): Promise<LoopbackReceiver> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = Object.fromEntries(url.searchParams);
      const status = intercept?.(url.pathname, query);
      if (status !== undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text ? JSON.parse(text) : undefined;
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      const send = (status: number, text?: string) => {
        // Not chained: restify (in the same process in some tests) patches writeHead to return nothing.
        res.writeHead(status, text === undefined ? {} : { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
      const s = service();
      let answer: Promise<WebhookAnswer>;
      if (url.pathname === '/cloudlink') answer = s.receiveCloudLinkPost({ key: query.key ?? '', body });
      else {
        const post = readGraphPost(query, body);
        if (post.kind === 'handshake') return send(200, post.validationToken);
        if (post.kind === 'refused') return send(400, post.problem);
        answer = s.receiveGraphNotifications(post.items);
      }
      // A standby answers once the event is stored for the owner.
      answer.then(
        (a) => send(a.status, a.problem),
        () => send(500),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SyncService } from '../../shared/sync';

/** What a test or the bench answers itself instead of the service (a delivery it drops or fails on purpose). */
export type ReceiverIntercept = (path: string, query: Record<string, string>) => number | undefined;

export interface LoopbackReceiver {
  /** `${baseUrl}/graph`, `${baseUrl}/graph/lifecycle` and `${baseUrl}/cloudlink` reach the three handlers. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Test equipment: the sync service's three framework-free webhook handlers on a bare node:http server at 127.0.0.1,
 * for hosts that run the engine without the bot's restify server: the benchmark and the sync integration tests. bot/
 * mounts the same handlers on its own routes. `service` is read per request, so a host may swap the service (a
 * restart).
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
      const s = service();
      const answer =
        url.pathname === '/graph'
          ? s.handleGraphNotification({ query, body })
          : url.pathname === '/graph/lifecycle'
            ? s.handleGraphLifecycle({ query, body })
            : s.handleCloudLinkWebhook({ query, body });
      // A standby answers once the event is stored for the owner: a promise.
      void Promise.resolve(answer).then(
        (a) => {
          // Not chained: restify (in the same process in some tests) patches writeHead to return nothing.
          res.writeHead(a.status, a.headers);
          res.end(a.body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
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

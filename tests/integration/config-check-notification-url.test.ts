import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notificationUrlStep } from '../../bot/services/config-check';

/**
 * The check's notification URL step does what Graph does when a subscription is created: it posts a validation token
 * to /api/notifications/graph and wants it back. A server that answers something else with 200 (a sign-in page of a
 * proxy in front of Switchboard) fails it, where the old check (GET /healthz) passed.
 */
async function serve(
  handler: (url: URL, method: string) => { status: number; body: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const { status, body } = handler(new URL(req.url ?? '/', 'http://x'), req.method ?? '');
    // Not chained: restify, loaded by other suites in the same worker, patches writeHead to return nothing.
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const base = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("the configuration check's notification URL step", () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  it('passes when the webhook path echoes the validation token, as Graph requires', async () => {
    const seen: string[] = [];
    const server = await serve((url, method) => {
      seen.push(`${method} ${url.pathname}`);
      const token = url.searchParams.get('validationToken');
      return url.pathname === '/api/notifications/graph' && token
        ? { status: 200, body: token }
        : { status: 404, body: '' };
    });
    servers.push(server);
    const result = await notificationUrlStep({ publicBaseUrl: base(server), allowHttpPublicUrl: true });
    expect(result.state).toBe('passed');
    expect(seen).toEqual(['POST /api/notifications/graph']);
  });

  it('fails when something in front answers 200 without the token (a proxy’s sign-in page), saying so', async () => {
    const server = await serve(() => ({ status: 200, body: '<html>Sign in to continue</html>' }));
    servers.push(server);
    const result = await notificationUrlStep({ publicBaseUrl: base(server), allowHttpPublicUrl: true });
    expect(result).toMatchObject({
      state: 'failed',
      detailText: { code: 'check.urlNoEcho' },
      fixText: { code: 'check.fix.publicUrl' },
    });
  });

  it('fails on a refusal of the webhook path even while the health page answers', async () => {
    const server = await serve((url) =>
      url.pathname === '/healthz' ? { status: 200, body: 'ok' } : { status: 403, body: 'blocked' },
    );
    servers.push(server);
    const result = await notificationUrlStep({ publicBaseUrl: base(server), allowHttpPublicUrl: true });
    expect(result).toMatchObject({
      state: 'failed',
      detailText: { code: 'check.urlAnswered', params: { status: 403 } },
    });
  });
});

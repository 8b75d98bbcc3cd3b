import type { SyncService } from '../../shared/sync';
import { startLoopbackReceiver } from '../support/loopback-receiver';

/** The bench's and the sync tests' webhook host: each path reaches its handler; a broken body never does. */
describe('loopback webhook receiver', () => {
  const seen: string[] = [];
  const handler = (name: string) => (req: { query: Record<string, string>; body: unknown }) => {
    seen.push(`${name} ${JSON.stringify(req.query)} ${JSON.stringify(req.body)}`);
    return { status: 202, headers: { 'content-type': 'text/plain' }, body: name };
  };
  const service = {
    handleGraphNotification: handler('graph'),
    handleGraphLifecycle: handler('lifecycle'),
    handleCloudLinkWebhook: handler('cloudlink'),
  } as unknown as SyncService;

  it('hands each path to its handler with query and parsed body, and answers what the handler says', async () => {
    const r = await startLoopbackReceiver(
      () => service,
      (path) => (path === '/cloudlink' ? 503 : undefined),
    );
    try {
      const post = (path: string, body: string) => fetch(`${r.baseUrl}${path}`, { method: 'POST', body });
      const graph = await post('/graph?x=1', '{"value":[]}');
      expect([graph.status, await graph.text()]).toEqual([202, 'graph']);
      expect((await post('/graph/lifecycle', '')).status).toBe(202);
      expect((await post('/cloudlink?key=k', '{}')).status).toBe(503); // intercepted, never handled
      expect((await post('/graph', '{not json')).status).toBe(400);
      expect(seen).toEqual(['graph {"x":"1"} {"value":[]}', 'lifecycle {} undefined']);
    } finally {
      await r.close();
    }
  });
});

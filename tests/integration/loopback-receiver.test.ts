import type { CloudLinkPost, GraphNotification, SyncService } from '../../shared/sync';
import { startLoopbackReceiver } from '../support/loopback-receiver';

/** The bench's and the sync tests' webhook host: each path reaches its entry point; a broken body never does. */
describe('loopback webhook receiver', () => {
  const seen: string[] = [];
  const service = {
    receiveGraphNotifications: (items: GraphNotification[]) => {
      seen.push(`graph ${JSON.stringify(items)}`);
      return Promise.resolve({ status: 202 });
    },
    receiveCloudLinkPost: (post: CloudLinkPost) => {
      seen.push(`cloudlink ${JSON.stringify(post)}`);
      return Promise.resolve({ status: 401, problem: 'unknown webhook key' });
    },
  } as unknown as SyncService;

  it('reads Graph posts as the routes do, hands CloudLink posts on with their key, and answers what the service says', async () => {
    const r = await startLoopbackReceiver(
      () => service,
      (path) => (path === '/graph/lifecycle' ? 503 : undefined),
    );
    try {
      const post = (path: string, body: string) => fetch(`${r.baseUrl}${path}`, { method: 'POST', body });
      const item = { subscriptionId: 's1', clientState: 'c', lifecycleEvent: 'missed' };
      expect((await post('/graph', JSON.stringify({ value: [item, { nope: 1 }] }))).status).toBe(202);
      const handshake = await post('/graph?validationToken=abc', '');
      expect([handshake.status, await handshake.text()]).toEqual([200, 'abc']);
      expect((await post('/graph', '{"value":[]}')).status).toBe(400);
      expect((await post('/graph/lifecycle', JSON.stringify({ value: [item] }))).status).toBe(503); // intercepted
      const cloudlink = await post('/cloudlink?key=k', '{"topic":"t"}');
      expect([cloudlink.status, await cloudlink.text()]).toEqual([401, 'unknown webhook key']);
      expect((await post('/graph', '{not json')).status).toBe(400);
      expect(seen).toEqual([`graph ${JSON.stringify([item])}`, 'cloudlink {"key":"k","body":{"topic":"t"}}']);
    } finally {
      await r.close();
    }
  });
});

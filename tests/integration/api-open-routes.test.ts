import { createLogger } from '../../shared/platform/logger';
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import { acceptCloudLinkPost } from '../../shared/sync/webhooks';
import type { SyncService } from '../../shared/sync';
import { tenantWebhooks } from '../../bot/services/webhooks';
import { call, METRICS_TOKEN, startHarness, type Harness } from './bot-harness';

const KEY = 'cloudlink-webhook-key-0123456789';
const TENANT = '0d0d0d0d-1111-4111-8111-00000000000d';

/** The webhook receiver over a service that answers as the sync service does, recording what it accepted. */
function hooks(accepted: unknown[]) {
  const service: Pick<SyncService, 'receiveGraphNotifications' | 'receiveCloudLinkPost'> = {
    receiveGraphNotifications: (items) => {
      accepted.push(...items);
      return Promise.resolve({ status: 202 });
    },
    receiveCloudLinkPost: (post) =>
      Promise.resolve(acceptCloudLinkPost(post, KEY, readCloudLinkWebhook, (event) => accepted.push(event))),
  };
  return tenantWebhooks(() => service as SyncService, undefined, TENANT);
}

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** The routes without a signed-in caller: webhooks, health, metrics, the bot endpoint, the tab's files. */
describe('open routes', () => {
  describe('webhooks', () => {
    let h: Harness;
    const accepted: unknown[] = [];
    const log = recordingLogger();
    beforeAll(async () => {
      h = await startHarness({ webhooks: hooks(accepted), logger: log.logger });
    });
    afterAll(async () => {
      await h.close();
    });

    it('echoes a Graph validation token as text/plain that no browser may sniff', async () => {
      const token = 'Validation: Testing client application reachability for subscription Request-Id: 1';
      const res = await fetch(
        `${h.baseUrl}/api/notifications/graph?validationToken=${encodeURIComponent(token)}`,
        { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '' },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(token);
    });

    it('refuses to echo a validation token longer than 1024 characters', async () => {
      const long = `<html><script>alert(1)</script>${'x'.repeat(1024)}`;
      const res = await fetch(
        `${h.baseUrl}/api/notifications/graph?validationToken=${encodeURIComponent(long)}`,
        { method: 'POST' },
      );
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('<script>');
      const edge = 'y'.repeat(1024);
      const ok = await fetch(`${h.baseUrl}/api/notifications/graph?validationToken=${edge}`, {
        method: 'POST',
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(edge);
    });

    it('refuses a CloudLink event whose subject has a malformed % escape, with a warning in the log', async () => {
      const before = accepted.length;
      const res = await call(h, 'POST', `/api/notifications/cloudlink?key=${KEY}`, undefined, {
        topic: 'platform-api-presence',
        method: 'PUT',
        subject: '/presentities/%E0%A4%A',
        content: {},
      });
      expect(res.status).toBe(400);
      expect(accepted.length).toBe(before);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          level: 40,
          event: 'webhook.refused',
          tenantId: TENANT,
          msg: 'webhook post refused',
          path: '/api/notifications/cloudlink',
          reason: expect.stringContaining('malformed subject'),
        }),
      );
      // A well-formed one still goes through.
      const good = await call(h, 'POST', `/api/notifications/cloudlink?key=${KEY}`, undefined, {
        topic: 'platform-api-presence',
        method: 'PUT',
        subject: '/presentities/p%201',
        content: {},
      });
      expect(good.status).toBe(202);
      expect(accepted.length).toBe(before + 1);
    });
  });

  describe('per-address rate limit', () => {
    let h: Harness;
    beforeEach(async () => {
      // Addresses may burst 10 times a caller's burst: 20 requests here, and refill at 0.1 a second.
      h = await startHarness({ webhooks: hooks([]), limits: { burst: 2, perSecond: 0.01 } });
    });
    afterEach(async () => {
      await h.close();
    });

    const routes: Array<[string, string, () => Record<string, string>]> = [
      ['GET', '/healthz', () => ({})],
      ['GET', '/metrics', () => ({ Authorization: `Bearer ${METRICS_TOKEN}` })],
      ['POST', '/api/notifications/graph?validationToken=abc', () => ({})],
      ['POST', `/api/notifications/cloudlink?key=wrong`, () => ({})],
      ['POST', '/api/messages', () => ({})],
      ['GET', '/tab/index.html', () => ({})],
    ];
    it.each(routes)(
      '%s %s answers 429 with Retry-After once an address used up its budget',
      async (method, path, headers) => {
        const statuses: number[] = [];
        let last: Response | undefined;
        for (let i = 0; i < 21; i++) {
          last = await fetch(`${h.baseUrl}${path}`, { method, headers: headers() });
          statuses.push(last.status);
          await last.arrayBuffer();
        }
        expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
        expect(statuses[20]).toBe(429);
        expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      },
    );

    it("keeps webhook deliveries and the office's own requests in separate budgets", async () => {
      for (let i = 0; i < 20; i++) await (await fetch(`${h.baseUrl}/healthz`)).arrayBuffer();
      expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(429);
      const hook = await fetch(`${h.baseUrl}/api/notifications/graph?validationToken=abc`, {
        method: 'POST',
      });
      expect(hook.status).toBe(200);
    });
  });
});

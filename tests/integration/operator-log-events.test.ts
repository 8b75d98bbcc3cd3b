import { SignIns } from '../../bot/services/sign-in';
import { createLogger } from '../../shared/platform/logger';
import { call, startHarness, type Harness } from './bot-harness';

/**
 * The log lines an operator acts on carry an `event` code and the tenant (docs/admin-guide.md, "Logs"): a report
 * no admin hears of, a user's settings change, and a request that failed on our side.
 */
describe('log lines an operator acts on', () => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });

  beforeAll(async () => {
    h = await startHarness({ logger });
  });
  afterAll(async () => {
    await h.close();
  });
  const linesOf = (event: string) => lines.filter((l) => l.event === event);

  it('warns, with tenant and report, when a problem report reaches no admin because no admin channel is set', async () => {
    const report = await h.reports.create(
      { tenantId: h.fx.contoso, userId: h.fx.users.bob, displayName: 'Bob Agent' },
      { category: 'presence', description: 'DND stuck', includeDiagnostics: false },
      { source: 'tab', client: { type: 'web' }, correlationIds: [] },
    );
    expect(linesOf('report.noAdminChannel')).toEqual([
      expect.objectContaining({ level: 40, tenantId: h.fx.contoso, reportId: report.reportId }),
    ]);
  });

  it("logs a user's settings change with the tenant and the user, from the tab and from the bot", async () => {
    const bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    expect((await call(h, 'PUT', '/api/me/settings', bob, { missedCallNotice: true })).status).toBe(200);
    await new SignIns(h.store, () => h.fx.clock.now()).signIn(h.fx.contoso, h.fx.users.bob, []);
    const res = await call(h, 'POST', '/api/messages', undefined, {
      type: 'message',
      id: 'settings-1',
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      from: { id: '29:bob', name: 'Bob Agent', aadObjectId: h.fx.users.bob },
      recipient: { id: '28:switchboard-bot', name: 'Switchboard' },
      conversation: { id: 'a:bob-personal', conversationType: 'personal', tenantId: h.fx.contoso },
      channelData: { tenant: { id: h.fx.contoso } },
      value: { verb: 'saveSettings', missedCallNotice: 'false', clickToCall: 'default' },
    });
    expect(res.status).toBe(200);
    expect(linesOf('settings.userChanged')).toEqual([
      expect.objectContaining({ tenantId: h.fx.contoso, userId: h.fx.users.bob, missedCallNotice: true }),
      expect.objectContaining({ tenantId: h.fx.contoso, userId: h.fx.users.bob, missedCallNotice: false }),
    ]);
  });

  it('logs a request that failed on our side as http.failed, with the caller’s tenant and the request id', async () => {
    const bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    const status = h.sync.status;
    h.sync.status = async () => {
      throw new Error('store lost');
    };
    try {
      const res = await call(h, 'GET', '/api/me/sync', bob);
      expect(res.status).toBe(500);
      expect(linesOf('http.failed')).toEqual([
        expect.objectContaining({
          level: 50,
          tenantId: h.fx.contoso,
          requestId: res.body.requestId,
          path: '/api/me/sync',
        }),
      ]);
    } finally {
      h.sync.status = status;
    }
  });
});

import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import type { SyncStatus } from '../../shared/api/contract';
import { silentLogger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { BOT_COMMANDS } from '../../shared/teams/bot-commands';
import { JobRegistry } from '../../bot/services/jobs';
import { composeNotice, type Notifier, type OutgoingMessage } from '../../bot/services/notifier';
import { ReportService } from '../../bot/services/reports';
import { SignIns } from '../../bot/services/sign-in';
import type { SyncFacade } from '../../bot/services/sync-facade';
import { SwitchboardBot } from '../../bot/teams/bot';
import { BotSso } from '../../bot/teams/sso';

const TENANT = 'c0a1b2c3-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-00000000000b';
const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);

const status: SyncStatus = {
  teams: { availability: 'Busy', activity: 'InACall', at: null },
  pbx: { callState: 'connected', dnd: false, statusText: null, at: null },
  lastAssertion: { side: 'teams', what: 'Busy/InACall', at: new Date(NOW - 30_000).toISOString() },
  lastSyncAt: new Date(NOW - 120_000).toISOString(),
  enabled: { toTeams: true, fromTeams: true },
  problem: {
    message: 'Your Teams status is set by hand to Do not disturb, so the phone cannot change it.',
    fix: 'Reset your status in Teams.',
  },
};

/** The bot's commands and forms, driven through botbuilder's TestAdapter. */
describe('bot commands', () => {
  let store: Store;
  const resynced: string[] = [];
  const adminMessages: OutgoingMessage[] = [];
  let bot: SwitchboardBot;
  let signIns: SignIns;

  const sync = {
    status: async () => status,
    resyncUser: async (t: string, u: string) => void resynced.push(`${t}/${u}`),
  } as unknown as SyncFacade;
  const notifier: Notifier = {
    toUser: async () => 'delivered',
    toAdmins: async (_t, m) => (adminMessages.push(composeNotice(m, {})), 'delivered'),
  };

  const build = (requireSignIn: boolean) => {
    const logger = silentLogger();
    signIns = new SignIns(store, () => NOW);
    const jobs = new JobRegistry(logger, () => NOW);
    const reports = new ReportService({
      store,
      sync,
      jobs,
      notifier,
      logger,
      appVersion: '1.2.3',
      now: () => NOW,
    });
    const sso = new BotSso({
      validator: {
        validate: async () => {
          throw new Error('no tokens in this test');
        },
      },
      store,
      signIns,
      logger,
      now: () => NOW,
      appIdUri: 'api://switchboard.example/botid-5b0a7d1e-1111-4111-8111-000000000001',
      connectionName: 'switchboard-sso',
      signInUrl: 'https://switchboard.example/tab/index.html',
    });
    bot = new SwitchboardBot({ store, sync, reports, signIns, sso, logger, now: () => NOW, requireSignIn });
    return new TestAdapter(async (context) => bot.run(context));
  };

  const from = (text: string, value?: Record<string, unknown>): Partial<Activity> => ({
    type: ActivityTypes.Message,
    text,
    value,
    from: { id: '29:bob', name: 'Bob Agent', aadObjectId: BOB },
    conversation: { id: 'a:bob', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
    channelId: 'msteams',
    channelData: { tenant: { id: TENANT } },
    entities: [{ type: 'clientInfo', platform: 'Android', locale: 'de-DE' }],
  });

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    resynced.length = 0;
    adminMessages.length = 0;
  });
  afterEach(async () => {
    await store.close();
  });

  it('lists every command on help, and answers unknown text with help instead of silence', async () => {
    const adapter = build(false);
    await adapter.send(from('help')).assertReply((a) => {
      for (const c of BOT_COMMANDS) expect(a.text).toContain(`**${c.title}**`);
    });
    await adapter.send(from('what is the weather')).assertReply((a) => {
      expect(a.text).toMatch(/^I did not understand "what is the weather"/);
      expect(a.text).toContain('**report**');
    });
  });

  it('answers status with both presences, the last sync and the problem in words', async () => {
    await build(false)
      .send(from('<at>Switchboard</at> Status'))
      .assertReply((a) => {
        expect(a.text).toContain('**Teams:** Busy (In A Call)');
        expect(a.text).toContain('**Phone:** on a call');
        expect(a.text).toContain('**Last sync:** 2 min ago');
        expect(a.text).toContain('**What to do:** Reset your status in Teams.');
      });
  });

  it('resyncs the sender on sync', async () => {
    await build(false)
      .send(from('sync'))
      .assertReply((a) => expect(a.text).toMatch(/^Resynced/));
    expect(resynced).toEqual([`${TENANT}/${BOB}`]);
  });

  it('shows the report form and files what comes back, with diagnostics, telling the admins', async () => {
    const adapter = build(false);
    await adapter.send(from('report')).assertReply((a) => {
      const card = a.attachments?.[0]?.content as { body: { id?: string }[] };
      expect(card.body.map((b) => b.id).filter(Boolean)).toEqual([
        'category',
        'description',
        'includeDiagnostics',
      ]);
    });
    await adapter
      .send(
        from('', {
          verb: 'submitReport',
          category: 'presence',
          description: 'Teams shows me busy all day',
          includeDiagnostics: 'true',
        }),
      )
      .assertReply((a) => expect(a.text).toMatch(/your report is filed as report [0-9A-F]{6}\. /));
    const [report] = await store.listReports(TENANT);
    expect(report).toMatchObject({
      reporterId: BOB,
      reporterName: 'Bob Agent',
      category: 'presence',
      source: 'bot',
      status: 'new',
    });
    expect(report!.diagnostics).toMatchObject({
      client: { type: 'android', locale: 'de-DE' },
      appVersion: '1.2.3',
      syncState: { pbx: { callState: 'connected' } },
    });
    expect(adminMessages).toHaveLength(1);
    expect(adminMessages[0]!.text).toContain('Teams shows me busy all day');
  });

  it('refuses an incomplete report form without filing anything', async () => {
    await build(false)
      .send(from('', { verb: 'submitReport', category: 'presence', description: '' }))
      .assertReply((a) => expect(a.text).toMatch(/describe the problem/));
    expect(await store.listReports(TENANT)).toEqual([]);
  });

  it('saves settings from the settings card and refuses an unsafe custom link', async () => {
    const adapter = build(false);
    await adapter
      .send(from('settings'))
      .assertReply((a) =>
        expect(a.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive'),
      );
    await adapter
      .send(
        from('', {
          verb: 'saveSettings',
          missedCallNotice: 'true',
          clickToCall: 'custom',
          customTemplate: 'javascript:alert({number})',
        }),
      )
      .assertReply((a) => expect(JSON.stringify(a.attachments?.[0]?.content)).toMatch(/not valid/));
    expect((await store.getUserSettings(TENANT, BOB)).missedCallNotice).toBe(false);
    await adapter
      .send(
        from('', {
          verb: 'saveSettings',
          missedCallNotice: 'true',
          clickToCall: 'custom',
          customTemplate: 'micollab://dial?number={number}',
        }),
      )
      .assertReply((a) => expect(a.text).toMatch(/notices are on/));
    // A phone app's own scheme only where that app can be opened: new Teams desktop blocks it, the web has no app.
    expect(await store.getUserSettings(TENANT, BOB)).toEqual({
      missedCallNotice: true,
      clickToCall: {
        ios: 'micollab://dial?number={number}',
        android: 'micollab://dial?number={number}',
      },
    });
  });

  it('remembers the personal chat for later notices', async () => {
    await build(false)
      .send(from('help'))
      .assertReply(() => undefined);
    const record = await store.getConversation(TENANT, `user:${BOB}`);
    expect(record?.reference).toMatchObject({ conversation: { id: 'a:bob' }, channelId: 'msteams' });
  });

  it("asks for Teams SSO (an OAuth card with a token exchange resource) before using the user's data", async () => {
    const adapter = build(true);
    await adapter.send(from('status')).assertReply((a) => {
      const card = a.attachments?.[0];
      expect(card?.contentType).toBe('application/vnd.microsoft.card.oauth');
      expect(card?.content).toMatchObject({
        connectionName: 'switchboard-sso',
        tokenExchangeResource: {
          uri: 'api://switchboard.example/botid-5b0a7d1e-1111-4111-8111-000000000001',
        },
      });
    });
    await signIns.signIn(TENANT, BOB, []);
    await adapter.send(from('status')).assertReply((a) => expect(a.text).toContain('**Teams:**'));
    await adapter.send(from('sign out')).assertReply((a) => expect(a.text).toMatch(/signed out/));
    await adapter
      .send(from('sync'))
      .assertReply((a) =>
        expect(a.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.oauth'),
      );
    expect(resynced).toEqual([]);
  });

  it('lets only admins change a report from the admin card', async () => {
    const adapter = build(true);
    await signIns.signIn(TENANT, BOB, []);
    await adapter
      .send(
        from('', {
          verb: 'submitReport',
          category: 'other',
          description: 'help me',
          includeDiagnostics: 'false',
        }),
      )
      .assertReply(() => undefined);
    const [report] = await store.listReports(TENANT);
    await adapter
      .send(from('', { verb: 'reportStatus', reportId: report!.reportId, status: 'resolved' }))
      .assertReply((a) => expect(a.text).toMatch(/Only Switchboard admins/));
    await signIns.signIn(TENANT, BOB, ['Switchboard.Admin']);
    await adapter
      .send(from('', { verb: 'reportStatus', reportId: report!.reportId, status: 'resolved' }))
      .assertReply((a) => expect(a.text).toMatch(/now resolved/));
    expect((await store.getReport(TENANT, report!.reportId))!.status).toBe('resolved');
  });

  it("makes a channel the admins' notice channel only when an admin adds the bot there", async () => {
    const adapter = build(true);
    const added = (): Partial<Activity> => ({
      type: ActivityTypes.ConversationUpdate,
      membersAdded: [{ id: 'bot', name: 'Switchboard' }],
      recipient: { id: 'bot', name: 'Switchboard' },
      from: { id: '29:bob', name: 'Bob Agent', aadObjectId: BOB },
      conversation: {
        id: '19:ops@thread.tacv2',
        conversationType: 'channel',
        tenantId: TENANT,
        isGroup: true,
        name: 'Ops',
      },
      channelId: 'msteams',
      channelData: { tenant: { id: TENANT } },
    });
    await adapter.send(added()).assertReply((a) => expect(a.text).toMatch(/Only a Switchboard admin/));
    expect(await store.getConversation(TENANT, 'admins')).toBeUndefined();
    await signIns.signIn(TENANT, BOB, ['Switchboard.Admin']);
    await adapter.send(added()).assertReply((a) => expect(a.text).toMatch(/will be posted here/));
    expect((await store.getConversation(TENANT, 'admins'))?.reference).toMatchObject({
      conversation: { id: '19:ops@thread.tacv2' },
    });
  });
});

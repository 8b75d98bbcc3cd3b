import { silentLogger } from '../../shared/platform/logger';
import { NoticeService } from '../../bot/services/notices';
import { startHarness, type Harness } from './bot-harness';
import { said } from '../../shared/api/texts/english';
import { codedProblem, storedProblemText } from '../../shared/sync/stored-problem';

const DAY = 24 * 3600 * 1000;

/** Proactive notices go out through stored conversation references to the Bot Framework connector, once each. */
describe('proactive notices', () => {
  let h: Harness;
  let notices: NoticeService;
  const conversation = (id: string) => ({
    serviceUrl: h.connector.url,
    channelId: 'msteams',
    conversation: { id, tenantId: h.fx.contoso },
    bot: { id: 'switchboard-bot', name: 'Switchboard' },
  });
  // continueConversation replies into the conversation: POST /v3/conversations/{id}/activities/{generated id}
  const sentTo = (id: string) =>
    h.connector.sent.filter((s) =>
      s.path.startsWith(`/v3/conversations/${encodeURIComponent(id)}/activities`),
    );

  beforeAll(async () => {
    h = await startHarness();
    notices = new NoticeService({
      store: h.store,
      notifier: h.bot.notifier,
      logger: silentLogger(),
      now: () => h.fx.clock.now(),
      tabUrl: 'https://switchboard.example/tab/index.html',
    });
    const now = h.fx.clock.now();
    await h.store.putTenant({
      tenantId: h.fx.contoso,
      displayName: 'Contoso',
      clientId: h.fx.switchboard.clientId,
      clientSecretSealed: 'v1:a:b:c',
      clientSecretExpiresAt: now + 20 * DAY,
      clientSecretSavedAt: now - 300 * DAY,
      cloudlink: null,
      settings: {},
      updatedAt: now,
    });
    await h.store.putMonitor({
      tenantId: h.fx.contoso,
      monitorId: 'm-ok',
      username: 'monitor1@contoso.example',
      passwordSealed: 'v1:a:b:c',
      passwordExpiresAt: now + 90 * DAY,
      state: 'active',
      subscriptionId: null,
      subscriptionExpiresAt: null,
      userIds: [],
      clientState: null,
      lastError: null,
      updatedAt: now,
      adminVersion: 0,
    });
    await h.store.putMonitor({
      tenantId: h.fx.contoso,
      monitorId: 'm-soon',
      username: 'monitor2@contoso.example',
      passwordSealed: 'v1:a:b:c',
      passwordExpiresAt: now + 3 * DAY,
      state: 'active',
      subscriptionId: null,
      subscriptionExpiresAt: null,
      userIds: [],
      clientState: null,
      lastError: null,
      updatedAt: now,
      adminVersion: 0,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps an expiry warning until there is an admin channel, then sends each warning once', async () => {
    expect(await notices.checkExpiringCredentials(h.fx.contoso)).toBe(0);
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: 'admins',
      reference: conversation('19:admins@thread.tacv2'),
      updatedAt: 0,
    });
    expect(await notices.checkExpiringCredentials(h.fx.contoso)).toBe(2);
    const texts = sentTo('19:admins@thread.tacv2').map((s) => String(s.body.text));
    expect(texts).toEqual([
      expect.stringMatching(/^The app registration client secret expires on 2026-12-13/),
      expect.stringMatching(
        /^The password of presence monitor monitor2@contoso.example expires on 2026-11-26/,
      ),
    ]);
    expect(sentTo('19:admins@thread.tacv2')[0]!.body.attachments).toEqual([
      expect.objectContaining({ contentType: 'application/vnd.microsoft.card.adaptive' }),
    ]);
    await notices.sweep();
    expect(sentTo('19:admins@thread.tacv2')).toHaveLength(2);
  });

  it('tells a user once that their sync is broken, and again only after it worked in between', async () => {
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: `user:${h.fx.users.bob}`,
      reference: conversation('a:bob'),
      updatedAt: 0,
    });
    const version = await h.store.putSyncState({
      tenantId: h.fx.contoso,
      entraUserId: h.fx.users.bob,
      state: {},
      lastSyncAt: null,
      lastError: 'Graph 403 Forbidden: the app lacks Presence.ReadWrite.All',
      version: 0,
    });
    expect(await notices.checkBrokenSync(h.fx.contoso)).toBe(1);
    expect(await notices.checkBrokenSync(h.fx.contoso)).toBe(0);
    expect(String(sentTo('a:bob')[0]!.body.text)).toMatch(/not syncing.*Presence\.ReadWrite\.All/);
    const v2 = await h.store.putSyncState({
      tenantId: h.fx.contoso,
      entraUserId: h.fx.users.bob,
      state: {},
      lastSyncAt: h.fx.clock.now(),
      lastError: null,
      version,
    });
    expect(await notices.checkBrokenSync(h.fx.contoso)).toBe(0);
    await h.store.putSyncState({
      tenantId: h.fx.contoso,
      entraUserId: h.fx.users.bob,
      state: {},
      lastSyncAt: null,
      // As the sync stores a problem now: coded, so the tab can word it; the chat still reads its English sentence.
      lastError: storedProblemText(
        codedProblem(
          said('sync.refused', { system: 'CloudLink', detail: 'Unauthorized' }),
          said('fix.cloudlinkRights'),
        ),
      ),
      version: v2,
    });
    expect(await notices.checkBrokenSync(h.fx.contoso)).toBe(1);
    expect(sentTo('a:bob')).toHaveLength(2);
    expect(String(sentTo('a:bob')[1]!.body.text)).toMatch(/not syncing.*CloudLink refused: Unauthorized/);
    expect(String(sentTo('a:bob')[1]!.body.text)).not.toMatch(/[{}]|sync\.refused/);

    // A German Teams client (the locale kept with the chat) reads the same problem in German.
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: `user:${h.fx.users.bob}`,
      reference: { ...conversation('a:bob'), locale: 'de-DE' },
      updatedAt: 1,
    });
    await h.store.clearNotice(h.fx.contoso, `sync-broken:${h.fx.users.bob}`);
    expect(await notices.checkBrokenSync(h.fx.contoso)).toBe(1);
    const german = String(sentTo('a:bob')[2]!.body.text);
    expect(german).toContain('CloudLink hat abgelehnt: Unauthorized');
    expect(german).not.toMatch(/CloudLink refused/);
    // Bob's client is English again for the tests after this one.
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: `user:${h.fx.users.bob}`,
      reference: conversation('a:bob'),
      updatedAt: 2,
    });
  });

  it('sends missed-call notices only to users who opted in, once per call', async () => {
    const call = {
      callId: 'call-77',
      number: '+4930123456',
      name: 'Erika Mustermann',
      at: '2026-11-23T09:00:00.000Z',
    };
    const before = sentTo('a:bob').length;
    expect(await notices.missedCall(h.fx.contoso, h.fx.users.bob, call)).toBe(false);
    await h.store.putUserSettings(h.fx.contoso, h.fx.users.bob, { missedCallNotice: true });
    expect(await notices.missedCall(h.fx.contoso, h.fx.users.bob, call)).toBe(true);
    expect(await notices.missedCall(h.fx.contoso, h.fx.users.bob, call)).toBe(false);
    const sent = sentTo('a:bob').slice(before);
    expect(sent).toHaveLength(1);
    // No time zone known for this chat (the reference was stored without one): UTC, and it says so.
    expect(String(sent[0]!.body.text)).toMatch(
      /^You missed a call from Erika Mustermann \(\+4930123456\) at Nov 23, 2026, 9:00\sAM UTC\.$/,
    );
  });
});

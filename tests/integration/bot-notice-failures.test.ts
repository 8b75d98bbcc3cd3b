import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createLogger } from '../../shared/platform/logger';
import { NoticeService } from '../../bot/services/notices';
import { SignIns } from '../../bot/services/sign-in';
import { call, sentTo, startHarness, type Harness } from './bot-harness';

const DAY = 24 * 3600 * 1000;
const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const ADMINS = '19:admins@thread.tacv2';
const BOB_CHAT = 'a:bob-personal';
const TURN_FAILED = 'Sorry, something went wrong on my side. Please try again in a moment.';

/**
 * Proactive notices the connector does not take (it refuses the post, the bot was removed, the network fails): the
 * sender learns they were not delivered, so the once-only bookkeeping lets them go out at a later chance instead of
 * counting them as sent; one warning is logged per notice and no "turn failed" apology is posted after it.
 */
describe('proactive notices that do not arrive', () => {
  let h: Harness;
  let notices: NoticeService;
  let tenant: string;
  const lines: Record<string, unknown>[] = [];
  const failures = () => lines.filter((l) => l.event === 'bot.noticeFailed');
  const gaveUp = () => lines.filter((l) => l.event === 'bot.noticeGaveUp');

  const reference = (conversationId: string, serviceUrl = h.connector.url) => ({
    serviceUrl,
    channelId: 'msteams',
    conversation: { id: conversationId, tenantId: tenant },
    bot: BOT,
  });
  const remember = (key: string, conversationId: string, serviceUrl?: string) =>
    h.store.putConversation({
      tenantId: tenant,
      key,
      reference: reference(conversationId, serviceUrl),
      updatedAt: h.fx.clock.now(),
    });
  const post = async (activity: Record<string, unknown>) => {
    const res = await call(h, 'POST', '/api/messages', undefined, {
      type: 'message',
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      recipient: BOT,
      ...activity,
    });
    expect(res.status).toBe(200);
  };
  const breakBobsSync = async (lastError: string) => {
    const stored = await h.store.getSyncState(tenant, h.fx.users.bob);
    await h.store.putSyncState({
      tenantId: tenant,
      entraUserId: h.fx.users.bob,
      state: {},
      lastSyncAt: null,
      lastError,
      version: stored?.version ?? 0,
    });
  };

  beforeAll(async () => {
    h = await startHarness({
      logger: createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) }),
    });
    tenant = h.fx.contoso;
    notices = new NoticeService({
      store: h.store,
      notifier: h.bot.notifier,
      logger: createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) }),
      now: () => h.fx.clock.now(),
      tabUrl: 'https://switchboard.example/tab/index.html',
    });
    const now = h.fx.clock.now();
    await h.store.putTenant({
      tenantId: tenant,
      displayName: 'Contoso',
      clientId: h.fx.switchboard.clientId,
      clientSecretSealed: 'v1:a:b:c',
      clientSecretExpiresAt: now + 20 * DAY,
      clientSecretSavedAt: now - 300 * DAY,
      cloudlink: null,
      settings: {},
      updatedAt: now,
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('keeps an expiry warning the admin channel refused (503) for the next sweep, logged once, with no "turn failed" post', async () => {
    await remember('admins', ADMINS);
    h.connector.refuse(ADMINS, { status: 503, code: 'ServiceUnavailable' });
    const mark = h.connector.refused.length;

    expect(await notices.checkExpiringCredentials(tenant)).toBe(0);
    const attempts = h.connector.refused.slice(mark).map((s) => String(s.body.text));
    expect(attempts.length).toBeGreaterThan(0);
    // Every attempt was the warning itself (botbuilder retries a 503): never the apology for a failed turn.
    expect(attempts).not.toContain(TURN_FAILED);
    expect(attempts.every((t) => t.startsWith('The app registration client secret expires'))).toBe(true);
    expect(failures()).toEqual([
      expect.objectContaining({
        level: 40,
        tenantId: tenant,
        conversationId: ADMINS,
        status: 503,
        code: 'ServiceUnavailable',
        correlationId: expect.any(String),
      }),
    ]);
    // Not handled as a failed turn of the bot (which is what logged it and posted the apology before).
    expect(lines.filter((l) => l.msg === 'bot turn failed')).toEqual([]);
    // A 503 is passing trouble: the channel is kept.
    expect(await h.store.getConversation(tenant, 'admins')).toBeDefined();

    h.connector.refuse(ADMINS);
    expect(await notices.checkExpiringCredentials(tenant)).toBe(1);
    await notices.sweep();
    expect(sentTo(h.connector, ADMINS).map((s) => String(s.body.text))).toEqual([
      expect.stringMatching(/^The app registration client secret expires on/),
    ]);
  });

  it('forgets a chat the bot was removed from (403): no post every sweep, and the notice goes out once the user writes again', async () => {
    await remember(`user:${h.fx.users.bob}`, BOB_CHAT);
    await breakBobsSync('Graph 403 Forbidden: the app lacks Presence.ReadWrite.All');
    h.connector.refuse(BOB_CHAT, { status: 403, code: 'BotNotInConversationRoster' });
    const mark = h.connector.refused.length;

    expect(await notices.checkBrokenSync(tenant)).toBe(0);
    expect(h.connector.refused.slice(mark)).toHaveLength(1);
    expect(failures()).toEqual([
      expect.objectContaining({
        level: 40,
        tenantId: tenant,
        conversationId: BOB_CHAT,
        status: 403,
        code: 'BotNotInConversationRoster',
      }),
    ]);
    expect(await h.store.getConversation(tenant, `user:${h.fx.users.bob}`)).toBeUndefined();
    await notices.checkBrokenSync(tenant);
    await notices.checkBrokenSync(tenant);
    expect(h.connector.refused.slice(mark)).toHaveLength(1);

    // Bob adds the app again and writes to the bot: his chat is known again, and the notice reaches him.
    h.connector.refuse(BOB_CHAT);
    await post({
      id: 'bob-back',
      text: 'help',
      from: { id: '29:bob', name: 'Bob Agent', aadObjectId: h.fx.users.bob },
      conversation: { id: BOB_CHAT, conversationType: 'personal', tenantId: tenant },
      channelData: { tenant: { id: tenant } },
    });
    const before = sentTo(h.connector, BOB_CHAT).length;
    expect(await notices.checkBrokenSync(tenant)).toBe(1);
    expect(
      sentTo(h.connector, BOB_CHAT)
        .slice(before)
        .map((s) => String(s.body.text)),
    ).toEqual([expect.stringMatching(/not syncing.*Presence\.ReadWrite\.All/)]);
  });

  it('forgets an admin channel that is gone (404) until an admin names a channel again', async () => {
    await new SignIns(h.store, () => h.fx.clock.now()).signIn(tenant, h.fx.users.alice, [
      'Switchboard.Admin',
    ]);
    const GONE = '19:old-admins@thread.tacv2';
    await remember('admins', GONE);
    h.connector.refuse(GONE, { status: 404, code: 'ConversationNotFound' });
    await h.store.putTenant({
      ...(await h.store.getTenant(tenant))!,
      clientSecretExpiresAt: h.fx.clock.now() + 10 * DAY,
    });

    expect(await notices.checkExpiringCredentials(tenant)).toBe(0);
    expect(await h.store.getConversation(tenant, 'admins')).toBeUndefined();
    const refusedBefore = h.connector.refused.length;
    await notices.sweep();
    expect(h.connector.refused.length).toBe(refusedBefore);

    const NEW = '19:new-admins@thread.tacv2';
    await post({
      id: 'claim-new',
      text: 'admin notices here',
      from: { id: '29:alice', name: 'Alice Admin', aadObjectId: h.fx.users.alice },
      conversation: { id: NEW, conversationType: 'channel', isGroup: true, tenantId: tenant },
      channelData: { tenant: { id: tenant }, team: { id: '19:team@thread.tacv2' }, channel: { id: NEW } },
    });
    expect(await notices.checkExpiringCredentials(tenant)).toBe(1);
    expect(sentTo(h.connector, NEW).map((s) => String(s.body.text))).toEqual([
      'Problem reports and credential warnings will be posted here.',
      expect.stringMatching(/^The app registration client secret expires on/),
    ]);
  });

  it('lets a missed call whose notice failed be told when its event comes again, and still only once', async () => {
    await remember(`user:${h.fx.users.bob}`, BOB_CHAT);
    await h.store.putUserSettings(tenant, h.fx.users.bob, { missedCallNotice: true });
    const missed = { callId: 'call-503', number: '+4930123456', name: null, at: '2026-11-23T09:00:00.000Z' };
    h.connector.refuse(BOB_CHAT, { status: 503, code: 'ServiceUnavailable' });

    expect(await notices.missedCall(tenant, h.fx.users.bob, missed)).toBe(false);
    expect(failures()).toHaveLength(1);
    h.connector.refuse(BOB_CHAT);
    const before = sentTo(h.connector, BOB_CHAT).length;
    expect(await notices.missedCall(tenant, h.fx.users.bob, missed)).toBe(true);
    expect(await notices.missedCall(tenant, h.fx.users.bob, missed)).toBe(false);
    expect(
      sentTo(h.connector, BOB_CHAT)
        .slice(before)
        .map((s) => String(s.body.text)),
    ).toEqual([expect.stringMatching(/^You missed a call from \+4930123456/)]);
  });

  describe('a missed-call notice the connector did not take', () => {
    const MIN = 60_000;
    const missedNow = (callId: string) => ({
      callId,
      number: '+4930123456',
      name: null,
      at: new Date(h.fx.clock.now()).toISOString(),
    });
    const texts = (from: number) =>
      sentTo(h.connector, BOB_CHAT)
        .slice(from)
        .map((a) => String(a.body.text));
    beforeEach(async () => {
      await remember(`user:${h.fx.users.bob}`, BOB_CHAT);
      await h.store.putUserSettings(tenant, h.fx.users.bob, { missedCallNotice: true });
    });
    afterEach(() => h.connector.refuse(BOB_CHAT));

    it('goes out on a later try, after a minute, exactly once (the PBX reports the call only once)', async () => {
      const before = sentTo(h.connector, BOB_CHAT).length;
      h.connector.refuse(BOB_CHAT, { status: 503, code: 'ServiceUnavailable' });
      expect(await notices.missedCall(tenant, h.fx.users.bob, missedNow('call-retried'))).toBe(false);
      // Not before its minute, and a connector still down costs one more try, not a loop.
      h.fx.clock.advance(MIN - 1000);
      expect(await notices.retryMissedCalls()).toBe(0);
      expect(failures()).toHaveLength(1);
      h.fx.clock.advance(1000);
      expect(await notices.retryMissedCalls()).toBe(0);
      expect(failures()).toHaveLength(2);
      // The connector is back; the next try is five minutes after the second.
      h.connector.refuse(BOB_CHAT);
      h.fx.clock.advance(5 * MIN);
      expect(await notices.retryMissedCalls()).toBe(1);
      h.fx.clock.advance(120 * MIN);
      expect(await notices.retryMissedCalls()).toBe(0);
      expect(texts(before)).toEqual([expect.stringMatching(/^You missed a call from \+4930123456/)]);
    });

    it('is given up after five tries, with a log line, and sent no more', async () => {
      const before = sentTo(h.connector, BOB_CHAT).length;
      h.connector.refuse(BOB_CHAT, { status: 503, code: 'ServiceUnavailable' });
      expect(await notices.missedCall(tenant, h.fx.users.bob, missedNow('call-never'))).toBe(false);
      for (const wait of [1, 5, 15, 60, 240]) {
        h.fx.clock.advance(wait * MIN);
        await notices.retryMissedCalls();
      }
      expect(failures()).toHaveLength(5);
      expect(gaveUp()).toEqual([
        expect.objectContaining({ level: 40, tenantId: tenant, callId: 'call-never', attempts: 5 }),
      ]);
      h.connector.refuse(BOB_CHAT);
      h.fx.clock.advance(24 * 60 * MIN);
      expect(await notices.retryMissedCalls()).toBe(0);
      expect(texts(before)).toEqual([]);
    });

    it('is sent by another process when the one sending it died mid-send', async () => {
      const before = sentTo(h.connector, BOB_CHAT).length;
      // This process takes the call and never hears back from the connector: it died while sending.
      const dying = new NoticeService({
        store: h.store,
        notifier: {
          toUser: () => new Promise(() => undefined),
          toAdmins: () => new Promise(() => undefined),
        },
        logger: createLogger('silent'),
        now: () => h.fx.clock.now(),
        tabUrl: 'https://switchboard.example/tab/index.html',
      });
      void dying.missedCall(tenant, h.fx.users.bob, missedNow('call-orphaned'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await notices.retryMissedCalls()).toBe(0);
      h.fx.clock.advance(MIN);
      expect(await notices.retryMissedCalls()).toBe(1);
      // Only once: the next sweeps find nothing left.
      h.fx.clock.advance(10 * MIN);
      expect(await notices.retryMissedCalls()).toBe(0);
      expect(texts(before)).toEqual([expect.stringMatching(/^You missed a call from \+4930123456/)]);
    });

    it('is not tried again once the chat is gone (403): nothing left to send it to', async () => {
      h.connector.refuse(BOB_CHAT, { status: 403, code: 'BotNotInConversationRoster' });
      expect(await notices.missedCall(tenant, h.fx.users.bob, missedNow('call-gone'))).toBe(false);
      const refusedSoFar = h.connector.refused.length;
      h.fx.clock.advance(MIN);
      expect(await notices.retryMissedCalls()).toBe(0);
      h.fx.clock.advance(5 * MIN);
      expect(await notices.retryMissedCalls()).toBe(0);
      // No post reached the connector after the refusal that made the chat gone.
      expect(h.connector.refused).toHaveLength(refusedSoFar);
      expect(failures()).toHaveLength(1);
    });
  });

  it('reports a connector it cannot reach as not delivered, with the network error as the code', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await remember(`user:${h.fx.users.bob}`, BOB_CHAT, `http://127.0.0.1:${closedPort}/`);
    await breakBobsSync('CloudLink 401');
    await h.store.clearNotice(tenant, `sync-broken:${h.fx.users.bob}`);

    expect(await notices.checkBrokenSync(tenant)).toBe(0);
    expect(failures()).toEqual([
      expect.objectContaining({ conversationId: BOB_CHAT, status: 0, code: 'ECONNREFUSED' }),
    ]);
    // Nothing answered, so nothing says the chat is gone: it is kept for the next try.
    expect(await h.store.getConversation(tenant, `user:${h.fx.users.bob}`)).toBeDefined();
  });
});

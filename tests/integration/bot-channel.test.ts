import { silentLogger } from '../../shared/platform/logger';
import { callHistoryLink } from '../../shared/teams/deep-link';
import { NoticeService } from '../../bot/services/notices';
import { SignIns } from '../../bot/services/sign-in';
import { call, cardOf, sentTo as sentToConnector, startHarness, type Harness } from './bot-harness';
import { reportNumber } from '../../shared/domain/report-number';

const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const CHANNEL = '19:ops@thread.tacv2';
const TEAMS_APP_ID = '66666666-7777-8888-9999-000000000000';

/**
 * The bot as Teams drives it over /api/messages (playground transport, so no channel token is needed), with a fake
 * connector recording what the bot sends: admin notices in a channel (issue 14 item 13), an admin's question
 * answered in the reporter's chat (item 4), and a missed call in the reader's language and time zone (item 14).
 */
describe('the bot in a channel and in a German personal chat', () => {
  let h: Harness;
  let tenant: string;
  const admin = () => ({ id: '29:alice', name: 'Alice Admin', aadObjectId: h.fx.users.alice });
  const bob = () => ({ id: '29:bob', name: 'Bob Agent', aadObjectId: h.fx.users.bob });

  const channelActivity = (extra: Record<string, unknown>) => ({
    serviceUrl: h.connector.url,
    channelId: 'msteams',
    from: admin(),
    recipient: BOT,
    conversation: { id: CHANNEL, conversationType: 'channel', isGroup: true, tenantId: tenant },
    channelData: { tenant: { id: tenant }, team: { id: '19:team@thread.tacv2' }, channel: { id: CHANNEL } },
    ...extra,
  });
  const personalActivity = (extra: Record<string, unknown>) => ({
    type: 'message',
    serviceUrl: h.connector.url,
    channelId: 'msteams',
    from: bob(),
    recipient: BOT,
    conversation: { id: 'a:bob-personal', conversationType: 'personal', tenantId: tenant },
    channelData: { tenant: { id: tenant } },
    ...extra,
  });
  const post = async (activity: unknown) => {
    const res = await call(h, 'POST', '/api/messages', undefined, activity);
    expect(res.status).toBe(200);
  };
  const sentTo = (conversationId: string, since = 0) => sentToConnector(h.connector, conversationId, since);

  beforeAll(async () => {
    h = await startHarness();
    tenant = h.fx.contoso;
    await new SignIns(h.store, () => h.fx.clock.now()).signIn(tenant, h.fx.users.alice, [
      'Switchboard.Admin',
    ]);
  });
  afterAll(async () => {
    await h.close();
  });

  it('takes the channel for admin notices when an admin installs the bot there, once for both announcements', async () => {
    await post(channelActivity({ type: 'installationUpdate', action: 'add', id: 'install-1' }));
    expect(sentTo(CHANNEL)).toHaveLength(1);
    await post(
      channelActivity({
        type: 'conversationUpdate',
        id: 'update-1',
        membersAdded: [{ id: BOT.id, name: BOT.name }],
      }),
    );
    const sent = sentTo(CHANNEL);
    expect(sent.map((s) => s.body.text)).toEqual([
      'Problem reports and credential warnings will be posted here.',
    ]);
    expect((await h.store.getConversation(tenant, 'admins'))?.reference).toMatchObject({
      conversation: { id: CHANNEL },
      serviceUrl: h.connector.url,
    });
  });

  it('posts a report to the channel; Acknowledge, Ask for more and Resolve update that card in place', async () => {
    // Bob talks to the bot first, so it can tell him about his report.
    await post(personalActivity({ id: 'bob-1', text: 'help' }));
    const before = h.connector.sent.length;
    const report = await h.reports.create(
      { tenantId: tenant, userId: h.fx.users.bob, displayName: 'Bob Agent' },
      { category: 'presence', description: 'Teams shows me busy all day', includeDiagnostics: false },
      { source: 'bot', client: { type: 'desktop' }, correlationIds: [] },
    );
    const [notice] = sentTo(CHANNEL, before);
    expect(notice!.method).toBe('POST');
    expect(cardOf(notice!).actions!.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Ask for more']);
    // The connector answered the post with the message id, which Teams puts in replyToId of the card's actions.
    const cardId = `sent-${h.connector.sent.indexOf(notice!) + 1}`;
    const act = (id: string, value: Record<string, unknown>) =>
      post(
        channelActivity({
          type: 'message',
          id,
          replyToId: cardId,
          value: { verb: 'reportStatus', reportId: report.reportId, ...value },
        }),
      );

    let mark = h.connector.sent.length;
    await act('ack-1', { status: 'acknowledged' });
    const update = sentTo(CHANNEL, mark).find((s) => s.method === 'PUT');
    expect(update?.path).toBe(`/v3/conversations/${encodeURIComponent(CHANNEL)}/activities/${cardId}`);
    expect(cardOf(update!).actions!.map((a) => a.title)).toEqual(['Resolve', 'Ask for more']);
    expect(sentTo('a:bob-personal', mark).map((s) => String(s.body.text))).toEqual([
      'Your problem report "Teams shows me busy all day" is now acknowledged: an admin is looking at it (by Alice Admin).',
    ]);

    // The admin asks; Bob answers with a plain message in his chat; the answer reaches the report and the channel.
    mark = h.connector.sent.length;
    await act('ask-1', { status: 'needsInfo', note: 'Which phone do you use?' });
    const question = sentTo('a:bob-personal', mark)[0]!;
    expect(String(question.body.text)).toContain('The admin asks: Which phone do you use?');
    mark = h.connector.sent.length;
    await post(personalActivity({ id: 'bob-2', text: 'A Mitel 6930' }));
    expect(sentTo('a:bob-personal', mark).map((s) => String(s.body.text))).toEqual([
      `Thanks, I added your answer to report ${reportNumber(report.reportId)} and told the admins.`,
    ]);
    const told = sentTo(CHANNEL, mark);
    expect(told.map((s) => String(s.body.text))).toEqual([
      `Bob Agent answered on report ${reportNumber(report.reportId)}: A Mitel 6930`,
    ]);
    expect(JSON.stringify(cardOf(told[0]!).body)).toContain('A Mitel 6930');
    const me = await call(h, 'GET', '/api/me/reports', await h.sso(tenant, h.fx.users.bob));
    expect(
      me.body.items[0].history.map((e: { by: string; note?: string }) => [e.by, e.note ?? null]),
    ).toEqual([
      ['Bob Agent', null],
      ['Alice Admin', null],
      ['Alice Admin', 'Which phone do you use?'],
      ['Bob Agent', 'A Mitel 6930'],
    ]);

    mark = h.connector.sent.length;
    await act('resolve-1', { status: 'resolved' });
    const resolved = sentTo(CHANNEL, mark).find((s) => s.method === 'PUT');
    expect(cardOf(resolved!).actions ?? []).toEqual([]);
    expect((await h.store.getReport(tenant, report.reportId))!.status).toBe('resolved');
  });

  it('keeps the channel itself, not the thread, when an admin says "admin notices here" in a reply', async () => {
    const mark = h.connector.sent.length;
    await post(
      channelActivity({
        type: 'message',
        id: 'claim-2',
        text: '<at>Switchboard</at> admin notices here',
        conversation: {
          id: `${CHANNEL};messageid=1700000000000`,
          conversationType: 'channel',
          tenantId: tenant,
        },
      }),
    );
    // The answer goes into the thread it was asked in; later notices go to the channel as new posts.
    expect(h.connector.sent.slice(mark).map((s) => s.path)).toEqual([
      `/v3/conversations/${encodeURIComponent(`${CHANNEL};messageid=1700000000000`)}/activities/claim-2`,
    ]);
    expect((await h.store.getConversation(tenant, 'admins'))?.reference).toMatchObject({
      conversation: { id: CHANNEL },
    });
  });

  it('does not let a non-admin act on the card in the channel', async () => {
    const report = await h.reports.create(
      { tenantId: tenant, userId: h.fx.users.bob, displayName: 'Bob Agent' },
      { category: 'other', description: 'second', includeDiagnostics: false },
      { source: 'bot', client: { type: 'desktop' }, correlationIds: [] },
    );
    const mark = h.connector.sent.length;
    await post(
      channelActivity({
        type: 'message',
        id: 'bob-ack',
        from: bob(),
        replyToId: 'sent-1',
        value: { verb: 'reportStatus', reportId: report.reportId, status: 'resolved' },
      }),
    );
    expect(sentTo(CHANNEL, mark).map((s) => [s.method, String(s.body.text)])).toEqual([
      ['POST', 'Only Switchboard admins can change a report.'],
    ]);
    expect((await h.store.getReport(tenant, report.reportId))!.status).toBe('new');
  });

  it('tells a German user about a missed call in German, in their time zone, linking to the Calls tab in Teams', async () => {
    await post(
      personalActivity({ id: 'bob-de', text: 'hilfe', locale: 'de-DE', localTimezone: 'Europe/Berlin' }),
    );
    await h.store.putUserSettings(tenant, h.fx.users.bob, { missedCallNotice: true });
    const notices = new NoticeService({
      store: h.store,
      notifier: h.bot.notifier,
      logger: silentLogger(),
      now: () => h.fx.clock.now(),
      tabUrl: 'https://switchboard.example/tab/index.html',
      callHistoryUrl: callHistoryLink(TEAMS_APP_ID),
    });
    const mark = h.connector.sent.length;
    const call = {
      callId: 'call-de-1',
      number: '+4930123456',
      name: 'Erika Mustermann',
      at: '2026-12-02T01:46:46.108Z',
    };
    expect(await notices.missedCall(tenant, h.fx.users.bob, call)).toBe(true);
    const [sent] = sentTo('a:bob-personal', mark);
    expect(sent!.body.text).toBe(
      'Sie haben einen Anruf von Erika Mustermann (+4930123456) verpasst (02.12.2026, 02:46).',
    );
    expect(sent!.body.locale).toBe('de-DE');
    const card = cardOf(sent!) as unknown as { actions: { title: string; url: string }[] };
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Anrufliste öffnen',
        url: `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/callHistory`,
      },
    ]);
  });
});

import { SignIns } from '../../bot/services/sign-in';
import { reportNumber } from '../../shared/domain/report-number';
import { call, cardOf, sentTo, startHarness, type Harness } from './bot-harness';

const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
// Teams names a group chat 19:…@thread.v2 (a channel is …@thread.tacv2 and comes with channelData.team).
const ADMINS_CHAT = '19:7c1f0e3a9b2d4e6f8a0b1c2d3e4f5a6b@thread.v2';
const OTHER_CHAT = '19:0a1b2c3d4e5f60718293a4b5c6d7e8f9@thread.v2';
const BOB_CHAT = 'a:bob-personal';

/**
 * The manifest lets the bot into group chats as well as team channels (issue 14 item 13): an admin who adds the bot
 * to a group chat gets the admin notices there, and acts on report cards in it as in a channel.
 */
describe('admin notices in a group chat', () => {
  let h: Harness;
  let tenant: string;
  const admin = () => ({ id: '29:alice', name: 'Alice Admin', aadObjectId: h.fx.users.alice });
  const bob = () => ({ id: '29:bob', name: 'Bob Agent', aadObjectId: h.fx.users.bob });

  // As the Bot Framework delivers a group chat's activities: no team, no channel, the conversation marked a group.
  const groupChatActivity = (chatId: string, extra: Record<string, unknown>) => ({
    serviceUrl: h.connector.url,
    channelId: 'msteams',
    from: admin(),
    recipient: BOT,
    conversation: { id: chatId, conversationType: 'groupChat', isGroup: true, tenantId: tenant },
    channelData: { tenant: { id: tenant } },
    ...extra,
  });
  const post = async (activity: unknown) => {
    const res = await call(h, 'POST', '/api/messages', undefined, activity);
    expect(res.status).toBe(200);
  };
  /** What the card's Status fact says, as the admins read it. */
  const statusOn = (card: { body: unknown[] }) =>
    card.body
      .flatMap((b) => (b as { facts?: { title: string; value: string }[] }).facts ?? [])
      .find((f) => f.title === 'Status')?.value;
  const adminTarget = async () => (await h.store.getConversation(tenant, 'admins'))?.reference;

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

  it('does not take a group chat a non-admin adds the bot to', async () => {
    await post(
      groupChatActivity(OTHER_CHAT, {
        type: 'installationUpdate',
        action: 'add',
        id: 'install-0',
        from: bob(),
      }),
    );
    expect(sentTo(h.connector, OTHER_CHAT).map((s) => s.body.text)).toEqual([
      'Only a Switchboard admin can make this the admin notice channel. An admin can send "admin notices here".',
    ]);
    expect(await adminTarget()).toBeUndefined();
  });

  it('takes the group chat for admin notices when an admin adds the bot to it, greeting once', async () => {
    await post(
      groupChatActivity(ADMINS_CHAT, { type: 'installationUpdate', action: 'add', id: 'install-1' }),
    );
    await post(
      groupChatActivity(ADMINS_CHAT, {
        type: 'conversationUpdate',
        id: 'update-1',
        membersAdded: [{ id: BOT.id, name: BOT.name }],
      }),
    );
    expect(sentTo(h.connector, ADMINS_CHAT).map((s) => s.body.text)).toEqual([
      'Problem reports and credential warnings will be posted here.',
    ]);
    expect(await adminTarget()).toMatchObject({
      conversation: { id: ADMINS_CHAT, conversationType: 'groupChat' },
      serviceUrl: h.connector.url,
    });
  });

  it("posts a user's report to the group chat; Acknowledge and Resolve update that card in place", async () => {
    // Bob has talked to the bot, so it can tell him what the admins did.
    await post({
      type: 'message',
      id: 'bob-1',
      text: 'help',
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      from: bob(),
      recipient: BOT,
      conversation: { id: BOB_CHAT, conversationType: 'personal', tenantId: tenant },
      channelData: { tenant: { id: tenant } },
    });
    const before = h.connector.sent.length;
    const report = await h.reports.create(
      { tenantId: tenant, userId: h.fx.users.bob, displayName: 'Bob Agent' },
      { category: 'presence', description: 'My phone stays on do not disturb', includeDiagnostics: false },
      { source: 'tab', client: { type: 'web' }, correlationIds: [] },
    );
    const [notice, ...more] = sentTo(h.connector, ADMINS_CHAT, before);
    expect(more).toEqual([]);
    expect(notice!.method).toBe('POST');
    expect(JSON.stringify(cardOf(notice!).body)).toContain('My phone stays on do not disturb');
    expect(statusOn(cardOf(notice!))).toBe('new');
    expect(cardOf(notice!).actions!.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Ask for more']);
    // The connector answered the post with the message id; Teams puts it in replyToId of the card's submits.
    const cardId = `sent-${h.connector.sent.indexOf(notice!) + 1}`;
    const cardPath = `/v3/conversations/${encodeURIComponent(ADMINS_CHAT)}/activities/${cardId}`;
    const act = (id: string, status: string) =>
      post(
        groupChatActivity(ADMINS_CHAT, {
          type: 'message',
          id,
          replyToId: cardId,
          value: { verb: 'reportStatus', reportId: report.reportId, status },
        }),
      );

    // The clicking admin gets a line in the chat under the card; the card itself changes where it is.
    const changed = (activityId: string, status: string) => [
      ['PUT', cardPath, undefined],
      [
        'POST',
        `/v3/conversations/${encodeURIComponent(ADMINS_CHAT)}/activities/${activityId}`,
        `Report ${reportNumber(report.reportId)} is now ${status}; the reporter has been told.`,
      ],
    ];
    const sends = (since: number) =>
      sentTo(h.connector, ADMINS_CHAT, since).map((s) => [s.method, s.path, s.body.text]);

    let mark = h.connector.sent.length;
    await act('ack-1', 'acknowledged');
    expect(sends(mark)).toEqual(changed('ack-1', 'acknowledged: an admin is looking at it'));
    const acknowledged = sentTo(h.connector, ADMINS_CHAT, mark);
    expect(statusOn(cardOf(acknowledged[0]!))).toBe('acknowledged: an admin is looking at it');
    expect(cardOf(acknowledged[0]!).actions!.map((a) => a.title)).toEqual(['Resolve', 'Ask for more']);
    expect((await h.store.getReport(tenant, report.reportId))!.status).toBe('acknowledged');
    expect(sentTo(h.connector, BOB_CHAT, mark).map((s) => s.body.text)).toEqual([
      'Your problem report "My phone stays on do not disturb" is now acknowledged: an admin is looking at it (by Alice Admin).',
    ]);

    mark = h.connector.sent.length;
    await act('resolve-1', 'resolved');
    expect(sends(mark)).toEqual(changed('resolve-1', 'resolved'));
    const resolved = sentTo(h.connector, ADMINS_CHAT, mark);
    expect(cardOf(resolved[0]!).actions ?? []).toEqual([]);
    expect(statusOn(cardOf(resolved[0]!))).toBe('resolved');
    expect((await h.store.getReport(tenant, report.reportId))!.status).toBe('resolved');
  });
});

import { reportNumber } from '../../shared/domain/report-number';
import { SignIns } from '../../bot/services/sign-in';
import { adminReportCard } from '../../bot/conversation/cards/report-cards';
import { messagesFor } from '../../bot/conversation/messages';
import { call, sentTo, startHarness, type Harness } from './bot-harness';

const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const CHANNEL = '19:ops@thread.tacv2';
const BOB_CHAT = 'a:bob-personal';

/**
 * An admin changes a report's status from its card in the admin channel; the line under the card says whether the
 * reporter was told, could not be (no chat with the bot), or the message to them failed, in the admin's language.
 */
describe("the admin's reply after a report status change", () => {
  let h: Harness;
  let tenant: string;

  const fileReport = (description: string) =>
    h.reports.create(
      { tenantId: tenant, userId: h.fx.users.bob, displayName: 'Bob Agent' },
      { category: 'presence', description, includeDiagnostics: false },
      { source: 'tab', client: { type: 'web' }, correlationIds: [] },
    );
  /** The admin clicks a status on the report's card; resolves what the bot said in the channel. */
  const act = async (id: string, reportId: string, status: string, locale = 'en-US') => {
    const mark = h.connector.sent.length;
    const res = await call(h, 'POST', '/api/messages', undefined, {
      type: 'message',
      id,
      locale,
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      from: { id: '29:alice', name: 'Alice Admin', aadObjectId: h.fx.users.alice },
      recipient: BOT,
      conversation: { id: CHANNEL, conversationType: 'channel', isGroup: true, tenantId: tenant },
      channelData: { tenant: { id: tenant }, team: { id: '19:team@thread.tacv2' }, channel: { id: CHANNEL } },
      value: { verb: 'reportStatus', reportId, status },
    });
    expect(res.status).toBe(200);
    return sentTo(h.connector, CHANNEL, mark).map((s) => String(s.body.text));
  };

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

  it('says the reporter could not be told when they never opened a chat with the bot, in English and German', async () => {
    const report = await fileReport('Presence stuck on busy');
    const number = reportNumber(report.reportId);
    expect(await act('ack-1', report.reportId, 'acknowledged')).toEqual([
      `Report ${number} is now acknowledged: an admin is looking at it. I could not tell the reporter, because ` +
        'they have no chat with me (never started, or the app was removed). Please let them know another way.',
    ]);
    expect(await act('resolve-1', report.reportId, 'resolved', 'de-DE')).toEqual([
      `Meldung ${number} ist jetzt erledigt. Ich konnte die meldende Person nicht informieren, weil sie keinen ` +
        'Chat mit mir hat (nie begonnen oder die App entfernt). Bitte geben Sie ihr auf anderem Weg Bescheid.',
    ]);
    expect((await h.store.getReport(tenant, report.reportId))!.status).toBe('resolved');
  });

  it('says sending failed when the connector refused the message to the reporter, and told once it arrives', async () => {
    await h.store.putConversation({
      tenantId: tenant,
      key: `user:${h.fx.users.bob}`,
      reference: {
        serviceUrl: h.connector.url,
        channelId: 'msteams',
        conversation: { id: BOB_CHAT, tenantId: tenant },
        bot: BOT,
      },
      updatedAt: h.fx.clock.now(),
    });
    const report = await fileReport('Call history is empty');
    const number = reportNumber(report.reportId);
    h.connector.refuse(BOB_CHAT, { status: 503, code: 'ServiceUnavailable' });
    expect(await act('ack-2', report.reportId, 'acknowledged')).toEqual([
      `Report ${number} is now acknowledged: an admin is looking at it. I could not tell the reporter: ` +
        'sending the message failed. Please let them know another way.',
    ]);
    expect(await act('ack-2-de', report.reportId, 'acknowledged', 'de-AT')).toEqual([
      `Meldung ${number} ist jetzt angenommen: ein Admin sieht sich das an. Ich konnte die meldende Person nicht ` +
        'informieren: Das Senden der Nachricht ist fehlgeschlagen. Bitte geben Sie ihr auf anderem Weg Bescheid.',
    ]);

    h.connector.refuse(BOB_CHAT);
    expect(await act('resolve-2', report.reportId, 'resolved')).toEqual([
      `Report ${number} is now resolved; the reporter has been told.`,
    ]);
    expect(sentTo(h.connector, BOB_CHAT).map((s) => String(s.body.text))).toEqual([
      'Your problem report "Call history is empty" is now resolved (by Alice Admin).',
    ]);
  });

  it('after Ask for more, tells the reporter the report waits for them and the admins it waits for the reporter', async () => {
    const report = await fileReport('DND stuck after a meeting');
    const number = reportNumber(report.reportId);
    // Bob reads German: his chat's reference carries the locale Teams sent.
    await h.store.putConversation({
      tenantId: tenant,
      key: `user:${h.fx.users.bob}`,
      reference: {
        serviceUrl: h.connector.url,
        channelId: 'msteams',
        conversation: { id: BOB_CHAT, tenantId: tenant },
        bot: BOT,
        locale: 'de-DE',
      },
      updatedAt: h.fx.clock.now(),
    });
    h.connector.refuse(BOB_CHAT);
    const toBob = h.connector.sent.length;
    expect(await act('ask-en', report.reportId, 'needsInfo')).toEqual([
      `Report ${number} is now waiting for more information from the reporter; the reporter has been told.`,
    ]);
    expect(await act('ask-de', report.reportId, 'needsInfo', 'de-DE')).toEqual([
      `Meldung ${number} ist jetzt in Rückfrage: wartet auf weitere Angaben der meldenden Person; die meldende ` +
        'Person wurde informiert.',
    ]);
    // The admins' card, as the channel shows it after the click.
    const stored = (await h.store.getReport(tenant, report.reportId))!;
    expect(JSON.stringify(adminReportCard(stored, messagesFor('en-US')))).toContain(
      '"value":"waiting for more information from the reporter"',
    );
    expect(JSON.stringify(adminReportCard(stored, messagesFor('de-DE')))).toContain(
      '"value":"in Rückfrage: wartet auf weitere Angaben der meldenden Person"',
    );
    expect(sentTo(h.connector, BOB_CHAT, toBob).map((s) => String(s.body.text))).toEqual([
      'Ihre Problemmeldung „DND stuck after a meeting“ wartet auf weitere Angaben von Ihnen (Rückfrage von Alice Admin).',
      'Ihre Problemmeldung „DND stuck after a meeting“ wartet auf weitere Angaben von Ihnen (Rückfrage von Alice Admin).',
    ]);

    await h.store.putConversation({
      tenantId: tenant,
      key: `user:${h.fx.users.bob}`,
      reference: {
        serviceUrl: h.connector.url,
        channelId: 'msteams',
        conversation: { id: BOB_CHAT, tenantId: tenant },
        bot: BOT,
        locale: 'en-GB',
      },
      updatedAt: h.fx.clock.now(),
    });
    const toBobEn = h.connector.sent.length;
    await act('ask-en-2', report.reportId, 'needsInfo');
    expect(sentTo(h.connector, BOB_CHAT, toBobEn).map((s) => String(s.body.text))).toEqual([
      'Your problem report "DND stuck after a meeting" waits for more information from you (asked by Alice Admin).',
    ]);
  });
});

import { call, OK_STATUS, sentTo, startHarness, type Harness } from './bot-harness';

const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const CHAT = 'a:bob-personal';
/** Well over a day before the harness clock (2026-11-23 09:00 UTC), so the answer can no longer say "n h ago". */
const LAST_SYNC = '2026-11-20T17:05:00.000Z';

/**
 * The bot's personal chat as Teams clients in other languages and time zones drive it over /api/messages
 * (playground transport): a German user's "hilfe", and `status` with a last sync days ago.
 */
describe('the bot answers in the reader’s words and time', () => {
  let h: Harness;
  let activityNo = 0;

  /** Sends `text` as Bob's Teams client would and returns the bot's one reply. */
  const say = async (text: string, client: { locale: string; localTimezone?: string }): Promise<string> => {
    const mark = h.connector.sent.length;
    const res = await call(h, 'POST', '/api/messages', undefined, {
      type: 'message',
      id: `bob-${++activityNo}`,
      text,
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      from: { id: '29:bob', name: 'Bob Agent', aadObjectId: h.fx.users.bob },
      recipient: BOT,
      conversation: { id: CHAT, conversationType: 'personal', tenantId: h.fx.contoso },
      channelData: { tenant: { id: h.fx.contoso } },
      ...client,
    });
    expect(res.status).toBe(200);
    const replies = sentTo(h.connector, CHAT, mark);
    expect(replies).toHaveLength(1);
    return String(replies[0]!.body.text);
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers "hilfe" from a German Teams client with what it can do, in German', async () => {
    const reply = await say('hilfe', { locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    expect(reply).toMatch(/^Sie können mir schicken:/);
    expect(reply).toContain('- **status**: ');
    expect(reply).not.toMatch(/nicht verstanden|You can send me/);
  });

  it('says a last sync days ago as a date and time in German and Berlin time, not an ISO timestamp', async () => {
    h.sync.statusAnswer = { ...OK_STATUS, lastSyncAt: LAST_SYNC };
    const reply = await say('status', { locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    expect(reply).toContain('**Letzte Synchronisierung:** 20.11.2026, 18:05');
    expect(reply).not.toContain('2026-11-20T');
  });

  it('says a sync problem and its fix in German to a German client, not the server’s English', async () => {
    h.sync.statusAnswer = {
      ...OK_STATUS,
      problem: {
        message: 'CloudLink refused: Unauthorized',
        fix: 'Give the CloudLink account the admin rights Switchboard needs.',
        messageText: { code: 'sync.refused', params: { system: 'CloudLink', detail: 'Unauthorized' } },
        fixText: { code: 'fix.cloudlinkRights' },
      },
    };
    const reply = await say('status', { locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    expect(reply).toContain('CloudLink hat abgelehnt: Unauthorized');
    expect(reply).not.toMatch(/CloudLink refused|Give the CloudLink account/);
    const english = await say('status', { locale: 'en-US', localTimezone: 'America/New_York' });
    expect(english).toContain('CloudLink refused: Unauthorized');
  });

  it('right after a start, before both sides were read, says it has not synced yet instead of "Everything works"', async () => {
    h.sync.statusAnswer = { ...OK_STATUS, pbx: null, lastSyncAt: null };
    const en = await say('status', { locale: 'en-US', localTimezone: 'America/New_York' });
    expect(en).toContain('**Last sync:** never');
    expect(en).toContain(
      'Not synced yet: Switchboard is waiting to read your Teams and phone status for the first time.',
    );
    expect(en).not.toContain('Everything works.');
    const de = await say('status', { locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    expect(de).toContain('Noch nicht synchronisiert:');
    expect(de).not.toContain('Alles funktioniert.');

    h.sync.statusAnswer = OK_STATUS;
    expect(await say('status', { locale: 'en-US' })).toContain('Everything works.');
  });

  it('says it in English and New York time for an American client', async () => {
    h.sync.statusAnswer = { ...OK_STATUS, lastSyncAt: LAST_SYNC };
    const reply = await say('status', { locale: 'en-US', localTimezone: 'America/New_York' });
    expect(reply).toMatch(/\*\*Last sync:\*\* Nov 20, 2026, 12:05\sPM/);
    expect(reply).not.toContain('2026-11-20T');
  });
});

// The conversation must run without botbuilder: if anything it imports (directly or not) loads a bot SDK, this
// throws and every test here fails. The ESLint rule for bot/conversation says the same for direct imports.
jest.mock('botbuilder', () => {
  throw new Error('bot/conversation loaded botbuilder');
});
jest.mock('botframework-connector', () => {
  throw new Error('bot/conversation loaded botframework-connector');
});

import type { SyncStatus } from '../../shared/api/contract';
import { silentLogger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { Conversation } from '../../bot/conversation/conversation';
import type { IncomingMessage, Outgoing, Place } from '../../bot/conversation/types';
import { JobRegistry } from '../../bot/services/jobs';
import { composeNotice, type Notice, type OutgoingMessage } from '../../bot/services/notifier';
import { ReportService } from '../../bot/services/reports';
import { SignIns } from '../../bot/services/sign-in';
import type { SyncFacade } from '../../bot/services/sync-facade';
import { reportNumber } from '../../shared/domain/report-number';

const TENANT = 'c0a1b2c3-0000-4000-8000-000000000001';
const BOB = { tenantId: TENANT, userId: 'b0b00000-0000-4000-8000-00000000000b', displayName: 'Bob Agent' };
const GRACE = {
  tenantId: TENANT,
  userId: '9ace0000-0000-4000-8000-000000000009',
  displayName: 'Grace Admin',
};
const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);

const status: SyncStatus = {
  teams: { availability: 'Busy', activity: 'InACall', at: null },
  pbx: { callState: 'connected', dnd: false, statusText: null, at: null },
  lastAssertion: null,
  lastSyncAt: new Date(NOW - 120_000).toISOString(),
  enabled: { toTeams: true, fromTeams: true },
  problem: null,
};

const personal: Place = { id: 'a:bob', kind: 'personal', reference: { conversation: { id: 'a:bob' } } };
const channel: Place = {
  id: '19:ops@thread.tacv2',
  kind: 'channel',
  reference: { conversation: { id: '19:ops@thread.tacv2' } },
};

const texts = (out: Outgoing[]) => out.flatMap((o) => (o.kind === 'text' ? [o.text] : []));
const cards = (out: Outgoing[]) => out.flatMap((o) => (o.kind === 'card' ? [JSON.stringify(o.card)] : []));

describe('the conversation, without botbuilder', () => {
  let store: Store;
  let conversation: Conversation;
  let reports: ReportService;
  let signIns: SignIns;
  const toAdmins: Notice[] = [];
  const toUser: Notice[] = [];

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    toAdmins.length = 0;
    toUser.length = 0;
    const logger = silentLogger();
    signIns = new SignIns(store, () => NOW);
    const sync = { status: async () => status, resyncUser: async () => undefined } as unknown as SyncFacade;
    reports = new ReportService({
      store,
      sync,
      jobs: new JobRegistry(logger, () => NOW),
      notifier: {
        toUser: async (_t, _u, m) => (toUser.push(m), 'delivered'),
        toAdmins: async (_t, m) => (toAdmins.push(m), 'delivered'),
      },
      logger,
      appVersion: '1.2.3',
      now: () => NOW,
    });
    conversation = new Conversation({
      store,
      sync,
      reports,
      signIns,
      logger,
      now: () => NOW,
      requireSignIn: false,
    });
  });
  afterEach(async () => {
    await store.close();
  });

  const say = (text: string, extra: Partial<IncomingMessage> = {}): Promise<Outgoing[]> =>
    conversation.message({
      sender: BOB,
      place: personal,
      audience: {},
      text,
      client: { type: 'desktop' },
      ...extra,
    });

  describe('German for a de-* Teams client (issue 14 item 7)', () => {
    it('answers help, unknown text and status in German', async () => {
      const de = { audience: { locale: 'de-AT' } };
      expect(texts(await say('help', de))[0]).toMatch(/^Sie können mir schicken:/);
      expect(texts(await say('wie wird das Wetter', de))[0]).toMatch(
        /^Das habe ich nicht verstanden: „wie wird/,
      );
      const reply = texts(await say('status', de))[0]!;
      expect(reply).toContain('**Teams:** Beschäftigt (Im Anruf)');
      expect(reply).toContain('**Telefon:** im Gespräch');
      expect(reply).toContain('**Letzte Synchronisierung:** vor 2 min');
    });

    it('shows the report and settings cards in German', async () => {
      const de = { audience: { locale: 'de-DE' } };
      expect(cards(await say('report', de))[0]).toContain('Ein Problem melden');
      expect(cards(await say('settings', de))[0]).toContain('Ihre Einstellungen');
    });

    it('stays English for en-US and for a client that names no locale', async () => {
      expect(texts(await say('help', { audience: { locale: 'en-US' } }))[0]).toMatch(/^You can send me:/);
      expect(texts(await say('help'))[0]).toMatch(/^You can send me:/);
    });
  });

  describe('settings card (issue 14 item 2)', () => {
    const submit = (values: Record<string, unknown>) =>
      say('', { submit: { verb: 'saveSettings', ...values } });

    it('sets tel: on computers, the web and Android only: iPhone keeps the Mitel app', async () => {
      const reply = texts(await submit({ missedCallNotice: 'false', clickToCall: 'tel' }))[0]!;
      expect(await store.getUserSettings(TENANT, BOB.userId)).toEqual({
        missedCallNotice: false,
        clickToCall: { desktop: 'tel', web: 'tel', android: 'tel' },
      });
      expect(reply).toBe(
        "Saved. Missed-call notices are off; click-to-call uses the phone app (tel:) on computers, the web and Android; your company's default elsewhere.",
      );
    });

    it('keeps what the user entered after a refused link, and a corrected submit saves and says what it saved', async () => {
      const refused = await submit({
        missedCallNotice: 'true',
        clickToCall: 'custom',
        customTemplate: 'micollab://dial?number=',
      });
      expect(texts(refused)).toEqual([]);
      const card = JSON.parse(cards(refused)[0]!) as { body: Record<string, unknown>[] };
      const input = (id: string) => card.body.find((b) => b.id === id);
      expect(input('missedCallNotice')).toMatchObject({ value: 'true' });
      expect(input('clickToCall')).toMatchObject({ value: 'custom' });
      expect(input('customTemplate')).toMatchObject({ value: 'micollab://dial?number=' });
      expect(JSON.stringify(card)).toMatch(/That custom link is not valid/);
      expect(await store.getUserSettings(TENANT, BOB.userId)).toEqual({ missedCallNotice: false });

      const saved = await submit({
        missedCallNotice: 'true',
        clickToCall: 'custom',
        customTemplate: 'micollab://dial?number={number}',
      });
      expect(await store.getUserSettings(TENANT, BOB.userId)).toEqual({
        missedCallNotice: true,
        clickToCall: { ios: 'micollab://dial?number={number}', android: 'micollab://dial?number={number}' },
      });
      expect(texts(saved)[0]).toBe(
        "Saved. Missed-call notices are on; click-to-call uses micollab://dial?number={number} on iPhone and Android; your company's default elsewhere.",
      );
      // Shown again, the card says what is stored.
      const shown = JSON.parse(cards(await say('settings'))[0]!) as { body: Record<string, unknown>[] };
      expect(shown.body.find((b) => b.id === 'clickToCall')).toMatchObject({ value: 'custom' });
      expect(shown.body.find((b) => b.id === 'customTemplate')).toMatchObject({
        value: 'micollab://dial?number={number}',
      });
    });

    it('shows the refused entries in place of the card the user sent, when Teams names it', async () => {
      const out = await say('', {
        submit: {
          verb: 'saveSettings',
          missedCallNotice: 'true',
          clickToCall: 'custom',
          customTemplate: 'javascript:x',
        },
        replyToId: 'settings-card-1',
      });
      expect(out).toEqual([expect.objectContaining({ kind: 'updateCard', messageId: 'settings-card-1' })]);
      expect(JSON.stringify(out)).toContain('javascript:x');
      expect(JSON.stringify(out)).toMatch(/That custom link is not valid/);
    });

    it('company default clears every override', async () => {
      await store.putUserSettings(TENANT, BOB.userId, {
        missedCallNotice: true,
        clickToCall: { ios: 'tel' },
      });
      const reply = texts(await submit({ missedCallNotice: 'true', clickToCall: 'default' }))[0]!;
      expect(await store.getUserSettings(TENANT, BOB.userId)).toEqual({ missedCallNotice: true });
      expect(reply).toMatch(/click-to-call uses your company's default\.$/);
    });
  });

  describe('answers to an admin question reach the report (issue 14 item 4)', () => {
    const file = async (description: string) =>
      reports.create(
        BOB,
        { category: 'presence', description, includeDiagnostics: false },
        {
          source: 'bot',
          client: { type: 'desktop' },
          correlationIds: [],
        },
      );

    it('report <text> starts the form with that text, as written', async () => {
      const card = JSON.parse(cards(await say('report My phone shows Busy all day'))[0]!) as {
        body: Record<string, unknown>[];
      };
      expect(card.body.find((b) => b.id === 'description')).toMatchObject({
        value: 'My phone shows Busy all day',
      });
    });

    it("attaches the user's next message to the report, tells the admins, and only that one", async () => {
      const report = await file('Teams shows me busy all day');
      await reports.update(
        TENANT,
        report.reportId,
        { status: 'needsInfo', note: 'Which phone do you use?' },
        'Grace Admin',
      );
      const question = composeNotice(toUser[0]!, {});
      expect(question.text).toContain('The admin asks: Which phone do you use?');
      expect(JSON.stringify(question.card)).toContain('replyToReport');
      toAdmins.length = 0;

      const reply = await say('A Mitel 6930, firmware 6.3');
      expect(texts(reply)).toEqual([
        `Thanks, I added your answer to report ${reportNumber(report.reportId)} and told the admins.`,
      ]);
      const stored = (await store.getReport(TENANT, report.reportId))!;
      expect(stored.status).toBe('acknowledged');
      expect(stored.history.at(-1)).toMatchObject({ by: 'Bob Agent', note: 'A Mitel 6930, firmware 6.3' });
      expect(toAdmins).toHaveLength(1);
      const notice: OutgoingMessage = composeNotice(toAdmins[0]!, {});
      expect(notice.text).toBe(
        `Bob Agent answered on report ${reportNumber(report.reportId)}: A Mitel 6930, firmware 6.3`,
      );
      expect(JSON.stringify(notice.card)).toContain('Which phone do you use?');

      // The question is answered: the next free text is just not understood.
      expect(texts(await say('thanks'))[0]).toMatch(/^I did not understand "thanks"/);
      // Commands still work while a question is open.
      await reports.update(
        TENANT,
        report.reportId,
        { status: 'needsInfo', note: 'And the extension?' },
        'Grace',
      );
      expect(texts(await say('help'))[0]).toMatch(/^You can send me:/);
      expect((await store.getReport(TENANT, report.reportId))!.status).toBe('needsInfo');
    });

    it('takes the answer from the question card, for that report only', async () => {
      const report = await file('Call history is empty');
      const other = await file('Something else');
      await reports.update(
        TENANT,
        report.reportId,
        { status: 'needsInfo', note: 'Since when?' },
        'Grace Admin',
      );
      const answer = (reportId: string) =>
        say('', {
          submit: { verb: 'replyToReport', reportId, answer: 'Since Monday' },
          replyToId: 'question-card',
        });
      expect(texts(await answer(other.reportId))).toEqual([
        'That report is not waiting for an answer any more.',
      ]);
      const answered = await answer(report.reportId);
      expect(texts(answered)[0]).toMatch(/^Thanks, I added your answer/);
      // The question card becomes the question with its answer, with nothing left to send twice.
      const update = answered.find((o) => o.kind === 'updateCard') as { messageId: string; card: object };
      expect(update.messageId).toBe('question-card');
      expect(JSON.stringify(update.card)).toContain('Since when?');
      expect(JSON.stringify(update.card)).toContain('Since Monday');
      expect(JSON.stringify(update.card)).not.toContain('Action.Submit');
      expect((await store.getReport(TENANT, report.reportId))!.history.at(-1)).toMatchObject({
        by: 'Bob Agent',
        note: 'Since Monday',
      });
    });

    it('does not let one user answer for another', async () => {
      const report = await file('Presence wrong');
      await reports.update(
        TENANT,
        report.reportId,
        { status: 'needsInfo', note: 'Which phone?' },
        'Grace Admin',
      );
      const out = await conversation.message({
        sender: GRACE,
        place: { ...personal, id: 'a:grace' },
        audience: {},
        text: '',
        submit: { verb: 'replyToReport', reportId: report.reportId, answer: 'not mine' },
        client: { type: 'web' },
      });
      expect(texts(out)).toEqual(['That report is not waiting for an answer any more.']);
      expect((await store.getReport(TENANT, report.reportId))!.status).toBe('needsInfo');
    });
  });

  describe('admin notices in a channel (issue 14 item 13)', () => {
    it('updates the admin card in place when an admin acknowledges and resolves it', async () => {
      await signIns.signIn(TENANT, GRACE.userId, ['Switchboard.Admin']);
      const report = await reports.create(
        BOB,
        { category: 'other', description: 'help me', includeDiagnostics: false },
        { source: 'bot', client: { type: 'desktop' }, correlationIds: [] },
      );
      const act = (statusWanted: string) =>
        conversation.message({
          sender: GRACE,
          place: channel,
          audience: {},
          text: '',
          submit: { verb: 'reportStatus', reportId: report.reportId, status: statusWanted },
          replyToId: 'card-1',
          client: { type: 'desktop' },
        });
      const acknowledged = await act('acknowledged');
      const update = acknowledged.find((o) => o.kind === 'updateCard');
      expect(update).toMatchObject({ kind: 'updateCard', messageId: 'card-1' });
      const titles = (out: Outgoing | undefined) =>
        ((out as { card: { actions?: { title: string }[] } }).card.actions ?? []).map((a) => a.title);
      expect(titles(update)).toEqual(['Resolve', 'Ask for more']);
      const resolved = await act('resolved');
      expect(titles(resolved.find((o) => o.kind === 'updateCard'))).toEqual([]);
      expect(texts(resolved)).toEqual([
        `Report ${reportNumber(report.reportId)} is now resolved; the reporter has been told.`,
      ]);
    });

    it('refuses a non-admin in a channel without an SSO card (Teams SSO is for personal chats)', async () => {
      const strict = new Conversation({
        store,
        sync: {} as SyncFacade,
        reports,
        signIns,
        logger: silentLogger(),
        now: () => NOW,
        requireSignIn: true,
      });
      const out = await strict.message({
        sender: BOB,
        place: channel,
        audience: {},
        text: '',
        submit: { verb: 'reportStatus', reportId: 'r-1', status: 'resolved' },
        client: { type: 'desktop' },
      });
      expect(out).toEqual([
        {
          kind: 'text',
          text: 'Only Switchboard admins can change a report. Please sign in first: send me any command in a personal chat.',
        },
      ]);
    });

    it('claims the channel once when added by an admin, though Teams announces the add twice', async () => {
      await signIns.signIn(TENANT, GRACE.userId, ['Switchboard.Admin']);
      const added = () =>
        conversation.membership({ sender: GRACE, place: channel, audience: {}, change: 'added' });
      expect(texts(await added())).toEqual(['Problem reports and credential warnings will be posted here.']);
      expect(await added()).toEqual([]);
      expect((await store.getConversation(TENANT, 'admins'))?.reference).toEqual(channel.reference);
      await conversation.membership({ sender: GRACE, place: channel, audience: {}, change: 'removed' });
      expect(texts(await added())).toEqual(['Problem reports and credential warnings will be posted here.']);
    });
  });
});

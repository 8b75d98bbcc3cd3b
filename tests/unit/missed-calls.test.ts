import { missedCallOf } from '../../bot/services/missed-calls';

/** Missed-call notices read CloudLink media webhooks through the adapter's one parser (pbxChangeOf). */
const ended = (content: Record<string, unknown>, method = 'DELETE') => ({
  id: 'e1',
  topic: 'platform-api-media',
  method,
  subject: '/2017-09-01/endpoints/p-bob/calls/c-1',
  publishedOn: '2026-12-02T09:00:30.000Z',
  content: {
    callId: 'c-1',
    principalId: 'p-bob',
    direction: 'inbound',
    state: 'disconnected',
    cause: 'callNotAnswer',
    from: '+4930123456',
    fromName: 'Erika Mustermann',
    to: '2002',
    toName: 'Bob',
    createdOn: '2026-12-02T09:00:00.000Z',
    ...content,
  },
});

describe('missedCallOf', () => {
  it('an inbound call that ended unanswered, busy or on DND is a missed call of the callee', () => {
    for (const cause of ['callNotAnswer', 'busy', 'doNotDisturb']) {
      expect(missedCallOf(ended({ cause }))).toEqual({
        principalId: 'p-bob',
        callId: 'c-1',
        number: '+4930123456',
        name: 'Erika Mustermann',
        at: '2026-12-02T09:00:00.000Z',
      });
    }
  });

  it('a call talked through, an outbound call, a call still going on and a presence event are not', () => {
    expect(missedCallOf(ended({ cause: 'normal' }))).toBeUndefined();
    expect(missedCallOf(ended({ direction: 'outbound' }))).toBeUndefined();
    expect(missedCallOf(ended({ state: 'ringing', cause: null }, 'POST'))).toBeUndefined();
    expect(
      missedCallOf({
        topic: 'platform-api-presence',
        method: 'PUT',
        subject: '/presentities/p-bob',
        content: { status: 'dnd', reason: null },
      }),
    ).toBeUndefined();
    expect(missedCallOf({ nonsense: true })).toBeUndefined();
  });
});

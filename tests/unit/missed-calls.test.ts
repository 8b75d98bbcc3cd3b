import { missedCallOf } from '../../bot/services/missed-calls';
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';

/** Missed-call notices take the event the CloudLink adapter read for the sync (the post is not parsed again). */
const post = (content: Record<string, unknown>, method = 'DELETE') => ({
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

function missed(body: unknown) {
  const reading = readCloudLinkWebhook(body);
  if (!reading.ok || !reading.event) throw new Error('the post means nothing to the sync');
  return missedCallOf(reading.event);
}

describe('missedCallOf', () => {
  it('an inbound call that ended unanswered, busy or on DND is a missed call of the callee', () => {
    for (const cause of ['callNotAnswer', 'busy', 'doNotDisturb']) {
      expect(missed(post({ cause }))).toEqual({
        principalId: 'p-bob',
        callId: 'c-1',
        number: '+4930123456',
        name: 'Erika Mustermann',
        at: '2026-12-02T09:00:00.000Z',
      });
    }
  });

  it('names the callee as the sync does: the principal of the subject, URL-decoded', () => {
    const body = { ...post({ principalId: undefined }), subject: '/2017-09-01/endpoints/p%2Dbob/calls/c-1' };
    expect(missed(body)).toMatchObject({ principalId: 'p-bob' });
  });

  it('a call talked through, an outbound call, a call still going on and a presence event are not', () => {
    expect(missed(post({ cause: 'normal' }))).toBeUndefined();
    expect(missed(post({ direction: 'outbound' }))).toBeUndefined();
    expect(missed(post({ state: 'ringing', cause: null }, 'POST'))).toBeUndefined();
    expect(
      missed({
        topic: 'platform-api-presence',
        method: 'PUT',
        subject: '/presentities/p-bob',
        content: { status: 'dnd', reason: null },
      }),
    ).toBeUndefined();
  });
});

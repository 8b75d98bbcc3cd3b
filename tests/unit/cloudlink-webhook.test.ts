import {
  InvalidCloudLinkWebhook,
  parseCloudLinkWebhook,
  pbxChangeOf,
} from '../../shared/adapters/cloudlink/webhook';
import {
  callOfSubject,
  mediaSubjectFilter,
  presenceSubjectFilter,
  principalOfSubject,
} from '../../shared/adapters/cloudlink/subjects';

const presenceBody = {
  id: 'e1',
  topic: 'platform-api-presence',
  method: 'PUT',
  subject: '/presentities/p-1',
  publishedOn: '2026-12-02T09:00:00.000Z',
  content: { principalId: 'p-1', status: 'available', reason: null, updatedOn: '2026-12-02T08:59:59.000Z' },
};

const mediaBody = (method: string, content: Record<string, unknown>) => ({
  id: 'e2',
  topic: 'platform-api-media',
  method,
  subject: '/2017-09-01/endpoints/p-1/calls/c-7',
  publishedOn: '2026-12-02T09:00:05.000Z',
  content: {
    callId: 'c-7',
    principalId: 'p-1',
    direction: 'inbound',
    from: '+4930123456',
    fromName: 'Fabrikam',
    to: '2001',
    toName: 'Person 1',
    createdOn: '2026-12-02T09:00:00.000Z',
    ...content,
  },
});
const T = (iso: string) => Date.parse(iso);

describe('parseCloudLinkWebhook', () => {
  it('accepts the envelope and keeps extra fields', () => {
    const event = parseCloudLinkWebhook(presenceBody);
    expect(event).toMatchObject({
      topic: 'platform-api-presence',
      method: 'PUT',
      subject: '/presentities/p-1',
      id: 'e1',
    });
  });

  it.each([
    ['no body', undefined],
    ['an array', []],
    ['no topic', { ...presenceBody, topic: undefined }],
    ['an empty subject', { ...presenceBody, subject: '' }],
    ['content that is not an object', { ...presenceBody, content: 'dnd' }],
  ])('refuses %s with the reasons', (_name, body) => {
    expect(() => parseCloudLinkWebhook(body)).toThrow(InvalidCloudLinkWebhook);
  });
});

describe('pbxChangeOf: one parse of what a webhook means', () => {
  it('a presence event gives DND and status text, never a call state, and its timestamp', () => {
    expect(pbxChangeOf(parseCloudLinkWebhook(presenceBody))).toEqual({
      kind: 'presence',
      principalId: 'p-1',
      status: { dnd: false, statusText: null },
      at: T('2026-12-02T08:59:59.000Z'),
    });
    const dnd = { ...presenceBody, content: { status: 'dnd', reason: 'Teams meeting' } };
    expect(pbxChangeOf(parseCloudLinkWebhook(dnd))).toMatchObject({
      status: { dnd: true, statusText: 'Teams meeting' },
      at: T('2026-12-02T09:00:00.000Z'), // no updatedOn in the content: the envelope's publishedOn
    });
    // A presentity that says busy (a call) is still not DND: calls come from media events.
    const busy = { ...presenceBody, content: { status: 'busy', reason: null } };
    expect(pbxChangeOf(parseCloudLinkWebhook(busy))).toMatchObject({ status: { dnd: false } });
  });

  it('a presence event without a status names the user only (the presentity must be read)', () => {
    expect(pbxChangeOf(parseCloudLinkWebhook({ ...presenceBody, content: {} }))).toMatchObject({
      kind: 'presence',
      principalId: 'p-1',
      status: null,
    });
  });

  it.each([
    ['POST', 'ringing', 'ringing'],
    ['POST', 'alerting', 'ringing'],
    ['PUT', 'connected', 'connected'],
    ['PUT', 'answered', 'connected'],
    ['PUT', 'held', 'held'],
  ])('a media %s with state %s is the call %s', (method, state, stage) => {
    expect(pbxChangeOf(parseCloudLinkWebhook(mediaBody(method, { state })))).toEqual({
      kind: 'call',
      principalId: 'p-1',
      callId: 'c-7',
      stage,
      at: T('2026-12-02T09:00:05.000Z'),
      call: {
        direction: 'inbound',
        from: '+4930123456',
        fromName: 'Fabrikam',
        to: '2001',
        toName: 'Person 1',
        createdOn: '2026-12-02T09:00:00.000Z',
      },
    });
  });

  it('a media DELETE (or a cleared state) is the call ended, with its cause', () => {
    expect(
      pbxChangeOf(
        parseCloudLinkWebhook(mediaBody('DELETE', { state: 'disconnected', cause: 'callNotAnswer' })),
      ),
    ).toMatchObject({
      kind: 'callEnded',
      callId: 'c-7',
      cause: 'callNotAnswer',
      call: { direction: 'inbound' },
    });
    expect(pbxChangeOf(parseCloudLinkWebhook(mediaBody('PUT', { state: 'cleared' })))).toMatchObject({
      kind: 'callEnded',
      cause: null,
    });
  });

  it('the call id falls back to the subject; unknown states, topics and subjects mean nothing', () => {
    expect(
      pbxChangeOf(parseCloudLinkWebhook(mediaBody('PUT', { state: 'connected', callId: undefined }))),
    ).toMatchObject({ callId: 'c-7' });
    expect(pbxChangeOf(parseCloudLinkWebhook(mediaBody('PUT', { state: 'dancing' })))).toBeUndefined();
    expect(
      pbxChangeOf(parseCloudLinkWebhook({ ...presenceBody, topic: 'platform-api-other' })),
    ).toBeUndefined();
    expect(
      pbxChangeOf(parseCloudLinkWebhook({ ...presenceBody, subject: '/elsewhere/p-1' })),
    ).toBeUndefined();
  });
});

describe('subject filters', () => {
  it('match exactly one user and round-trip the principal', () => {
    const presence = new RegExp(presenceSubjectFilter('ab.c'));
    expect(presence.test('/presentities/ab.c')).toBe(true);
    expect(presence.test('/presentities/abXc')).toBe(false);
    expect(presence.test('/presentities/ab.cd')).toBe(false);
    const media = new RegExp(mediaSubjectFilter('u1'));
    expect(media.test('/2017-09-01/endpoints/u1/calls/c9')).toBe(true);
    expect(media.test('/2017-09-01/endpoints/u10/calls/c9')).toBe(false);
    expect(principalOfSubject('/2017-09-01/endpoints/u1/calls/c9')).toBe('u1');
    expect(principalOfSubject('/presentities/u2')).toBe('u2');
    expect(principalOfSubject('/conversations/x')).toBeUndefined();
    expect(callOfSubject('/2017-09-01/endpoints/u1/calls/c9')).toBe('c9');
    expect(callOfSubject('/presentities/u2')).toBeUndefined();
  });
});

import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import { mediaSubjectFilter, presenceSubjectFilter } from '../../shared/adapters/cloudlink/subjects';
import type { PbxEvent } from '../../shared/ports/cloudlink';

/** The event a post means, as the one reader gives it to the sync and the missed-call notices. */
function eventOf(body: unknown): PbxEvent | null {
  const reading = readCloudLinkWebhook(body);
  if (!reading.ok) throw new Error(`refused: ${reading.problem}`);
  return reading.event;
}

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

describe('readCloudLinkWebhook: the envelope', () => {
  it('takes the documented envelope; extra fields CloudLink adds change nothing', () => {
    const { topic, method, subject, content, publishedOn } = presenceBody;
    expect(eventOf({ topic, method, subject, content, publishedOn })).toEqual(eventOf(presenceBody));
    expect(eventOf({ ...presenceBody, extra: { nested: true } })).toEqual(eventOf(presenceBody));
  });

  it.each([
    ['no body', undefined, 'expected topic and subject'],
    ['an array', [], 'expected topic and subject'],
    ['no topic', { ...presenceBody, topic: undefined }, 'expected topic and subject'],
    ['a subject that is not text', { ...presenceBody, subject: 7 }, 'expected topic and subject'],
    ['a malformed % escape', { ...presenceBody, subject: '/presentities/%E0%A4%A' }, 'malformed subject'],
  ])('refuses %s, saying why', (_name, body, why) => {
    const reading = readCloudLinkWebhook(body);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.problem).toContain(why);
  });

  it('reads a missing method as none and content that is not an object as empty (the presentity is read)', () => {
    expect(eventOf({ ...presenceBody, method: undefined, content: 'dnd' })).toEqual({
      kind: 'presence',
      principalId: 'p-1',
      status: null,
      at: T('2026-12-02T09:00:00.000Z'),
    });
  });

  it('URL-decodes the principal and the call id of the subject, for presence and calls alike', () => {
    expect(eventOf({ ...presenceBody, subject: '/presentities/p%2F1%20x' })).toMatchObject({
      principalId: 'p/1 x',
    });
    const media = mediaBody('PUT', { state: 'connected', callId: undefined, principalId: undefined });
    expect(eventOf({ ...media, subject: '/2017-09-01/endpoints/p%201/calls/c%2D7' })).toMatchObject({
      principalId: 'p 1',
      callId: 'c-7',
    });
  });
});

describe('readCloudLinkWebhook: what a webhook means', () => {
  it('a presence event gives DND and status text, never a call state, and its timestamp', () => {
    expect(eventOf(presenceBody)).toEqual({
      kind: 'presence',
      principalId: 'p-1',
      status: { dnd: false, statusText: null },
      at: T('2026-12-02T08:59:59.000Z'),
    });
    const dnd = { ...presenceBody, content: { status: 'dnd', reason: 'Teams meeting' } };
    expect(eventOf(dnd)).toMatchObject({
      status: { dnd: true, statusText: 'Teams meeting' },
      at: T('2026-12-02T09:00:00.000Z'), // no updatedOn in the content: the envelope's publishedOn
    });
    // A presentity that says busy (a call) is still not DND: calls come from media events.
    const busy = { ...presenceBody, content: { status: 'busy', reason: null } };
    expect(eventOf(busy)).toMatchObject({ status: { dnd: false } });
  });

  it('a presence event without a status names the user only (the presentity must be read)', () => {
    expect(eventOf({ ...presenceBody, content: {} })).toMatchObject({
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
    expect(eventOf(mediaBody(method, { state }))).toEqual({
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
    expect(eventOf(mediaBody('DELETE', { state: 'disconnected', cause: 'callNotAnswer' }))).toMatchObject({
      kind: 'callEnded',
      callId: 'c-7',
      cause: 'callNotAnswer',
      call: { direction: 'inbound' },
    });
    expect(eventOf(mediaBody('PUT', { state: 'cleared' }))).toMatchObject({
      kind: 'callEnded',
      cause: null,
    });
  });

  it('the call id falls back to the subject; unknown states, topics and subjects mean nothing', () => {
    expect(eventOf(mediaBody('PUT', { state: 'connected', callId: undefined }))).toMatchObject({
      callId: 'c-7',
    });
    expect(eventOf(mediaBody('PUT', { state: 'dancing' }))).toBeNull();
    expect(eventOf({ ...presenceBody, topic: 'platform-api-other' })).toBeNull();
    expect(eventOf({ ...presenceBody, subject: '/elsewhere/p-1' })).toBeNull();
  });
});

describe('subject filters', () => {
  it('match exactly one user', () => {
    const presence = new RegExp(presenceSubjectFilter('ab.c'));
    expect(presence.test('/presentities/ab.c')).toBe(true);
    expect(presence.test('/presentities/abXc')).toBe(false);
    expect(presence.test('/presentities/ab.cd')).toBe(false);
    const media = new RegExp(mediaSubjectFilter('u1'));
    expect(media.test('/2017-09-01/endpoints/u1/calls/c9')).toBe(true);
    expect(media.test('/2017-09-01/endpoints/u10/calls/c9')).toBe(false);
  });
});

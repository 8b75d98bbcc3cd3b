import {
  InvalidCloudLinkWebhook,
  parseCloudLinkWebhook,
  presenceFromEvent,
} from '../../shared/adapters/cloudlink/webhook';
import {
  mediaSubjectFilter,
  presenceSubjectFilter,
  principalOfSubject,
} from '../../shared/adapters/cloudlink/subjects';

const presenceBody = {
  id: 'e1',
  topic: 'platform-api-presence',
  method: 'PUT',
  subject: '/presentities/p-1',
  content: { principalId: 'p-1', status: 'busy', reason: null, callState: 'connected' },
};

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

describe('presenceFromEvent', () => {
  it('reads the principal and PBX presence of a presence event', () => {
    expect(presenceFromEvent(parseCloudLinkWebhook(presenceBody))).toEqual({
      principalId: 'p-1',
      presence: { callState: 'connected', dnd: false, statusText: null },
    });
    const dnd = { ...presenceBody, content: { status: 'dnd', reason: 'Teams meeting', callState: 'idle' } };
    expect(presenceFromEvent(parseCloudLinkWebhook(dnd))?.presence).toEqual({
      callState: 'idle',
      dnd: true,
      statusText: 'Teams meeting',
    });
  });

  it('ignores media events and presence content it does not understand', () => {
    expect(
      presenceFromEvent(parseCloudLinkWebhook({ ...presenceBody, topic: 'platform-api-media' })),
    ).toBeUndefined();
    expect(
      presenceFromEvent(parseCloudLinkWebhook({ ...presenceBody, content: { status: 'sleepy' } })),
    ).toBeUndefined();
    expect(
      presenceFromEvent(parseCloudLinkWebhook({ ...presenceBody, subject: '/elsewhere/p-1' })),
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
  });
});

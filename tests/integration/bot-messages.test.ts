import { generateKeyPair, SignJWT } from 'jose';
import { call, startHarness, type Harness } from './bot-harness';

const BOT_ID = 'b07b07b0-0000-4000-8000-00000000b070';

const activity = (serviceUrl: string, text: string) => ({
  type: 'message',
  id: 'activity-1',
  text,
  serviceUrl,
  channelId: 'msteams',
  from: { id: '29:bob', name: 'Bob Agent', aadObjectId: 'b0b00000-0000-4000-8000-00000000000b' },
  recipient: { id: `28:${BOT_ID}`, name: 'Switchboard' },
  conversation: {
    id: 'a:bob-personal',
    conversationType: 'personal',
    tenantId: 'c0a1b2c3-0000-4000-8000-000000000001',
  },
  channelData: { tenant: { id: 'c0a1b2c3-0000-4000-8000-000000000001' } },
});

/** /api/messages over HTTP: Bot Framework authentication in earnest, and the Agents Playground's local mode. */
describe('bot endpoint authentication', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      botAuth: (fx) => ({
        kind: 'customIssuer',
        appId: BOT_ID,
        password: 'bot-password',
        openIdMetadataUrl: `${fx.entra.baseUrl}/${fx.contoso}/v2.0/.well-known/openid-configuration`,
        issuer: fx.entra.issuer(fx.contoso),
        loginUrl: `${fx.entra.baseUrl}/${fx.contoso}`,
      }),
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses an activity without a token (what the playground sends) when not in playground mode', async () => {
    const res = await call(h, 'POST', '/api/messages', undefined, activity(h.connector.url, 'help'));
    expect(res.status).toBe(401);
    expect(h.connector.sent).toEqual([]);
  });

  it('refuses an activity with a forged channel token', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(h.fx.clock.now() / 1000);
    const forged = await new SignJWT({ serviceurl: h.connector.url })
      .setProtectedHeader({ alg: 'RS256', kid: h.fx.entra.signingKeyId })
      .setIssuer(h.fx.entra.issuer(h.fx.contoso))
      .setAudience(BOT_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    const res = await call(h, 'POST', '/api/messages', forged, activity(h.connector.url, 'help'));
    expect(res.status).toBe(401);
    expect(h.connector.sent).toEqual([]);
  });

  it('refuses an Entra token that was issued for someone else', async () => {
    const token = await h.sso(h.fx.contoso, h.fx.users.bob);
    const res = await call(h, 'POST', '/api/messages', token, activity(h.connector.url, 'help'));
    expect(res.status).toBe(401);
    expect(h.connector.sent).toEqual([]);
  });
});

describe('Agents Playground mode (LOCAL_PLAYGROUND)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ botAuth: () => ({ kind: 'playground' }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('accepts an activity without Authorization and replies through the given connector', async () => {
    const res = await call(h, 'POST', '/api/messages', undefined, activity(h.connector.url, 'hello there'));
    expect(res.status).toBe(200);
    expect(h.connector.sent).toHaveLength(1);
    const [reply] = h.connector.sent;
    expect(reply!.path).toBe('/v3/conversations/a%3Abob-personal/activities/activity-1');
    expect(reply!.authorization).toBeUndefined();
    expect(String(reply!.body.text)).toMatch(/^I did not understand "hello there"/);
  });

  it('answers in the HTTP response when the caller asks for its replies there (deliveryMode expectReplies)', async () => {
    const before = h.connector.sent.length;
    const res = await call(h, 'POST', '/api/messages', undefined, {
      ...activity(h.connector.url, 'hello again'),
      deliveryMode: 'expectReplies',
    });
    expect(res.status).toBe(200);
    expect(res.body.activities.map((a: { text: string }) => a.text)).toEqual([
      expect.stringMatching(/^I did not understand "hello again"/),
    ]);
    expect(h.connector.sent.length).toBe(before);
  });

  it('refuses an activity posted as a web form (any page the developer opens could post one)', async () => {
    const before = h.connector.sent.length;
    const a = activity(h.connector.url, 'sync');
    const form = new URLSearchParams({
      type: a.type,
      text: a.text,
      serviceUrl: a.serviceUrl,
      channelId: a.channelId,
      'conversation[id]': a.conversation.id,
      'conversation[conversationType]': 'personal',
      'from[id]': a.from.id,
      'from[aadObjectId]': a.from.aadObjectId,
    });
    const asForm = await fetch(`${h.baseUrl}/api/messages`, { method: 'POST', body: form });
    expect(asForm.status).toBe(415);
    // enctype="text/plain" forms can make the body look like JSON; the type still gives them away.
    const asText = await fetch(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(a),
    });
    expect(asText.status).toBe(415);
    // Only the one type a cross-site page cannot send without a CORS preflight we never grant.
    const asJsonish = await fetch(`${h.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.activity+json' },
      body: JSON.stringify(a),
    });
    expect(asJsonish.status).toBe(415);
    expect(h.connector.sent.length).toBe(before);
  });

  it('refuses a serviceUrl that is not a loopback address, and does not keep it for later notices', async () => {
    const before = h.connector.sent.length;
    for (const url of ['https://evil.invalid/', 'evil-dialer://x', 'http://127.0.0.1.evil.invalid/']) {
      const res = await call(h, 'POST', '/api/messages', undefined, activity(url, 'help'));
      expect({ url, status: res.status, code: res.body?.error?.code }).toEqual({
        url,
        status: 400,
        code: 'bad_service_url',
      });
    }
    expect(h.connector.sent.length).toBe(before);
    const tenantId = 'c0a1b2c3-0000-4000-8000-000000000001';
    const stored = await h.store.getConversation(tenantId, 'user:b0b00000-0000-4000-8000-00000000000b');
    expect(stored?.reference).not.toMatchObject({ serviceUrl: expect.stringContaining('evil') });
  });

  it('answers a malformed activity with a 4xx, not a crash', async () => {
    const res = await call(h, 'POST', '/api/messages', undefined, '{"type": ');
    expect(res.status).toBe(400);
    const empty = await call(h, 'POST', '/api/messages', undefined, {});
    expect(empty.status).toBeGreaterThanOrEqual(400);
    expect(empty.status).toBeLessThan(500);
    expect((await call(h, 'GET', '/healthz')).status).toBe(200);
  });
});

import { REMOVED, stripSecrets } from '../../bot/services/strip-secrets';

describe('stripSecrets', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyIiwidGlkIjoidCJ9.Zm9yZ2VkLXNpZ25hdHVyZQ';

  it('removes values under keys that name secrets, at any depth, and keeps the rest', () => {
    const out = stripSecrets({
      user: 'bob@contoso.example',
      monitor: { username: 'monitor@contoso.example', password: 'hunter2', passwordExpiresAt: '2027-01-01' },
      tenant: { clientSecret: 'abc', clientSecretSet: true, clientSecretSealed: 'v1:x:y:z' },
      headers: { Authorization: 'Bearer x', 'x-request-id': 'r1' },
      list: [{ refresh_token: 'rt' }, { access_token: 'at' }],
    });
    expect(out).toEqual({
      user: 'bob@contoso.example',
      monitor: { username: 'monitor@contoso.example', password: REMOVED, passwordExpiresAt: REMOVED },
      tenant: { clientSecret: REMOVED, clientSecretSet: true, clientSecretSealed: REMOVED },
      headers: { Authorization: REMOVED, 'x-request-id': 'r1' },
      list: [{ refresh_token: REMOVED }, { access_token: REMOVED }],
    });
  });

  it('removes secrets inside free text whatever the key', () => {
    const text = `token ${jwt} then Authorization: Bearer abcdefgh12345678 at https://x.example/hook?key=s3cret&user=1 with client_secret=topsecret and password: "p@ss word"`;
    const out = stripSecrets({ note: text });
    for (const secret of [jwt, 'abcdefgh12345678', 's3cret', 'topsecret', 'p@ss'])
      expect(out.note).not.toContain(secret);
    expect(out.note).toContain('user=1');
    expect(out.note).toContain('https://x.example/hook?key=[removed]');
  });

  it('removes OAuth assertions but keeps what Switchboard last set (lastAssertion)', () => {
    const out = stripSecrets({
      request: {
        client_assertion: 'signed',
        clientAssertion: 'signed',
        assertion: 'saml',
        jwtAssertion: 'signed',
      },
      sync: {
        lastAssertion: { side: 'pbx', what: 'DND on: In a meeting', at: '2026-11-23T09:00:00Z' },
        pbxAssertion: 'dnd',
      },
    });
    expect(out).toEqual({
      request: {
        client_assertion: REMOVED,
        clientAssertion: REMOVED,
        assertion: REMOVED,
        jwtAssertion: REMOVED,
      },
      sync: {
        lastAssertion: { side: 'pbx', what: 'DND on: In a meeting', at: '2026-11-23T09:00:00Z' },
        pbxAssertion: 'dnd',
      },
    });
  });

  it('leaves ordinary diagnostics readable', () => {
    const diagnostics = {
      availability: 'Busy',
      activity: 'InACall',
      lastSyncAt: '2026-11-23T09:00:00Z',
      extension: '201',
      counts: [1, 2],
      ok: true,
      nothing: null,
    };
    expect(stripSecrets(diagnostics)).toEqual(diagnostics);
  });
});

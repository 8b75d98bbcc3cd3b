import { createHash } from 'node:crypto';
import { startCloudLinkFixture, PASSWORD, type CloudLinkFixture } from './cloudlink-fixture';

let f: CloudLinkFixture;
beforeAll(async () => {
  f = await startCloudLinkFixture();
});
afterAll(() => f.emu.close());

describe('CloudLink emulator: authentication and the request gate', () => {
  it('refuses any call without X-Mitel-App, token endpoint and APIs alike', async () => {
    const token = await f.call('authentication', '/token', {
      app: null,
      form: {
        grant_type: 'client_credentials',
        client_id: f.clientA.clientId,
        client_secret: f.clientA.clientSecret,
      },
    });
    expect(token.status).toBe(400);
    expect(token.body).toEqual({ code: 'BadRequest', message: expect.stringContaining('X-Mitel-App') });

    const access = await f.appToken();
    const media = await f.call('media', `/users/${f.alice}/calls/records`, { token: access, app: null });
    expect(media.status).toBe(400);
    const ok = await f.call('media', `/users/${f.alice}/calls/records`, { token: access });
    expect(ok.status).toBe(200);
  });

  it('puts a correlation id on every answer, errors included', async () => {
    const bad = await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: 'nope',
    });
    expect(bad.headers.get('x-mitel-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 401 with the error shape for wrong client secrets, wrong passwords and unknown users', async () => {
    const wrongSecret = await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: 'wrong',
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({ code: 'Unauthorized', message: expect.any(String) });

    const wrongPassword = await f.token({
      grant_type: 'password',
      username: 'alice@example.test',
      password: 'x',
      account_id: f.accountA,
    });
    expect(wrongPassword.status).toBe(401);
    const wrongAccount = await f.token({
      grant_type: 'password',
      username: 'alice@example.test',
      password: PASSWORD,
      account_id: f.accountB,
    });
    expect(wrongAccount.status).toBe(401);
  });

  it('answers 400 for unsupported grants and missing fields', async () => {
    expect((await f.token({ grant_type: 'implicit' })).status).toBe(400);
    expect((await f.token({})).status).toBe(400);
    const missing = await f.token({
      grant_type: 'password',
      username: 'alice@example.test',
      password: PASSWORD,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('BadRequest');
  });

  it('issues hour-long access tokens and rejects them once expired by the clock', async () => {
    const r = await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: f.clientA.clientSecret,
    });
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const path = `/users/${f.alice}/calls/records`;
    f.clock.advance(3599_000);
    expect((await f.call('media', path, { token: r.body.access_token })).status).toBe(200);
    f.clock.advance(1_000);
    const expired = await f.call('media', path, { token: r.body.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('Unauthorized');
    expect((await f.call('media', path)).status).toBe(401);
    expect((await f.call('media', path, { token: 'made-up' })).status).toBe(401);
  });

  it('refreshes with a refresh token once (it rotates) and not after 14 days', async () => {
    const first = await f.token({
      grant_type: 'password',
      username: 'bob@example.test',
      password: PASSWORD,
      account_id: f.accountA,
    });
    const refreshed = await f.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await f.call('media', '/calls/records', { token: refreshed.body.access_token })).status).toBe(
      200,
    );
    expect(
      (await f.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token })).status,
    ).toBe(401);

    f.clock.advance(14 * 86_400_000);
    expect(
      (await f.token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token })).status,
    ).toBe(401);
  });

  it('runs the authorization code grant with PKCE and refuses a wrong verifier or a reused code', async () => {
    const verifier = 'a-long-random-verifier-0123456789-abcdefghijklmnop';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = (extra: Record<string, string> = {}) =>
      f.call('authentication', '/authorize', {
        form: {
          client_id: f.clientA.clientId,
          username: 'carol@example.test',
          password: PASSWORD,
          account_id: f.accountA,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          ...extra,
        },
      });
    const { body } = await authorize();
    const exchange = (code: string, v: string) =>
      f.token({ grant_type: 'authorization_code', code, client_id: f.clientA.clientId, code_verifier: v });
    expect((await exchange(body.code, verifier)).status).toBe(200);
    expect((await exchange(body.code, verifier)).status).toBe(401);

    const second = await authorize();
    expect((await exchange(second.body.code, 'wrong-verifier')).status).toBe(401);
    expect((await authorize({ password: 'bad' })).status).toBe(401);
  });

  it('throttles above the configured rate with 429 and Retry-After, per account, until the window passes', async () => {
    const token = await f.appToken();
    const other = await f.appToken('B');
    f.clock.advance(1000 - (f.clock.now() % 1000)); // start of a window
    f.emu.control.setRateLimit({ limit: 2, windowMs: 10_000 });
    try {
      const path = `/users/${f.alice}/calls/records`;
      expect((await f.call('media', path, { token })).status).toBe(200);
      expect((await f.call('media', path, { token })).status).toBe(200);
      const limited = await f.call('media', path, { token });
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('TooManyRequests');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect((await f.call('media', `/users/${f.mallory}/calls/records`, { token: other })).status).toBe(200);
      f.clock.advance(10_000);
      expect((await f.call('media', path, { token })).status).toBe(200);
    } finally {
      f.emu.control.setRateLimit({ limit: 200, windowMs: 1000 });
    }
  });

  it('logs every call with its X-Mitel-App for tests, never the credentials', async () => {
    const before = f.emu.control.calls.length;
    await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: f.clientA.clientSecret,
    });
    const logged = f.emu.control.calls.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      method: 'POST',
      xMitelApp: 'switchboard-tests/1.0',
      status: 200,
      body: '[credentials]',
    });
  });
});

import { EntraError } from '../../shared/adapters/entra/entra-error';
import { TokenClient } from '../../shared/adapters/entra/token-client';
import { claimsOf, DAY, HOUR, startEntraFixture, type EntraFixture } from './entra-fixture';

let fx: EntraFixture;

beforeAll(async () => {
  fx = await startEntraFixture();
});
afterAll(async () => {
  await fx.entra.close();
});

const PRESENCE_READ = 'https://graph.microsoft.com/Presence.Read.All';
const MINUTE = 60 * 1000;

function client(
  overrides: { clientId?: string; clientSecret?: string; tenantId?: string } = {},
): TokenClient {
  const {
    clientId = fx.switchboard.clientId,
    clientSecret = fx.switchboard.secret,
    tenantId = fx.contoso,
  } = overrides;
  return new TokenClient({
    authorityHost: fx.entra.baseUrl,
    tenantId,
    credentials: () => ({ clientId, clientSecret }),
    now: () => fx.clock.now(),
  });
}

/** Counts the token endpoint calls made while `fn` runs, by grant type. */
async function countRequests(fn: () => Promise<unknown>): Promise<string[]> {
  const before = fx.entra.tokenRequests.length;
  await fn();
  return fx.entra.tokenRequests.slice(before).map((r) => `${r.grantType}:${r.status}`);
}

async function rejection(p: Promise<unknown>): Promise<EntraError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EntraError) return e;
    throw e;
  }
  throw new Error('expected an EntraError');
}

describe('TokenClient against the Entra emulator', () => {
  it('caches an app token until five minutes before it expires', async () => {
    const tokens = client();
    let first = '';
    expect(await countRequests(async () => (first = await tokens.getAppToken()))).toEqual([
      'client_credentials:200',
    ]);
    expect(claimsOf(first).roles).toEqual(['Presence.ReadWrite.All', 'User.Read.All']);
    fx.clock.advance(54 * MINUTE);
    expect(await countRequests(async () => expect(await tokens.getAppToken()).toBe(first))).toEqual([]);
    fx.clock.advance(1 * MINUTE);
    let renewed = '';
    expect(await countRequests(async () => (renewed = await tokens.getAppToken()))).toEqual([
      'client_credentials:200',
    ]);
    expect(renewed).not.toBe(first);
  });

  it('shares one in-flight request among concurrent callers', async () => {
    const tokens = client();
    let results: string[] = [];
    const calls = await countRequests(async () => {
      results = await Promise.all(Array.from({ length: 8 }, () => tokens.getAppToken()));
    });
    expect(calls).toEqual(['client_credentials:200']);
    expect(new Set(results).size).toBe(1);
  });

  it('signs a monitor account in once, then uses its refresh token when the access token runs out', async () => {
    const tokens = client();
    const sign = () => tokens.getUserTokenByPassword('monitor@contoso.example', fx.password, PRESENCE_READ);
    let first = '';
    expect(await countRequests(async () => (first = await sign()))).toEqual(['password:200']);
    expect(claimsOf(first)).toMatchObject({ oid: fx.users.monitor, scp: 'Presence.Read.All' });
    expect(await countRequests(sign)).toEqual([]);
    fx.clock.advance(HOUR);
    let refreshed = '';
    expect(await countRequests(async () => (refreshed = await sign()))).toEqual(['refresh_token:200']);
    expect(claimsOf(refreshed).oid).toBe(fx.users.monitor);
    // After 90 days idle the refresh token is dead; the client signs in with the password again.
    fx.clock.advance(91 * DAY);
    expect(await countRequests(sign)).toEqual(['refresh_token:400', 'password:200']);
  });

  it('forgets a token a service refused: the app gets a new one, a monitor redeems its refresh token', async () => {
    const tokens = client();
    const app = await tokens.getAppToken();
    const sign = () => tokens.getUserTokenByPassword('monitor@contoso.example', fx.password, PRESENCE_READ);
    const monitor = await sign();
    tokens.forget(app);
    let fresh = '';
    expect(await countRequests(async () => (fresh = await tokens.getAppToken()))).toEqual([
      'client_credentials:200',
    ]);
    expect(fresh).not.toBe(app);
    expect(await countRequests(sign)).toEqual([]); // only the refused token is dropped
    tokens.forget(monitor);
    expect(await countRequests(sign)).toEqual(['refresh_token:200']);
  });

  it('never serves a cached monitor token for a different password', async () => {
    const tokens = client();
    await tokens.getUserTokenByPassword('monitor@contoso.example', fx.password, PRESENCE_READ);
    const e = await rejection(
      tokens.getUserTokenByPassword('monitor@contoso.example', 'stale-password', PRESENCE_READ),
    );
    expect(e.aadstsCode).toBe(50126);
    expect(e.isUserCredentialRejected()).toBe(true);
  });

  it('holds a refused app secret: no request to Entra until a growing wait has passed, or the secret changes', async () => {
    let secret = 'typed-wrong';
    const tokens = new TokenClient({
      authorityHost: fx.entra.baseUrl,
      tenantId: fx.contoso,
      credentials: () => ({ clientId: fx.switchboard.clientId, clientSecret: secret }),
      now: () => fx.clock.now(),
    });
    const askTwenty = () =>
      Promise.all(Array.from({ length: 20 }, () => tokens.getAppToken().catch((e: unknown) => e)));
    let answers: unknown[] = [];
    // Every Graph call asks for a token: twenty asks a moment apart reach Entra once.
    expect(
      await countRequests(async () => {
        answers = [...(await askTwenty()), ...(await askTwenty())];
      }),
    ).toEqual(['client_credentials:401']);
    expect(answers.every((a) => a instanceof EntraError && a.aadstsCode === 7000215)).toBe(true);
    // After a minute it is asked once more; refused again, the next wait is two minutes.
    fx.clock.advance(MINUTE);
    expect(await countRequests(askTwenty)).toEqual(['client_credentials:401']);
    fx.clock.advance(MINUTE);
    expect(await countRequests(askTwenty)).toEqual([]);
    // The configuration check asks anyway (the admin may have just fixed something in Entra).
    expect(
      await countRequests(() => tokens.getAppToken(undefined, { askAgain: true }).catch(() => undefined)),
    ).toEqual(['client_credentials:401']);
    // The admin saves the right secret: asked at once, and the hold is over.
    secret = fx.switchboard.secret;
    expect(await countRequests(() => tokens.getAppToken())).toEqual(['client_credentials:200']);
  });

  it('asks again every minute, never held longer, for an app the tenant does not know yet (just consented)', async () => {
    const tokens = client({ clientId: '0f0f0f0f-0000-4000-8000-00000000abcd' });
    const ask = () => tokens.getAppToken().catch((e: unknown) => e);
    expect(await countRequests(ask)).toEqual(['client_credentials:400']);
    expect(((await ask()) as EntraError).aadstsCode).toBe(700016);
    for (let i = 0; i < 3; i++) {
      fx.clock.advance(MINUTE);
      expect(await countRequests(ask)).toEqual(['client_credentials:400']);
    }
  });

  it('holds nothing but refusals of the app itself: a monitor refused for MFA is asked again next time', async () => {
    const tokens = client();
    const sign = () =>
      tokens
        .getUserTokenByPassword('mfa.monitor@contoso.example', fx.password, PRESENCE_READ)
        .catch(() => undefined);
    expect(await countRequests(async () => (await sign(), await sign()))).toEqual([
      'password:400',
      'password:400',
    ]);
    expect(await countRequests(() => tokens.getAppToken())).toEqual(['client_credentials:200']);
  });

  it('surfaces AADSTS codes as typed errors and does not cache failures', async () => {
    const mfa = await rejection(
      client().getUserTokenByPassword('mfa.monitor@contoso.example', fx.password, PRESENCE_READ),
    );
    expect(mfa).toMatchObject({ status: 400, error: 'invalid_grant', aadstsCode: 50076 });
    expect(mfa.isMfaRequired()).toBe(true);
    expect(mfa.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mfa.message).toMatch(/^Entra ID 400 invalid_grant: AADSTS50076: /);

    const wrongSecret = client({ clientSecret: 'wrong' });
    const bad = await rejection(wrongSecret.getAppToken());
    expect(bad).toMatchObject({ status: 401, error: 'invalid_client', aadstsCode: 7000215 });
    expect(bad.isClientSecretInvalid()).toBe(true);

    const expired = await rejection(client({ clientSecret: fx.switchboard.expiredSecret }).getAppToken());
    expect(expired.aadstsCode).toBe(7000222);
    expect((await rejection(client().getAppToken(PRESENCE_READ))).aadstsCode).toBe(1002012);
  });

  it('performs on-behalf-of with the Teams SSO token, caching per user assertion', async () => {
    const tokens = client();
    const assertion = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.alice,
      clientId: fx.switchboard.clientId,
    });
    let graphToken = '';
    expect(
      await countRequests(async () => (graphToken = await tokens.onBehalfOf(assertion, PRESENCE_READ))),
    ).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer:200']);
    expect(claimsOf(graphToken)).toMatchObject({ oid: fx.users.alice, scp: 'Presence.Read.All' });
    expect(await countRequests(() => tokens.onBehalfOf(assertion, PRESENCE_READ))).toEqual([]);

    const bob = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.bob,
      clientId: fx.switchboard.clientId,
    });
    expect(claimsOf(await tokens.onBehalfOf(bob, PRESENCE_READ)).oid).toBe(fx.users.bob);

    const consent = await rejection(tokens.onBehalfOf(bob, 'https://graph.microsoft.com/Calendars.Read'));
    expect(consent.isConsentRequired()).toBe(true);
    expect(consent.suberror).toBe('consent_required');
  });

  it('reports an unreachable authority as a network error', async () => {
    const unreachable = new TokenClient({
      authorityHost: 'http://127.0.0.1:9',
      tenantId: fx.contoso,
      credentials: () => ({ clientId: fx.switchboard.clientId, clientSecret: 'x' }),
    });
    expect(await rejection(unreachable.getAppToken())).toMatchObject({ status: 0, error: 'network_error' });
  });
});

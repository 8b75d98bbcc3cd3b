import { generateKeyPair, SignJWT } from 'jose';
import {
  claimsOf,
  DAY,
  expectAadError,
  HOUR,
  postToken,
  startEntraFixture,
  type EntraFixture,
} from './entra-fixture';

let fx: EntraFixture;

beforeAll(async () => {
  fx = await startEntraFixture();
});
afterAll(async () => {
  await fx.entra.close();
});

const PRESENCE_READ = 'https://graph.microsoft.com/Presence.Read.All';

const passwordGrant = (
  username: string,
  password = fx.password,
  scope = `${PRESENCE_READ} offline_access`,
  extra: Record<string, string> = {},
) =>
  postToken(fx, fx.contoso, {
    grant_type: 'password',
    client_id: fx.switchboard.clientId,
    client_secret: fx.switchboard.secret,
    username,
    password,
    scope,
    ...extra,
  });

const refresh = (refreshToken: string, clientId = fx.switchboard.clientId, secret = fx.switchboard.secret) =>
  postToken(fx, fx.contoso, {
    grant_type: 'refresh_token',
    client_id: clientId,
    client_secret: secret,
    refresh_token: refreshToken,
    scope: `${PRESENCE_READ} offline_access`,
  });

const obo = (assertion: string, scope = PRESENCE_READ, extra: Record<string, string> = {}) =>
  postToken(fx, fx.contoso, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    client_id: fx.switchboard.clientId,
    client_secret: fx.switchboard.secret,
    assertion,
    scope,
    requested_token_use: 'on_behalf_of',
    ...extra,
  });

const sso = (
  userId: string,
  extra: { expiresInSeconds?: number; audience?: string; tenantId?: string; clientId?: string } = {},
) =>
  fx.entra.mintTeamsSsoToken({ tenantId: fx.contoso, userId, clientId: fx.switchboard.clientId, ...extra });

describe('password grant (presence monitor accounts)', () => {
  it('issues a delegated Graph token with the user, consented scopes and a refresh token', async () => {
    const res = await passwordGrant(
      'Monitor@Contoso.example',
      fx.password,
      `${PRESENCE_READ} offline_access openid`,
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe(`${PRESENCE_READ} offline_access openid`);
    expect(typeof res.body.refresh_token).toBe('string');
    expect(claimsOf(res.body.id_token)).toMatchObject({
      aud: fx.switchboard.clientId,
      oid: fx.users.monitor,
    });
    const claims = claimsOf(res.body.access_token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      scp: 'Presence.Read.All',
      oid: fx.users.monitor,
      preferred_username: 'monitor@contoso.example',
      name: 'monitor',
      azp: fx.switchboard.clientId,
      azpacr: '1',
      tid: fx.contoso,
      ver: '2.0',
    });
    expect(claims).not.toHaveProperty('roles');
    await expect(
      fx.entra.verifyAccessToken(String(res.body.access_token), 'https://graph.microsoft.com'),
    ).resolves.toMatchObject({
      oid: fx.users.monitor,
      scp: 'Presence.Read.All',
    });
  });

  it('gives all consented delegated permissions for .default, and no refresh token without offline_access', async () => {
    const res = await passwordGrant(
      'monitor@contoso.example',
      fx.password,
      'https://graph.microsoft.com/.default',
    );
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).scp).toBe('Presence.Read.All User.Read');
    expect(res.body).not.toHaveProperty('refresh_token');
  });

  it('lets a public client (no secret) sign a user in', async () => {
    const res = await postToken(fx, fx.contoso, {
      grant_type: 'password',
      client_id: fx.publicClient.clientId,
      username: 'monitor@contoso.example',
      password: fx.password,
      scope: PRESENCE_READ,
    });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({ azp: fx.publicClient.clientId, azpacr: '0' });
  });

  it('refuses a wrong password, an unknown user, a disabled account and an MFA-bound account', async () => {
    expectAadError(await passwordGrant('monitor@contoso.example', 'guess'), 400, 'invalid_grant', 50126);
    expectAadError(await passwordGrant('nobody@contoso.example'), 400, 'invalid_grant', 50034);
    expectAadError(await passwordGrant('left@contoso.example'), 400, 'invalid_grant', 50057);
    const mfa = await passwordGrant('mfa.monitor@contoso.example');
    expectAadError(mfa, 400, 'invalid_grant', 50076);
    expect(mfa.body.suberror).toBe('basic_action');
    expect(String(mfa.body.error_description)).toContain('multi-factor authentication');
    // A wrong password is reported as such even for the MFA account: credentials are checked first.
    expectAadError(await passwordGrant('mfa.monitor@contoso.example', 'guess'), 400, 'invalid_grant', 50126);
  });

  it('refuses scopes the app has no consent for, and a confidential client without its secret', async () => {
    const res = await passwordGrant(
      'monitor@contoso.example',
      fx.password,
      'https://graph.microsoft.com/Calendars.Read',
    );
    expectAadError(res, 400, 'invalid_grant', 65001);
    expect(res.body.suberror).toBe('consent_required');
    const noSecret = await postToken(fx, fx.contoso, {
      grant_type: 'password',
      client_id: fx.switchboard.clientId,
      username: 'monitor@contoso.example',
      password: fx.password,
      scope: PRESENCE_READ,
    });
    expectAadError(noSecret, 401, 'invalid_client', 7000218);
    expectAadError(
      await passwordGrant('monitor@contoso.example', fx.password, ''),
      400,
      'invalid_request',
      900144,
    );
  });
});

describe('refresh_token grant', () => {
  it('redeems a refresh token for a new access token and a new refresh token', async () => {
    const first = await passwordGrant('monitor@contoso.example');
    fx.clock.advance(2 * HOUR);
    await expect(
      fx.entra.verifyAccessToken(String(first.body.access_token), 'https://graph.microsoft.com'),
    ).rejects.toThrow(/expired/);
    const second = await refresh(String(first.body.refresh_token));
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(claimsOf(second.body.access_token)).toMatchObject({
      oid: fx.users.monitor,
      scp: 'Presence.Read.All',
    });
    await expect(
      fx.entra.verifyAccessToken(String(second.body.access_token), 'https://graph.microsoft.com'),
    ).resolves.toBeDefined();
  });

  it('refuses an expired, unknown or foreign refresh token', async () => {
    const first = await passwordGrant('monitor@contoso.example');
    const token = String(first.body.refresh_token);
    expectAadError(await refresh('1.not-a-real-refresh-token'), 400, 'invalid_grant', 9002313);
    expectAadError(await refresh(token, fx.publicClient.clientId, ''), 400, 'invalid_grant', 70000);
    fx.clock.advance(90 * DAY - 1000);
    expect((await refresh(token)).status).toBe(200);
    fx.clock.advance(1000);
    expectAadError(await refresh(token), 400, 'invalid_grant', 70008);
  });

  it('stops working once the account is disabled or consent is withdrawn', async () => {
    const token = String((await passwordGrant('bob@contoso.example')).body.refresh_token);
    const bob = fx.directory.findUser(fx.contoso, 'bob@contoso.example');
    const app = fx.directory.tenant(fx.contoso)?.apps.get(fx.switchboard.clientId);
    if (!bob || !app) throw new Error('fixture changed');
    bob.accountEnabled = false;
    expectAadError(await refresh(token), 400, 'invalid_grant', 50057);
    bob.accountEnabled = true;
    app.consentedDelegatedPermissions = ['User.Read'];
    try {
      expectAadError(await refresh(token), 400, 'invalid_grant', 65001);
    } finally {
      app.consentedDelegatedPermissions = ['Presence.Read.All', 'User.Read'];
    }
  });
});

describe('Teams SSO tokens', () => {
  it("carry the app's identifier URI as audience, access_as_user, the user and the user's app roles", async () => {
    const alice = claimsOf(await sso(fx.users.alice));
    expect(alice).toMatchObject({
      aud: fx.switchboard.identifierUri,
      scp: 'access_as_user',
      tid: fx.contoso,
      oid: fx.users.alice,
      name: 'Alice Admin',
      preferred_username: 'alice@contoso.example',
      roles: ['Switchboard.Admin'],
      iss: fx.entra.issuer(fx.contoso),
    });
    const bob = claimsOf(await sso('bob@contoso.example', { expiresInSeconds: 600 }));
    expect(bob).not.toHaveProperty('roles');
    expect((bob.exp as number) - (bob.iat as number)).toBe(600);
  });

  it('are served to test hosts over POST /_control/sso-token, which refuses what the directory could not issue', async () => {
    const post = (body: unknown) =>
      fetch(`${fx.entra.baseUrl}/_control/sso-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({
      tenantId: fx.contoso,
      userId: fx.users.alice,
      clientId: fx.switchboard.clientId,
    });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    await expect(fx.entra.verifyAccessToken(token, fx.switchboard.identifierUri)).resolves.toMatchObject({
      oid: fx.users.alice,
      scp: 'access_as_user',
    });
    expect((await post({ tenantId: fx.contoso, userId: fx.users.alice })).status).toBe(400);
    expect(
      (
        await post({
          tenantId: fx.contoso,
          userId: 'ghost@contoso.example',
          clientId: fx.switchboard.clientId,
        })
      ).status,
    ).toBe(400);
    expect(
      (await post({ tenantId: fx.contoso, userId: fx.users.disabled, clientId: fx.switchboard.clientId }))
        .status,
    ).toBe(400);
    // Tenants stay apart: a Fabrikam user cannot get a Contoso token.
    expect(
      (await post({ tenantId: fx.contoso, userId: fx.users.fabrikamUser, clientId: fx.switchboard.clientId }))
        .status,
    ).toBe(400);
  });
});

describe('on-behalf-of', () => {
  it('trades a Teams SSO token for a Graph token of the same user', async () => {
    const res = await obo(await sso(fx.users.alice));
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe(PRESENCE_READ);
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(claimsOf(res.body.access_token)).toMatchObject({
      aud: 'https://graph.microsoft.com',
      oid: fx.users.alice,
      scp: 'Presence.Read.All',
      azp: fx.switchboard.clientId,
      tid: fx.contoso,
    });
  });

  it('answers consent_required (AADSTS65001) for a delegated scope without consent', async () => {
    const res = await obo(await sso(fx.users.bob), 'https://graph.microsoft.com/Calendars.Read');
    expectAadError(res, 400, 'invalid_grant', 65001);
    expect(res.body.suberror).toBe('consent_required');
  });

  it('refuses assertions not issued to the calling app, expired, forged, app-only or from another tenant', async () => {
    expectAadError(
      await obo(await sso(fx.users.bob, { audience: 'api://elsewhere.example/other' })),
      400,
      'invalid_grant',
      500131,
    );

    const shortLived = await sso(fx.users.bob, { expiresInSeconds: 60 });
    fx.clock.advance(60 * 1000);
    expectAadError(await obo(shortLived), 400, 'invalid_grant', 500133);

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claimsOf(await sso(fx.users.bob)))
      .setProtectedHeader({ alg: 'RS256', kid: fx.entra.signingKeyId })
      .sign(privateKey);
    expectAadError(await obo(forged), 400, 'invalid_grant', 50013);

    const appOnly = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.crm.clientId,
      client_secret: fx.crm.secret,
      scope: `${fx.switchboard.identifierUri}/.default`,
    });
    expectAadError(await obo(String(appOnly.body.access_token)), 400, 'invalid_grant', 50013);

    const fabrikamSso = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.fabrikam,
      userId: fx.users.fabrikamUser,
      clientId: fx.fabrikamApp.clientId,
      audience: fx.switchboard.identifierUri,
    });
    expectAadError(await obo(fabrikamSso), 400, 'invalid_grant', 50013);
  });

  it('requires requested_token_use=on_behalf_of and a client secret', async () => {
    const assertion = await sso(fx.users.alice);
    expectAadError(
      await obo(assertion, PRESENCE_READ, { requested_token_use: '' }),
      400,
      'invalid_request',
      900144,
    );
    const noSecret = await postToken(fx, fx.contoso, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: fx.switchboard.clientId,
      assertion,
      scope: PRESENCE_READ,
      requested_token_use: 'on_behalf_of',
    });
    expectAadError(noSecret, 401, 'invalid_client', 7000218);
  });
});

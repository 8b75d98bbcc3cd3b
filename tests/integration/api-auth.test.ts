import { generateKeyPair, SignJWT } from 'jose';
import { bobOnThePhone, call, startHarness, type Harness } from './bot-harness';
import { postToken } from './entra-fixture';

/** The tab's API and the read API over real HTTP, with tokens the Entra emulator mints (or that someone forged). */
describe('API authentication', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers a signed-in user with who they are, taken from the token', async () => {
    const res = await call(h, 'GET', '/api/me', await h.sso(h.fx.contoso, h.fx.users.bob));
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      id: h.fx.users.bob,
      tenantId: h.fx.contoso,
      upn: 'bob@contoso.example',
      isAdmin: false,
    });
    expect(res.body.clickToCall.byClient).toEqual({
      desktop: 'tel',
      web: 'tel',
      ios: 'micollab://dial?number={number}',
      android: 'tel',
    });
  });

  it('refuses a request without a token', async () => {
    const res = await call(h, 'GET', '/api/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a token issued for another audience', async () => {
    const token = await h.sso(h.fx.contoso, h.fx.users.bob, { audience: h.fx.crm.clientId });
    const res = await call(h, 'GET', '/api/me', token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token.bad_audience');
  });

  it('refuses a token from a tenant this deployment does not serve', async () => {
    const northwind = h.fx.directory.addTenant({ displayName: 'Northwind', domain: 'northwind.example' }).id;
    const app = h.fx.directory.addApp(northwind, {
      displayName: 'Switchboard',
      identifierUris: [h.fx.switchboard.identifierUri],
    });
    const dave = h.fx.directory.addUser(northwind, {
      userPrincipalName: 'dave@northwind.example',
      displayName: 'Dave',
    });
    const token = await h.fx.entra.mintTeamsSsoToken({
      tenantId: northwind,
      userId: dave.id,
      clientId: app.clientId,
    });
    const res = await call(h, 'GET', '/api/me', token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token.wrong_tenant');
  });

  it('refuses an expired token', async () => {
    const token = await h.sso(h.fx.contoso, h.fx.users.bob, { expiresInSeconds: 60 });
    h.fx.clock.advance(60_000 + 301_000); // past expiry and the five minutes of clock skew allowed
    const res = await call(h, 'GET', '/api/me', token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token.expired');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const real = await h.sso(h.fx.contoso, h.fx.users.alice);
    const [, payload] = real.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const res = await call(h, 'GET', '/api/admin/tenant', unsigned);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token.bad_signature');
  });

  it("refuses a forged token signed with someone else's key under the emulator's key id", async () => {
    const real = await h.sso(h.fx.contoso, h.fx.users.alice);
    const claims = JSON.parse(
      Buffer.from(real.split('.')[1] as string, 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: h.fx.entra.signingKeyId, typ: 'JWT' })
      .sign(privateKey);
    const res = await call(h, 'GET', '/api/admin/tenant', forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token.bad_signature');
  });

  it('lets the admin role reach admin endpoints and keeps everyone else out', async () => {
    const admin = await call(h, 'GET', '/api/admin/tenant', await h.sso(h.fx.contoso, h.fx.users.alice));
    expect(admin.status).toBe(200);
    expect(admin.body.tenantId).toBe(h.fx.contoso);
    const bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    for (const [method, path] of [
      ['GET', '/api/admin/tenant'],
      ['GET', '/api/admin/reports'],
      ['POST', '/api/admin/resync-all'],
      ['PUT', '/api/admin/mapping'],
    ] as const) {
      const res = await call(
        h,
        method,
        path,
        bob,
        method === 'PUT' ? { teamsToPbx: [], pbxToTeams: [] } : undefined,
      );
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('admin_required');
    }
    expect(h.sync.calls.filter((c) => c.startsWith('resyncAll'))).toEqual([]);
  });

  it('lets another system read presence with an app token carrying Presence.Read.External', async () => {
    await h.store.putUsers([bobOnThePhone(h)]);
    const answer = await postToken(h.fx, h.fx.contoso, {
      grant_type: 'client_credentials',
      client_id: h.fx.crm.clientId,
      client_secret: h.fx.crm.secret,
      scope: `${h.fx.switchboard.clientId}/.default`,
    });
    const token = String(answer.body.access_token);
    const res = await call(h, 'GET', '/api/presence?mails=BOB@contoso.example,nobody@contoso.example', token);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: h.fx.users.bob,
        teams: expect.objectContaining({ availability: 'Available' }),
      }),
    ]);
    expect(res.body.notFound).toEqual(['nobody@contoso.example']);
    // the same app token is no user token, and a user token is no app token
    expect((await call(h, 'GET', '/api/me', token)).status).toBe(401);
    const userToken = await call(
      h,
      'GET',
      '/api/presence?ids=x',
      await h.sso(h.fx.contoso, h.fx.users.alice),
    );
    expect(userToken.status).toBe(401);
    expect(userToken.body.error.code).toBe('app_token_required');
  });

  it('refuses an app token without the presence-read role', async () => {
    h.fx.directory.tenant(h.fx.contoso)!.apps.get(h.fx.switchboard.clientId)!.roleAssignmentsToApps = {};
    const answer = await postToken(h.fx, h.fx.contoso, {
      grant_type: 'client_credentials',
      client_id: h.fx.crm.clientId,
      client_secret: h.fx.crm.secret,
      scope: `${h.fx.switchboard.clientId}/.default`,
    });
    const res = await call(h, 'GET', '/api/presence?ids=x', String(answer.body.access_token));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('missing_role');
  });
});

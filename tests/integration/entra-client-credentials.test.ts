import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import {
  claimsOf,
  expectAadError,
  HOUR,
  postToken,
  startEntraFixture,
  type EntraFixture,
} from './entra-fixture';

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
let fx: EntraFixture;

beforeAll(async () => {
  fx = await startEntraFixture();
});
afterAll(async () => {
  await fx.entra.close();
});

const appToken = (clientId: string, secret: string, scope = GRAPH_DEFAULT, tenant = fx.contoso) =>
  postToken(fx, tenant, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope,
  });

describe('OpenID discovery', () => {
  it('publishes the configuration and keys of a tenant, by id or by domain', async () => {
    for (const name of [fx.contoso, 'contoso.example']) {
      const res = await fetch(`${fx.entra.baseUrl}/${name}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const config = (await res.json()) as Record<string, unknown>;
      expect(config.issuer).toBe(`${fx.entra.baseUrl}/${fx.contoso}/v2.0`);
      expect(config.token_endpoint).toBe(`${fx.entra.baseUrl}/${fx.contoso}/oauth2/v2.0/token`);
      expect(config.jwks_uri).toBe(fx.entra.jwksUri(fx.contoso));
    }
    const jwks = (await (await fetch(fx.entra.jwksUri(fx.contoso))).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', kid: fx.entra.signingKeyId });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses an unknown tenant with AADSTS90002', async () => {
    for (const path of ['/v2.0/.well-known/openid-configuration', '/discovery/v2.0/keys']) {
      const res = await fetch(`${fx.entra.baseUrl}/nowhere.example${path}`);
      expectAadError(
        { status: res.status, body: (await res.json()) as Record<string, unknown> },
        400,
        'invalid_tenant',
        90002,
      );
    }
    const token = await appToken(
      fx.switchboard.clientId,
      fx.switchboard.secret,
      GRAPH_DEFAULT,
      'nowhere.example',
    );
    expectAadError(token, 400, 'invalid_request', 90002);
  });
});

describe('client credentials', () => {
  it('issues a signed Graph token whose roles are the admin-consented application permissions', async () => {
    const res = await appToken(fx.switchboard.clientId, fx.switchboard.secret);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(res.body).not.toHaveProperty('refresh_token');
    const jwks = createLocalJWKSet((await (await fetch(fx.entra.jwksUri(fx.contoso))).json()) as never);
    const { payload, protectedHeader } = await jwtVerify(String(res.body.access_token), jwks, {
      issuer: `${fx.entra.baseUrl}/${fx.contoso}/v2.0`,
      audience: 'https://graph.microsoft.com',
      currentDate: new Date(fx.clock.now()),
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: fx.entra.signingKeyId });
    expect(payload).toMatchObject({
      roles: ['Presence.ReadWrite.All', 'User.Read.All'],
      azp: fx.switchboard.clientId,
      appid: fx.switchboard.clientId,
      tid: fx.contoso,
      ver: '2.0',
      idtyp: 'app',
    });
    expect(payload.iat).toBe(Math.floor(fx.clock.now() / 1000));
    expect(payload.nbf).toBe(payload.iat);
    expect((payload.exp as number) - (payload.iat as number)).toBe(3599);
    expect(typeof payload.uti).toBe('string');
    expect(payload).not.toHaveProperty('scp');
  });

  it('gives an app nobody consented a token with no roles claim at all', async () => {
    const res = await appToken(fx.unconsented.clientId, fx.unconsented.secret);
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).not.toHaveProperty('roles');
  });

  it('accepts the secret in an HTTP Basic header', async () => {
    const basic = Buffer.from(
      `${fx.switchboard.clientId}:${encodeURIComponent(fx.switchboard.secret)}`,
    ).toString('base64');
    const res = await postToken(
      fx,
      fx.contoso,
      { grant_type: 'client_credentials', scope: GRAPH_DEFAULT },
      { Authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).azp).toBe(fx.switchboard.clientId);
    const wrong = Buffer.from(`${fx.switchboard.clientId}:nope`).toString('base64');
    const refused = await postToken(
      fx,
      fx.contoso,
      { grant_type: 'client_credentials', scope: GRAPH_DEFAULT },
      { Authorization: `Basic ${wrong}` },
    );
    expectAadError(refused, 401, 'invalid_client', 7000215);
  });

  it("issues another app's API token carrying the app roles that API assigned to the caller", async () => {
    const res = await appToken(fx.crm.clientId, fx.crm.secret, `${fx.switchboard.identifierUri}/.default`);
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({
      aud: fx.switchboard.identifierUri,
      roles: ['Presence.Read.External'],
      azp: fx.crm.clientId,
    });
  });

  it('refuses a JSON body the way Entra does: it finds no grant_type', async () => {
    const res = await fetch(fx.entra.tokenEndpoint(fx.contoso), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: fx.switchboard.clientId,
        client_secret: fx.switchboard.secret,
        scope: GRAPH_DEFAULT,
      }),
    });
    expectAadError(
      { status: res.status, body: (await res.json()) as Record<string, unknown> },
      400,
      'invalid_request',
      900144,
    );
  });

  it('refuses GET on the token endpoint', async () => {
    const res = await fetch(fx.entra.tokenEndpoint(fx.contoso));
    expectAadError(
      { status: res.status, body: (await res.json()) as Record<string, unknown> },
      400,
      'invalid_request',
      900561,
    );
  });

  it('refuses unknown clients, wrong, expired and missing secrets with their AADSTS codes', async () => {
    expectAadError(
      await appToken('0000aaaa-0000-4000-8000-00000000dead', 'x'),
      400,
      'unauthorized_client',
      700016,
    );
    // An app registered in Fabrikam does not exist in Contoso.
    expectAadError(
      await appToken(fx.fabrikamApp.clientId, fx.fabrikamApp.secret),
      400,
      'unauthorized_client',
      700016,
    );
    expectAadError(await appToken(fx.switchboard.clientId, 'not-the-secret'), 401, 'invalid_client', 7000215);
    expectAadError(
      await appToken(fx.switchboard.clientId, fx.switchboard.expiredSecret),
      401,
      'invalid_client',
      7000222,
    );
    expectAadError(
      await appToken(fx.expiredOnly.clientId, fx.expiredOnly.secret),
      401,
      'invalid_client',
      7000222,
    );
    const noSecret = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.switchboard.clientId,
      scope: GRAPH_DEFAULT,
    });
    expectAadError(noSecret, 401, 'invalid_client', 7000218);
    const publicApp = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.publicClient.clientId,
      scope: GRAPH_DEFAULT,
    });
    expectAadError(publicApp, 401, 'invalid_client', 7000218);
  });

  it('a secret stops working the moment it expires by the clock', async () => {
    fx.directory.addApp(fx.contoso, {
      clientId: 'e0e0e0e0-4444-4444-8444-000000000004',
      displayName: 'Short-lived secret',
      secrets: [{ id: 'x', value: 'brief', expiresAt: fx.clock.now() + HOUR }],
    });
    expect((await appToken('e0e0e0e0-4444-4444-8444-000000000004', 'brief')).status).toBe(200);
    fx.clock.advance(HOUR);
    expectAadError(
      await appToken('e0e0e0e0-4444-4444-8444-000000000004', 'brief'),
      401,
      'invalid_client',
      7000222,
    );
  });

  it('accepts only {resource}/.default scopes, one resource, known resources', async () => {
    expectAadError(
      await appToken(
        fx.switchboard.clientId,
        fx.switchboard.secret,
        'https://graph.microsoft.com/Presence.Read.All',
      ),
      400,
      'invalid_scope',
      1002012,
    );
    expectAadError(
      await appToken(fx.switchboard.clientId, fx.switchboard.secret, 'User.Read.All'),
      400,
      'invalid_scope',
      1002012,
    );
    expectAadError(
      await appToken(
        fx.switchboard.clientId,
        fx.switchboard.secret,
        `${GRAPH_DEFAULT} ${fx.switchboard.identifierUri}/.default`,
      ),
      400,
      'invalid_scope',
      28000,
    );
    expectAadError(
      await appToken(fx.switchboard.clientId, fx.switchboard.secret, 'api://unknown.example/.default'),
      400,
      'invalid_resource',
      500011,
    );
  });

  it('requires grant_type, client_id and scope, and knows only its grant types', async () => {
    expectAadError(
      await postToken(fx, fx.contoso, { client_id: fx.switchboard.clientId }),
      400,
      'invalid_request',
      900144,
    );
    expectAadError(
      await postToken(fx, fx.contoso, { grant_type: 'client_credentials', scope: GRAPH_DEFAULT }),
      400,
      'invalid_request',
      900144,
    );
    const noScope = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.switchboard.clientId,
      client_secret: fx.switchboard.secret,
    });
    expectAadError(noScope, 400, 'invalid_request', 900144);
    expect(String(noScope.body.error_description)).toContain("'scope'");
    expectAadError(
      await postToken(fx, fx.contoso, { grant_type: 'implicit', client_id: fx.switchboard.clientId }),
      400,
      'unsupported_grant_type',
      70003,
    );
  });

  it("echoes the caller's client-request-id as the correlation id", async () => {
    const id = '0d3a6b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const res = await postToken(
      fx,
      fx.contoso,
      {
        grant_type: 'client_credentials',
        client_id: fx.switchboard.clientId,
        client_secret: 'wrong',
        scope: GRAPH_DEFAULT,
      },
      { 'client-request-id': id },
    );
    expect(res.body.correlation_id).toBe(id);
  });
});

describe('verifyAccessToken (what the Graph emulator trusts)', () => {
  it('returns the claims of a valid token for its audience', async () => {
    const token = String((await appToken(fx.switchboard.clientId, fx.switchboard.secret)).body.access_token);
    const claims = await fx.entra.verifyAccessToken(token, 'https://graph.microsoft.com');
    expect(claims).toMatchObject({
      tid: fx.contoso,
      appid: fx.switchboard.clientId,
      roles: ['Presence.ReadWrite.All', 'User.Read.All'],
    });
    expect(claims.oid).toBeUndefined();
  });

  it('rejects wrong audience, expiry by the clock, tampering and foreign keys with InvalidAuthenticationToken', async () => {
    const token = String((await appToken(fx.switchboard.clientId, fx.switchboard.secret)).body.access_token);
    const rejected = (t: string, aud = 'https://graph.microsoft.com') =>
      expect(fx.entra.verifyAccessToken(t, aud)).rejects.toMatchObject({
        code: 'InvalidAuthenticationToken',
      });

    await rejected(token, fx.switchboard.identifierUri);
    const [h, p, s] = token.split('.') as [string, string, string];
    const widened = Buffer.from(
      JSON.stringify({ ...claimsOf(token), roles: ['Directory.ReadWrite.All'] }),
    ).toString('base64url');
    await rejected(`${h}.${widened}.${s}`);
    await rejected('not.a.token');

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claimsOf(token))
      .setProtectedHeader({ alg: 'RS256', kid: fx.entra.signingKeyId })
      .sign(privateKey);
    await rejected(forged);
    await rejected(`${h}.${p}.`);

    fx.clock.advance(3599 * 1000 - 1000);
    await expect(fx.entra.verifyAccessToken(token, 'https://graph.microsoft.com')).resolves.toMatchObject({
      tid: fx.contoso,
    });
    fx.clock.advance(1000);
    await expect(fx.entra.verifyAccessToken(token, 'https://graph.microsoft.com')).rejects.toThrow(/expired/);
  });
});

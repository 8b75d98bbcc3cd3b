import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import {
  createEntraJwtValidator,
  type EntraJwtValidator,
  type EntraTokenRejection,
} from '../../shared/adapters/entra/jwt-validator';
import { claimsOf, postToken, startEntraFixture, type EntraFixture } from './entra-fixture';

let fx: EntraFixture;
let validator: EntraJwtValidator;

beforeAll(async () => {
  fx = await startEntraFixture();
  validator = createEntraJwtValidator({
    authorityHost: fx.entra.baseUrl,
    allowedTenantIds: [fx.contoso],
    audiences: [fx.switchboard.identifierUri, fx.switchboard.clientId],
    clockToleranceSeconds: 60,
    now: () => fx.clock.now(),
  });
});
afterAll(async () => {
  await fx.entra.close();
});

const ssoToken = (userId: string, extra: { audience?: string; expiresInSeconds?: number } = {}) =>
  fx.entra.mintTeamsSsoToken({ tenantId: fx.contoso, userId, clientId: fx.switchboard.clientId, ...extra });

async function rejectionReason(
  token: string,
  v: EntraJwtValidator = validator,
): Promise<EntraTokenRejection> {
  try {
    await v.validate(token);
  } catch (e) {
    return (e as { reason: EntraTokenRejection }).reason;
  }
  throw new Error('token was accepted');
}

describe('Entra JWT validator', () => {
  it('accepts a Teams SSO token and returns the user, scopes and app roles', async () => {
    const claims = await validator.validate(await ssoToken(fx.users.alice));
    expect(claims).toMatchObject({
      tenantId: fx.contoso,
      objectId: fx.users.alice,
      scopes: ['access_as_user'],
      roles: ['Switchboard.Admin'],
      delegated: true,
      preferredUsername: 'alice@contoso.example',
      audience: fx.switchboard.identifierUri,
    });
  });

  it("accepts another system's client-credentials token with the role Switchboard assigned it", async () => {
    const res = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.crm.clientId,
      client_secret: fx.crm.secret,
      scope: `${fx.switchboard.clientId}/.default`,
    });
    const claims = await validator.validate(String(res.body.access_token));
    expect(claims).toMatchObject({
      appId: fx.crm.clientId,
      roles: ['Presence.Read.External'],
      delegated: false,
      scopes: [],
      audience: fx.switchboard.clientId,
    });
  });

  it('refuses a token for another audience (a Graph token, or another app)', async () => {
    const graph = await postToken(fx, fx.contoso, {
      grant_type: 'client_credentials',
      client_id: fx.switchboard.clientId,
      client_secret: fx.switchboard.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(await rejectionReason(String(graph.body.access_token))).toBe('bad_audience');
    expect(await rejectionReason(await ssoToken(fx.users.bob, { audience: 'api://other.example/app' }))).toBe(
      'bad_audience',
    );
  });

  it('refuses a token of a tenant it does not serve, and serves every tenant it is told to', async () => {
    const fabrikam = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.fabrikam,
      userId: fx.users.fabrikamUser,
      clientId: fx.fabrikamApp.clientId,
    });
    expect(await rejectionReason(fabrikam)).toBe('wrong_tenant');
    const both = createEntraJwtValidator({
      authorityHost: fx.entra.baseUrl,
      allowedTenantIds: [fx.contoso, fx.fabrikam],
      audiences: [fx.fabrikamApp.identifierUri],
      now: () => fx.clock.now(),
    });
    await expect(both.validate(fabrikam)).resolves.toMatchObject({
      tenantId: fx.fabrikam,
      objectId: fx.users.fabrikamUser,
    });
  });

  it('refuses an expired token once the clock passes expiry plus the allowed skew', async () => {
    const token = await ssoToken(fx.users.bob, { expiresInSeconds: 600 });
    fx.clock.advance(600 * 1000 + 30 * 1000);
    await expect(validator.validate(token)).resolves.toBeDefined();
    fx.clock.advance(31 * 1000);
    expect(await rejectionReason(token)).toBe('expired');
  });

  it('refuses unsigned (alg none), HMAC-signed and forged tokens', async () => {
    const claims = claimsOf(await ssoToken(fx.users.alice));
    expect(await rejectionReason(new UnsecuredJWT(claims).encode())).toBe('bad_signature');
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('k'.repeat(32)));
    expect(await rejectionReason(hmac)).toBe('bad_signature');
    const { privateKey } = await generateKeyPair('RS256');
    const sameKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: fx.entra.signingKeyId })
      .sign(privateKey);
    expect(await rejectionReason(sameKid)).toBe('bad_signature');
    const otherKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker' })
      .sign(privateKey);
    expect(await rejectionReason(otherKid)).toBe('bad_signature');
  });

  it('refuses garbage as malformed and a token from another authority as a bad issuer', async () => {
    expect(await rejectionReason('hello')).toBe('malformed');
    expect(await rejectionReason('a.b.c')).toBe('malformed');
    // Same keys, but the validator trusts a different host name for the authority.
    const viaLocalhost = createEntraJwtValidator({
      authorityHost: fx.entra.baseUrl.replace('127.0.0.1', 'localhost'),
      allowedTenantIds: [fx.contoso],
      audiences: [fx.switchboard.identifierUri],
      now: () => fx.clock.now(),
    });
    expect(await rejectionReason(await ssoToken(fx.users.alice), viaLocalhost)).toBe('bad_issuer');
  });

  it('reports unreachable signing keys apart from bad tokens', async () => {
    const offline = createEntraJwtValidator({
      authorityHost: 'http://127.0.0.1:9',
      allowedTenantIds: [fx.contoso],
      audiences: [fx.switchboard.identifierUri],
      now: () => fx.clock.now(),
    });
    expect(await rejectionReason(await ssoToken(fx.users.alice), offline)).toBe('keys_unavailable');
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { Authenticator } from '../../bot/auth/authenticator';
import {
  createEntraJwtValidator,
  type EntraJwtValidator,
  type EntraTokenRejection,
} from '../../shared/adapters/entra/jwt-validator';

/**
 * Tokens Entra would never issue but that carry a valid signature (a leaked signing key, a test tenant's tokens):
 * valid until 2100, issued a year ahead, or neither a user's (scp) nor an app's (idtyp app / roles). The tenant's
 * keys are served from 127.0.0.1 so the test can sign any claims.
 */
const TID = '11111111-2222-3333-4444-555555555555';
const AUD = 'api://switchboard.example/app';
const NOW = Date.parse('2026-11-23T09:00:00Z');
const now = Math.floor(NOW / 1000);

let server: Server;
let authority: string;
let privateKey: KeyLike;
let validator: EntraJwtValidator;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url === `/${TID}/discovery/v2.0/keys`) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  authority = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  validator = createEntraJwtValidator({
    authorityHost: authority,
    allowedTenantIds: [TID],
    audiences: [AUD],
    now: () => NOW,
  });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function sign(claims: JWTPayload): Promise<string> {
  return new SignJWT({
    iss: `${authority}/${TID}/v2.0`,
    aud: AUD,
    tid: TID,
    azp: 'caller-app',
    oid: 'object-1',
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
}

async function rejection(token: string): Promise<EntraTokenRejection | 'accepted'> {
  try {
    await validator.validate(token);
    return 'accepted';
  } catch (e) {
    return (e as { reason: EntraTokenRejection }).reason;
  }
}

describe('Entra token lifetime and kind', () => {
  it('accepts an ordinary user token and an ordinary app token', async () => {
    await expect(validator.validate(await sign({ scp: 'access_as_user' }))).resolves.toMatchObject({
      delegated: true,
      appOnly: false,
    });
    await expect(
      validator.validate(await sign({ roles: ['Presence.Read.External'] })),
    ).resolves.toMatchObject({
      delegated: false,
      appOnly: true,
    });
    // Continuous access evaluation tokens live up to 28 hours.
    expect(await rejection(await sign({ scp: 'access_as_user', exp: now - 60 + 28 * 3600 }))).toBe(
      'accepted',
    );
  });

  it('refuses a token that expires in 2100', async () => {
    const exp = Math.floor(Date.parse('2100-01-01T00:00:00Z') / 1000);
    expect(await rejection(await sign({ scp: 'access_as_user', exp }))).toBe('bad_lifetime');
    expect(await rejection(await sign({ roles: ['Presence.Read.External'], exp }))).toBe('bad_lifetime');
  });

  it('refuses a token issued a year ahead, and accepts one within the clock skew', async () => {
    const ahead = now + 365 * 24 * 3600;
    expect(await rejection(await sign({ scp: 'access_as_user', iat: ahead, exp: ahead + 3600 }))).toBe(
      'not_yet_valid',
    );
    expect(await rejection(await sign({ scp: 'access_as_user', iat: now + 120, exp: now + 3720 }))).toBe(
      'accepted',
    );
  });

  it('does not take a token without scp for an app token unless it is marked as one', async () => {
    const auth = new Authenticator({ validator });
    const bare = await sign({});
    await expect(validator.validate(bare)).resolves.toMatchObject({ delegated: false, appOnly: false });
    await expect(auth.app(`Bearer ${bare}`)).rejects.toMatchObject({
      status: 401,
      code: 'app_token_required',
    });
    await expect(auth.user(`Bearer ${bare}`)).rejects.toMatchObject({
      status: 401,
      code: 'user_token_required',
    });
    // idtyp app marks an app token even before it was given roles: then it lacks the role, a 403.
    await expect(auth.app(`Bearer ${await sign({ idtyp: 'app' })}`)).rejects.toMatchObject({
      status: 403,
      code: 'missing_role',
    });
    await expect(
      auth.app(`Bearer ${await sign({ roles: ['Presence.Read.External'] })}`),
    ).resolves.toMatchObject({ kind: 'app', tenantId: TID, appId: 'caller-app' });
  });
});

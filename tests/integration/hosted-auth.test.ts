import { generateKeyPair, SignJWT } from 'jose';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedHostedDemo, type HostedDemo } from '../../emulators/seed/hosted';
import {
  createEntraJwtValidator,
  type EntraJwtValidator,
  type EntraTokenRejection,
} from '../../shared/adapters/entra/jwt-validator';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { Authenticator } from '../../bot/auth/authenticator';
import { ApiHttpError } from '../../bot/http/errors';

/**
 * Hosted mode's token check: one multi-tenant app, any customer's genuine token is verified against its own tenant's
 * keys and issuer, and only the registry's active tenants get through; a genuine member of an organisation that is
 * not served is told so (with the sign-up address), a forgery is not.
 */
const ONBOARD_URL = 'https://switchboard.hosting.example/onboard';
let emulators: Emulators;
let hosted: HostedDemo;
let store: Store;
let validator: EntraJwtValidator;
const asked: string[] = [];

beforeAll(async () => {
  emulators = await startEmulators();
  hosted = seedHostedDemo(emulators, {
    publicBaseUrl: 'https://switchboard.hosting.example',
    consented: true,
    users: 3,
    callsPerUser: 0,
  });
  store = await openStore('sqlite::memory:');
  const registry = store.tenantRegistry();
  validator = createEntraJwtValidator({
    authorityHost: emulators.entra.baseUrl,
    isTenantServed: async (tid) => {
      asked.push(tid);
      return (await registry.get(tid))?.state === 'active';
    },
    audiences: [hosted.provider.clientId, hosted.provider.appIdUri],
  });
  // Northwind onboarded; Fabrikam consented at Entra (through the Teams admin centre, say) but never signed up here.
  await registry.onboard(hosted.companies[0]!.tenantId, 'Northwind', 1, 'admin-consent');
});
afterAll(async () => {
  await store.close();
  await emulators.close();
});

const sso = (company: number, opts: { audience?: string } = {}) =>
  emulators.entra.mintTeamsSsoToken({
    tenantId: hosted.companies[company]!.tenantId,
    userId: hosted.companies[company]!.users[1]!.entraId,
    clientId: hosted.provider.clientId,
    ...opts,
  });

async function reason(token: string): Promise<EntraTokenRejection> {
  try {
    await validator.validate(token);
  } catch (e) {
    return (e as { reason: EntraTokenRejection }).reason;
  }
  throw new Error('token was accepted');
}

describe('hosted mode token check', () => {
  it("accepts an active tenant's token, with the tenant taken from the verified token", async () => {
    const claims = await validator.validate(await sso(0));
    expect(claims.tenantId).toBe(hosted.companies[0]!.tenantId);
    expect(claims.objectId).toBe(hosted.companies[0]!.users[1]!.entraId);
  });

  it('tells a genuine member of an organisation that is not served, and the same after offboarding', async () => {
    expect(await reason(await sso(1))).toBe('tenant_not_onboarded');
    const registry = store.tenantRegistry();
    await registry.onboard(hosted.companies[1]!.tenantId, 'Fabrikam', 2, 'admin-consent');
    expect((await validator.validate(await sso(1))).tenantId).toBe(hosted.companies[1]!.tenantId);
    await registry.offboard(hosted.companies[1]!.tenantId, 3, 'operator:test');
    expect(await reason(await sso(1))).toBe('tenant_not_onboarded');
  });

  it('checks signature, issuer and audience before saying anything about the tenant', async () => {
    const fabrikam = hosted.companies[1]!.tenantId;
    asked.length = 0;
    // A token for another app of a served tenant.
    expect(await reason(await sso(0, { audience: 'api://someone-else' }))).toBe('bad_audience');
    // A forgery naming a tenant, signed with a key Entra never published.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ tid: fabrikam, scp: 'access_as_user', oid: 'x' })
      .setProtectedHeader({ alg: 'RS256', kid: emulators.entra.signingKeyId })
      .setIssuer(emulators.entra.issuer(fabrikam))
      .setAudience(hosted.provider.appIdUri)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await reason(forged)).toBe('bad_signature');
    // A tenant id that is no GUID is refused before any key is fetched for it.
    const odd = await new SignJWT({ tid: '../common', scp: 'access_as_user' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await reason(odd)).toBe('wrong_tenant');
    // The registry was not even asked about any of them.
    expect(asked).toEqual([]);
  });

  it('answers 403 tenant_not_onboarded with the sign-up address, naming no tenant', async () => {
    const authenticator = new Authenticator({ validator, onboardUrl: ONBOARD_URL });
    const token = await emulators.entra.mintTeamsSsoToken({
      tenantId: hosted.companies[1]!.tenantId,
      userId: hosted.companies[1]!.users[1]!.entraId,
      clientId: hosted.provider.clientId,
    });
    const error = await authenticator.user(`Bearer ${token}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiHttpError);
    const body = (error as ApiHttpError).toBody('req-1');
    expect((error as ApiHttpError).status).toBe(403);
    expect(body).toEqual({
      error: {
        code: 'tenant_not_onboarded',
        message: expect.stringContaining('has not set up Switchboard yet'),
        onboardUrl: ONBOARD_URL,
      },
      requestId: 'req-1',
    });
    expect(JSON.stringify(body)).not.toContain(hosted.companies[1]!.tenantId);
    expect(JSON.stringify(body)).not.toContain(hosted.companies[0]!.tenantId);
    const user = await authenticator.user(`Bearer ${await sso(0)}`);
    expect(user.tenantId).toBe(hosted.companies[0]!.tenantId);
  });
});

import { ManualClock } from '../../emulators/common/clock';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany } from '../../emulators/seed/demo';
import { seedHostedDemo, type HostedDemo } from '../../emulators/seed/hosted';
import { CloudLinkClient } from '../../shared/adapters/cloudlink/client';
import { browse, submit } from './multi-tenant-fixture';

/**
 * The hosted demo seed: a hosting partner's multi-tenant Switchboard and two customer companies, each with its own
 * tenant, staff, CloudLink account and monitor accounts, onboarding through admin consent. It lives beside the
 * single-company demo in the same emulators.
 */
const BASE = 'https://switchboard.hosting.example';
const CONSENTED_PAGE = `${BASE}/onboarding/consented`;

let emulators: Emulators;
let hosted: HostedDemo;
const clock = new ManualClock();
beforeAll(async () => {
  emulators = await startEmulators({ clock });
  await seedDemoCompany(emulators, {
    publicBaseUrl: 'https://switchboard.contoso.example',
    users: 6,
    callsPerUser: 2,
  });
  hosted = seedHostedDemo(emulators, {
    publicBaseUrl: BASE,
    redirectUris: [CONSENTED_PAGE],
    callsPerUser: 3,
  });
});
afterAll(() => emulators.close());

const appToken = async (tenantId: string) => {
  const res = await fetch(emulators.entra.tokenEndpoint(tenantId), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: hosted.provider.clientId,
      client_secret: hosted.provider.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('seedHostedDemo', () => {
  it('seeds two companies with their own tenants, people, numbers and CloudLink accounts', () => {
    const [a, b] = hosted.companies;
    expect(hosted.companies).toHaveLength(2);
    expect(a!.tenantId).not.toBe(b!.tenantId);
    expect(a!.domain).not.toBe(b!.domain);
    expect(a!.cloudlink.accountId).not.toBe(b!.cloudlink.accountId);
    const ids = (c: typeof a) => [...c!.users.map((u) => u.entraId), ...c!.monitors.map((m) => m.userId)];
    const principals = (c: typeof a) => c!.users.map((u) => u.principalId);
    // Ids are unique across the companies (Graph keeps presence by user id) and the single-company demo.
    const demoIds = [...emulators.directory.tenant('contoso.example')!.users.keys()];
    const all = [...ids(a), ...ids(b), ...demoIds];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set([...principals(a), ...principals(b)]).size).toBe(a!.users.length + b!.users.length);
    expect(a!.users.every((u) => u.userPrincipalName.endsWith(`@${a!.domain}`))).toBe(true);
    expect(b!.users.every((u) => u.userPrincipalName.endsWith(`@${b!.domain}`))).toBe(true);
    // Each company has a Global Administrator who can consent, and Switchboard admins for the hosted app.
    for (const c of hosted.companies) {
      const admin = emulators.directory.tenant(c.tenantId)!.users.get(c.globalAdminId)!;
      expect(admin.directoryRoles).toEqual(['Global Administrator']);
      expect(admin.appRoles[hosted.provider.clientId]).toEqual(['Switchboard.Admin']);
    }
    // The registration is multi-tenant, in the partner's tenant.
    const registration = emulators.directory.registration(hosted.provider.clientId)!;
    expect(registration.signInAudience).toBe('AzureADMultipleOrgs');
    expect(emulators.directory.tenantOfApp(hosted.provider.clientId)!.id).toBe(hosted.provider.tenantId);
  });

  it("each company's CloudLink client reads its own account only", async () => {
    const [a, b] = hosted.companies;
    const client = (c: typeof a) =>
      new CloudLinkClient({ ...c!.cloudlink, appId: 'switchboard-tests/1.0', now: () => clock.now() });
    const usersA = await client(a).listUsers();
    expect(usersA.map((u) => u.email).sort()).toEqual(a!.users.map((u) => u.mail).sort());
    const token = await fetch(`${a!.cloudlink.apiBase.replace('{service}', 'authentication')}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Mitel-App': 'tests' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: a!.cloudlink.clientId,
        client_secret: a!.cloudlink.clientSecret,
      }).toString(),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const cross = await fetch(
      `${b!.cloudlink.apiBase.replace('{service}', 'admin')}/accounts/${b!.cloudlink.accountId}/users`,
      { headers: { Authorization: `Bearer ${token}`, 'X-Mitel-App': 'tests' } },
    );
    expect(cross.status).toBe(403);
  });

  it('no company can use the hosted app until its admin consents; then only that one can', async () => {
    const [a, b] = hosted.companies;
    expect((await appToken(a!.tenantId)).body.error_codes).toEqual([700016]);
    expect((await appToken(b!.tenantId)).body.error_codes).toEqual([700016]);

    const url =
      `${emulators.entra.baseUrl}/${a!.tenantId}/v2.0/adminconsent?` +
      new URLSearchParams({
        client_id: hosted.provider.clientId,
        redirect_uri: CONSENTED_PAGE,
        scope: 'https://graph.microsoft.com/.default',
        state: 'onboard-northwind',
      }).toString();
    const picker = await browse(url);
    const consent = await submit(url, picker, { login: `${a!.tenantId}:${a!.globalAdminId}` });
    const back = await submit(url, consent, { decision: 'accept' });
    expect(back.status).toBe(302);
    expect(Object.fromEntries(new URL(back.location!).searchParams)).toMatchObject({
      admin_consent: 'True',
      tenant: a!.tenantId,
      state: 'onboard-northwind',
    });

    const token = await appToken(a!.tenantId);
    expect(token.status).toBe(200);
    expect((await appToken(b!.tenantId)).body.error_codes).toEqual([700016]);
    // The company's monitor accounts can sign in through the hosted app now.
    const monitor = await fetch(emulators.entra.tokenEndpoint(a!.tenantId), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: hosted.provider.clientId,
        client_secret: hosted.provider.clientSecret,
        username: a!.monitors[0]!.username,
        password: a!.monitors[0]!.password,
        scope: 'https://graph.microsoft.com/Presence.Read.All',
      }).toString(),
    });
    expect(monitor.status).toBe(200);
    // Graph shows the company its own staff only.
    const users = await fetch(`${emulators.graph.baseUrl}/v1.0/users?$top=999`, {
      headers: { Authorization: `Bearer ${String(token.body.access_token)}` },
    }).then(async (r) => ((await r.json()) as { value: { userPrincipalName: string }[] }).value);
    expect(users.length).toBe(a!.users.length + a!.monitors.length);
    expect(users.every((u) => u.userPrincipalName.endsWith(`@${a!.domain}`))).toBe(true);
  });

  it('can seed the companies already consented', async () => {
    const other = await startEmulators({ clock: new ManualClock() });
    try {
      const seeded = seedHostedDemo(other, {
        publicBaseUrl: BASE,
        consented: true,
        users: 4,
        callsPerUser: 1,
      });
      for (const c of seeded.companies) {
        const sp = other.directory.tenant(c.tenantId)!.servicePrincipals.get(seeded.provider.clientId);
        expect(sp).toMatchObject({
          // The hosted registration also reads each customer's name (GET /organization).
          grantedApplicationPermissions: [
            'Presence.ReadWrite.All',
            'User.Read.All',
            'GroupMember.Read.All',
            'Organization.Read.All',
          ],
          consentedDelegatedPermissions: ['Presence.Read.All', 'User.Read'],
          consentedBy: c.globalAdminId,
        });
      }
    } finally {
      await other.close();
    }
  });
});

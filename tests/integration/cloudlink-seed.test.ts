import { startEmulators, type Emulators } from '../../emulators/index';
import { ManualClock } from '../../emulators/common/clock';
import { DEMO_PRESENCE_READER, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { CloudLinkClient } from '../../shared/adapters/cloudlink/client';

let emulators: Emulators;
let demo: DemoCompany;
const clock = new ManualClock();
beforeAll(async () => {
  emulators = await startEmulators({ clock });
  demo = await seedDemoCompany(emulators, { publicBaseUrl: 'https://switchboard.contoso.example:8443' });
});
afterAll(() => emulators.close());

const tokenAt = (form: Record<string, string>) =>
  fetch(`${emulators.entra.baseUrl}/${demo.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

describe('seedDemoCompany', () => {
  it('registers the Switchboard app in the Contoso Demo tenant as the product expects', () => {
    const tenant = emulators.directory.tenant(demo.tenantId)!;
    expect(tenant.displayName).toBe('Contoso Demo');
    const app = tenant.apps.get(demo.clientId)!;
    expect(app.grantedApplicationPermissions.sort()).toEqual([
      'GroupMember.Read.All',
      'Presence.ReadWrite.All',
      'User.Read.All',
    ]);
    // What appPackage/aad.manifest.json asks for; User.Read is what the server's consent check asks on behalf of users.
    expect(app.consentedDelegatedPermissions).toEqual(['Presence.Read.All', 'User.Read']);
    expect(app.identifierUris).toEqual([`api://switchboard.contoso.example:8443/botid-${demo.clientId}`]);
    expect(demo.appIdUri).toBe(app.identifierUris[0]);
    expect(app.appRoles).toEqual(['Switchboard.Admin', 'Presence.Read.External']);
    // The tab's consent window returns to auth-end.html, as the manifest registers it.
    expect(app.redirectUris).toContain('https://switchboard.contoso.example:8443/tab/auth-end.html');
    // A caller app for the presence read API (docs/presence-api.md), holding the role and nothing else.
    const reader = tenant.apps.get(DEMO_PRESENCE_READER.clientId)!;
    expect(reader.displayName).toBe('Contoso Reception Console');
    expect(app.roleAssignmentsToApps).toEqual({ [reader.clientId]: ['Presence.Read.External'] });
    expect(reader.grantedApplicationPermissions).toEqual([]);
    const days = (demo.clientSecretExpiresAt - clock.now()) / 86_400_000;
    expect(days).toBe(20);
    expect(app.secrets[0]).toMatchObject({ value: demo.clientSecret, expiresAt: demo.clientSecretExpiresAt });
  });

  it('creates a few dozen staff with admins, one MFA user and two monitor accounts that can sign in', async () => {
    expect(demo.users.length).toBeGreaterThanOrEqual(24);
    const tenant = emulators.directory.tenant(demo.tenantId)!;
    const admins = [...tenant.users.values()].filter((u) =>
      u.appRoles[demo.clientId]?.includes('Switchboard.Admin'),
    );
    expect(admins.map((u) => u.id).sort()).toEqual([...demo.adminUserIds].sort());
    expect(admins.length).toBeGreaterThanOrEqual(1);
    expect(admins.length).toBeLessThanOrEqual(2);
    expect([...tenant.users.values()].filter((u) => u.mfaRequired)).toHaveLength(1);
    expect(demo.users.every((u) => /^[a-z]+\.[a-z]+@contoso\.example$/.test(u.userPrincipalName))).toBe(true);

    expect(demo.monitors).toHaveLength(2);
    for (const m of demo.monitors) {
      const r = await tokenAt({
        grant_type: 'password',
        client_id: demo.clientId,
        client_secret: demo.clientSecret,
        username: m.username,
        password: m.password,
        scope: 'https://graph.microsoft.com/Presence.Read.All',
      });
      expect(r.status).toBe(200);
    }
    const app = await tokenAt({
      grant_type: 'client_credentials',
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(app.status).toBe(200);
  });

  it('puts the same people in CloudLink, matched by mail, with extensions and a month of mixed history', async () => {
    const cl = new CloudLinkClient({ ...demo.cloudlink, appId: 'switchboard-tests', now: () => clock.now() });
    const pbxUsers = await cl.listUsers();
    expect(pbxUsers).toHaveLength(demo.users.length);
    const tenant = emulators.directory.tenant(demo.tenantId)!;
    for (const u of demo.users) {
      const entra = tenant.users.get(u.entraId)!;
      const pbx = pbxUsers.find((p) => p.principalId === u.principalId)!;
      expect(pbx.email).toBe(entra.mail);
      expect(pbx.extension).toBe(u.extension);
    }
    expect(new Set(pbxUsers.map((p) => p.extension)).size).toBe(pbxUsers.length);

    const history = await cl.listCallRecords({ principalId: demo.users[3]!.principalId, top: 100 });
    const rows = history.records;
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.some((r) => r.direction === 'outbound')).toBe(true);
    expect(rows.some((r) => r.direction === 'inbound' && r.completed)).toBe(true);
    expect(rows.some((r) => r.direction === 'inbound' && !r.completed)).toBe(true);
    const oldest = Math.min(...rows.map((r) => Date.parse(r.createdOn)));
    expect(clock.now() - oldest).toBeGreaterThan(14 * 86_400_000);
    expect(clock.now() - oldest).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it('keeps its ids across restarts', async () => {
    const again = await startEmulators({ clock });
    try {
      const second = await seedDemoCompany(again, {
        publicBaseUrl: 'https://switchboard.contoso.example:8443',
        users: 5,
      });
      expect(second.tenantId).toBe(demo.tenantId);
      expect(second.clientId).toBe(demo.clientId);
      expect(second.users.map((u) => [u.entraId, u.principalId])).toEqual(
        demo.users.slice(0, 5).map((u) => [u.entraId, u.principalId]),
      );
      expect(second.clientSecret).not.toBe(demo.clientSecret);
    } finally {
      await again.close();
    }
  });
});

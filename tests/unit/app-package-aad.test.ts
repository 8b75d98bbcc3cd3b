import fs from 'node:fs';
import path from 'node:path';

// The Entra app registration Teams admins consent to: it must ask for exactly the Graph permissions the admin
// guide justifies, expose the SSO scope Teams needs, and carry the roles the API checks.

const APP_PACKAGE = path.resolve(__dirname, '../../appPackage');
const aad = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE, 'aad.manifest.json'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE, 'manifest.json'), 'utf8'));
const guide = fs.readFileSync(path.resolve(__dirname, '../../docs/admin-guide.md'), 'utf8');

const TEAMS_DESKTOP_AND_MOBILE = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
const TEAMS_WEB = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

/** The whole list of Graph permissions Switchboard may request; each is justified in docs/admin-guide.md. */
const ALLOWED = [
  'Role:Presence.ReadWrite.All',
  'Role:User.Read.All',
  'Role:GroupMember.Read.All',
  'Scope:Presence.Read.All',
  'Scope:User.Read',
  'Scope:offline_access',
];

describe('aad.manifest.json', () => {
  const requested = (
    aad.requiredResourceAccess as { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[]
  ).flatMap((r) =>
    r.resourceAccess.map((a) => ({ resource: r.resourceAppId, permission: `${a.type}:${a.id}` })),
  );

  it('asks Microsoft Graph, and only Graph, for no more than the listed permissions', () => {
    expect(new Set(requested.map((r) => r.resource))).toEqual(new Set(['Microsoft Graph']));
    expect(requested.map((r) => r.permission).filter((p) => !ALLOWED.includes(p))).toEqual([]);
    expect(requested.map((r) => r.permission).sort()).toEqual([...ALLOWED].sort());
  });

  it('gives the reason for every permission it asks for in the admin guide', () => {
    for (const permission of ALLOWED) {
      const [type, name] = permission.split(':') as [string, string];
      const kind = type === 'Role' ? 'application' : 'delegated';
      expect(guide).toMatch(
        new RegExp(`\\|\\s*\`${name.replace(/\./g, '\\.')}\`\\s*\\|\\s*${kind}\\s*\\|[^|\\n]{20,}\\|`),
      );
    }
  });

  it("exposes access_as_user under the same identifier URI the Teams manifest's webApplicationInfo names", () => {
    expect(aad.identifierUris).toEqual([manifest.webApplicationInfo.resource]);
    expect(aad.appId).toBe(manifest.webApplicationInfo.id);
    expect(aad.api.requestedAccessTokenVersion).toBe(2);
    const scopes = aad.api.oauth2PermissionScopes;
    expect(scopes.map((s: { value: string }) => s.value)).toEqual(['access_as_user']);
    expect(scopes[0]).toMatchObject({ type: 'User', isEnabled: true });
  });

  it('pre-authorizes the Teams desktop, mobile and web clients for access_as_user', () => {
    const scopeId = aad.api.oauth2PermissionScopes[0].id;
    const pre = aad.api.preAuthorizedApplications as { appId: string; delegatedPermissionIds: string[] }[];
    expect(pre.map((p) => p.appId).sort()).toEqual([TEAMS_DESKTOP_AND_MOBILE, TEAMS_WEB].sort());
    for (const client of pre) expect(client.delegatedPermissionIds).toEqual([scopeId]);
  });

  it('defines the admin role for users and the read-API role for applications, with distinct ids', () => {
    const roles = aad.appRoles as {
      id: string;
      value: string;
      allowedMemberTypes: string[];
      isEnabled: boolean;
    }[];
    expect(roles.map((r) => [r.value, r.allowedMemberTypes])).toEqual([
      ['Switchboard.Admin', ['User']],
      ['Presence.Read.External', ['Application']],
    ]);
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
    for (const role of roles)
      expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('is single-tenant, issues no tokens through the implicit flow, and redirects only to known pages', () => {
    expect(aad.signInAudience).toBe('AzureADMyOrg');
    expect(aad.web.implicitGrantSettings).toEqual({
      enableIdTokenIssuance: false,
      enableAccessTokenIssuance: false,
    });
    expect(aad.web.redirectUris).toEqual(['${{TAB_ENDPOINT}}/tab/auth-end.html']);
  });
});

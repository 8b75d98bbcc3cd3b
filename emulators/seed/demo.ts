import { randomBytes, randomUUID } from 'node:crypto';
import type { Emulators } from '../index';
import { DEMO_PEOPLE, mailNick, stableGuid } from './people';

/**
 * The demo company, "Contoso Demo", on both sides: an Entra tenant with the Switchboard app registration, staff,
 * two presence monitor accounts, and the same staff as CloudLink users (same mail, an extension each) with a month
 * of call history. Ids are fixed so a demo survives restarts; secrets are fresh on every start.
 */

export const DEMO_TENANT_ID = '6f1c2a4e-3b5d-4c8e-9a7f-0d2e4b6c8a10';
export const DEMO_CLIENT_ID = 'b7e3f1a2-5c4d-4e6f-8a9b-1c2d3e4f5a6b';
export const DEMO_DOMAIN = 'contoso.example';
export const DEMO_CLOUDLINK_ACCOUNT_ID = '858000042';
export const DEMO_CLOUDLINK_CLIENT_ID = '3c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f';
export const ADMIN_ROLE = 'Switchboard.Admin';
/** The app role another system needs to read presence through GET /api/presence (docs/presence-api.md). */
export const PRESENCE_READ_ROLE = 'Presence.Read.External';
/**
 * A reception console, registered in the demo tenant and assigned the presence-read role, so an integrator can try
 * the presence read API against the demo. Its secret is fixed and published in docs/presence-api.md: it opens
 * nothing but this offline demo's emulated tenant.
 */
export const DEMO_PRESENCE_READER = {
  clientId: 'e4d3c2b1-7a6f-4e5d-8c9b-2a1f0e9d8c7b',
  displayName: 'Contoso Reception Console',
  clientSecret: 'demo-reception-console-secret',
};
/** The secret expires in 20 days, inside the product's expiry warning window, so the warning shows in a demo. */
export const DEMO_SECRET_LIFETIME_MS = 20 * 86_400_000;
/** Teams desktop/mobile and Teams web: the clients pre-authorized for Teams SSO. */
export const TEAMS_CLIENT_IDS = [
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
];

export interface DemoUser {
  entraId: string;
  principalId: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
  extension: string;
  isAdmin: boolean;
  mfaRequired: boolean;
}

export interface DemoMonitor {
  userId: string;
  username: string;
  password: string;
}

/** A company as the emulators know it: its Entra tenant and staff, its CloudLink account and monitor accounts. */
export interface SeededCompany {
  tenantId: string;
  tenantName: string;
  domain: string;
  monitors: DemoMonitor[];
  cloudlink: { apiBase: string; accountId: string; clientId: string; clientSecret: string };
  users: DemoUser[];
  adminUserIds: string[];
  /** The staff member who is the tenant's Global Administrator (can grant admin consent). */
  globalAdminId: string;
}

export interface DemoCompany extends SeededCompany {
  /** The Switchboard app registration (also the bot id). */
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: number;
  botId: string;
  appIdUri: string;
}

export interface DemoOptions {
  /** Where the product is reached (its host goes into the app's identifier URI). */
  publicBaseUrl: string;
  /** How many staff (default 36, at most the name list). */
  users?: number;
  /** Call records per user (default 40). */
  callsPerUser?: number;
  /** More addresses of the tab's auth-end page, e.g. through the Teams-like host (it proxies the tab). */
  redirectUris?: string[];
}

/** Who a company is: the fixed ids that let a demo survive restarts, and where its staff come from. */
export interface CompanySpec {
  tenantId: string;
  tenantName: string;
  domain: string;
  cloudlinkAccountId: string;
  cloudlinkClientId: string;
  /** Prefix of the seeds of its stable ids, so two companies never share a user id ('' for Contoso Demo). */
  idSeed: string;
  /** Where its staff start in the name list (a second company has other people). */
  peopleOffset: number;
  /** Business phone prefix, before the extension, e.g. '+49 30 5550 '. */
  phonePrefix: string;
}

export const CONTOSO_DEMO: CompanySpec = {
  tenantId: DEMO_TENANT_ID,
  tenantName: 'Contoso Demo',
  domain: DEMO_DOMAIN,
  cloudlinkAccountId: DEMO_CLOUDLINK_ACCOUNT_ID,
  cloudlinkClientId: DEMO_CLOUDLINK_CLIENT_ID,
  idSeed: '',
  peopleOffset: 0,
  phonePrefix: '+49 30 5550 ',
};

export async function seedDemoCompany(emulators: Emulators, opts: DemoOptions): Promise<DemoCompany> {
  const { directory, clock } = emulators;
  const host = new URL(opts.publicBaseUrl).host;
  const appIdUri = `api://${host}/botid-${DEMO_CLIENT_ID}`;
  const clientSecret = randomBytes(30).toString('base64url');
  const clientSecretExpiresAt = clock.now() + DEMO_SECRET_LIFETIME_MS;

  directory.addTenant({ id: DEMO_TENANT_ID, displayName: 'Contoso Demo', domain: DEMO_DOMAIN });
  directory.addApp(DEMO_TENANT_ID, {
    clientId: DEMO_CLIENT_ID,
    displayName: 'Switchboard',
    secrets: [{ id: randomUUID(), value: clientSecret, expiresAt: clientSecretExpiresAt }],
    grantedApplicationPermissions: [...SWITCHBOARD_PERMISSIONS.application],
    // What the app's manifest (appPackage/aad.manifest.json) asks for and an admin consented to for everyone.
    consentedDelegatedPermissions: [...SWITCHBOARD_PERMISSIONS.delegated],
    redirectUris: [`${opts.publicBaseUrl}/tab/auth-end.html`, ...(opts.redirectUris ?? [])],
    identifierUris: [appIdUri],
    preAuthorizedClientIds: TEAMS_CLIENT_IDS,
    appRoles: [ADMIN_ROLE, PRESENCE_READ_ROLE],
    roleAssignmentsToApps: { [DEMO_PRESENCE_READER.clientId]: [PRESENCE_READ_ROLE] },
  });
  directory.addApp(DEMO_TENANT_ID, {
    clientId: DEMO_PRESENCE_READER.clientId,
    displayName: DEMO_PRESENCE_READER.displayName,
    secrets: [
      {
        id: randomUUID(),
        value: DEMO_PRESENCE_READER.clientSecret,
        expiresAt: clock.now() + 365 * 86_400_000,
      },
    ],
  });
  const staff = seedStaff(emulators, CONTOSO_DEMO, DEMO_CLIENT_ID, opts);
  return {
    ...staff,
    clientId: DEMO_CLIENT_ID,
    clientSecret,
    clientSecretExpiresAt,
    botId: DEMO_CLIENT_ID,
    appIdUri,
  };
}

/** The Graph permissions the Switchboard registration lists (appPackage/aad.manifest.json). */
export const SWITCHBOARD_PERMISSIONS = {
  // GroupMember.Read.All: the admin chooses the synced group by searching groups by name, and reads its members.
  application: ['Presence.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All'],
  delegated: ['Presence.Read.All', 'User.Read'],
} as const;

/**
 * A company's people on both sides, in a tenant that already exists: staff in Entra (the first two Switchboard
 * admins for `clientId`, the first also the tenant's Global Administrator, one under an MFA policy) and as CloudLink
 * users of the company's own account (same mail, an extension each) with call history, plus two monitor accounts.
 */
export function seedStaff(
  emulators: Emulators,
  spec: CompanySpec,
  clientId: string,
  opts: { users?: number; callsPerUser?: number },
): SeededCompany {
  const { directory, cloudlink } = emulators;
  const count = Math.min(opts.users ?? 36, DEMO_PEOPLE.length);
  const account = cloudlink.pbx.addAccount({ accountId: spec.cloudlinkAccountId, name: spec.tenantName });
  const clClient = cloudlink.control.addClient({
    accountId: account.accountId,
    clientId: spec.cloudlinkClientId,
    name: 'Switchboard',
  });
  const people = Array.from(
    { length: count },
    (_, i) => DEMO_PEOPLE[(spec.peopleOffset + i) % DEMO_PEOPLE.length] as [string, string],
  );
  const users: DemoUser[] = people.map(([given, family], i) => {
    const nick = mailNick(given, family);
    const upn = `${nick}@${spec.domain}`;
    const extension = String(2001 + i);
    const isAdmin = i < 2;
    // One user under an MFA policy, for the AADSTS50076 path of the configuration check.
    const mfaRequired = i === 5;
    const entra = directory.addUser(spec.tenantId, {
      id: stableGuid(`${spec.idSeed}entra:${nick}`),
      userPrincipalName: upn,
      displayName: `${given} ${family}`,
      businessPhones: [`${spec.phonePrefix}${extension}`],
      mfaRequired,
      password: mfaRequired ? randomBytes(12).toString('base64url') : undefined,
      appRoles: isAdmin ? { [clientId]: [ADMIN_ROLE] } : {},
      directoryRoles: i === 0 ? ['Global Administrator'] : [],
    });
    const pbxUser = cloudlink.pbx.addUser(account.accountId, {
      principalId: stableGuid(`${spec.idSeed}cloudlink:${nick}`),
      name: `${given} ${family}`,
      email: upn,
      extension,
    });
    return {
      entraId: entra.id,
      principalId: pbxUser.principalId,
      displayName: entra.displayName,
      userPrincipalName: upn,
      mail: upn,
      extension,
      isAdmin,
      mfaRequired,
    };
  });
  for (const u of users) cloudlink.pbx.generateHistory(u.principalId, opts.callsPerUser ?? 40, { days: 30 });
  // Groups to choose from when syncing only a group's members (the admin's user selection searches them by name).
  const group = (name: string, description: string, members: DemoUser[]) => {
    const g = directory.addGroup(spec.tenantId, {
      id: stableGuid(`${spec.idSeed}group:${name}`),
      displayName: name,
      description,
    });
    for (const m of members) directory.tenants.get(spec.tenantId)!.users.get(m.entraId)!.groups.push(g.id);
  };
  group('Switchboard Pilot', 'Users trying Switchboard first', users.slice(0, Math.ceil(users.length / 3)));
  group(
    'Sales Berlin',
    'Field and inside sales',
    users.filter((_u, i) => i % 3 === 1),
  );
  group(
    'Service Desk',
    'IT support',
    users.filter((_u, i) => i % 3 === 2),
  );

  const monitors: DemoMonitor[] = [1, 2].map((n) => {
    const username = `svc-presence-monitor-${n}@${spec.domain}`;
    const password = randomBytes(18).toString('base64url');
    const user = directory.addUser(spec.tenantId, {
      id: stableGuid(`${spec.idSeed}monitor:${n}`),
      userPrincipalName: username,
      displayName: `Presence Monitor ${n}`,
      password,
    });
    return { userId: user.id, username, password };
  });

  return {
    tenantId: spec.tenantId,
    tenantName: spec.tenantName,
    domain: spec.domain,
    monitors,
    cloudlink: {
      apiBase: cloudlink.apiBase,
      accountId: account.accountId,
      clientId: clClient.clientId,
      clientSecret: clClient.clientSecret,
    },
    users,
    adminUserIds: users.filter((u) => u.isAdmin).map((u) => u.entraId),
    globalAdminId: users[0]?.entraId ?? '',
  };
}

/**
 * What a Switchboard server needs to reach the demo company through the emulators: the tenant link, service base
 * URLs and the monitor accounts. Plain data (emulators import nothing of the product); the composition root and the
 * tests spread it into the server's environment and add their own bot auth, key and folders.
 */
export function demoTenantLink(company: DemoCompany, emulators: Emulators, cloudlinkAppId: string) {
  return {
    tenantId: company.tenantId,
    tenantName: company.tenantName,
    clientId: company.clientId,
    clientSecret: company.clientSecret,
    clientSecretExpiresAt: company.clientSecretExpiresAt,
    appIdUri: company.appIdUri,
    authorityHost: emulators.entra.baseUrl,
    graphBaseUrl: emulators.graph.baseUrl,
    cloudlink: { ...company.cloudlink, appId: cloudlinkAppId },
    initialMonitors: company.monitors.map((m) => ({ username: m.username, password: m.password })),
    // The emulated company is created anew with fresh secrets on every start: its link replaces the stored one.
    linkPolicy: 'replace' as const,
    // A Berlin company whose PBX takes a 0 for an outside line: "030 1234567" typed in the tab dials +49 30 1234567.
    initialSettings: { dialRules: { country: 'DE', outsidePrefix: '0', dialWithPrefix: false } },
  };
}

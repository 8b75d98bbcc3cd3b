import { randomBytes, randomUUID } from 'node:crypto';
import type { Emulators } from '../index';
import {
  ADMIN_ROLE,
  PRESENCE_READ_ROLE,
  SWITCHBOARD_PERMISSIONS,
  TEAMS_CLIENT_IDS,
  seedStaff,
  type CompanySpec,
  type SeededCompany,
} from './demo';

/**
 * The hosted world (issue 16): a partner runs one Switchboard for many customers. The partner's own tenant holds
 * the Switchboard registration with "accounts in any organisational directory" sign-in; each customer is a company
 * of its own (tenant, staff, CloudLink account, monitor accounts) that reaches Switchboard through admin consent.
 * Ids are fixed so a hosted demo survives restarts; secrets are fresh on every start.
 */

export const HOSTING_PARTNER = {
  tenantId: '0d5f3c2a-8b7e-4a69-9c1d-2e3f4a5b6c70',
  tenantName: 'Switchboard Hosting',
  domain: 'hosting.example',
  clientId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  /** A member of the partner's staff holding the operator role, and one without it. */
  operatorId: '0d5f3c2a-0000-4000-8000-00000000a001',
  staffId: '0d5f3c2a-0000-4000-8000-00000000a002',
} as const;

/** The app role of the hosting provider's operators (bot/auth/caller.ts OPERATOR_ROLE). */
export const OPERATOR_ROLE = 'Switchboard.Operator';

/**
 * What the hosted registration asks of every customer: Switchboard's permissions plus Organization.Read.All (the
 * least privileged application permission for GET /organization), so the server can read each customer's name.
 */
export const HOSTED_PERMISSIONS = {
  application: [...SWITCHBOARD_PERMISSIONS.application, 'Organization.Read.All'],
  delegated: [...SWITCHBOARD_PERMISSIONS.delegated],
} as const;

/** Two customers with different people, numbers and CloudLink accounts. */
export const HOSTED_COMPANIES: readonly CompanySpec[] = [
  {
    tenantId: '3e1a5c7d-9b2f-4d6e-8a1c-5f7b9d3e1a20',
    tenantName: 'Northwind Traders',
    domain: 'northwind.example',
    cloudlinkAccountId: '858000101',
    cloudlinkClientId: '7d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b21',
    idSeed: 'northwind:',
    peopleOffset: 0,
    phonePrefix: '+49 40 5550 ',
  },
  {
    tenantId: '8c2e4a6f-1d3b-4f5a-9e7c-2b4d6f8a0c30',
    tenantName: 'Fabrikam',
    domain: 'fabrikam.example',
    cloudlinkAccountId: '858000102',
    cloudlinkClientId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d31',
    idSeed: 'fabrikam:',
    peopleOffset: 24,
    phonePrefix: '+49 89 5550 ',
  },
];

export interface HostedProvider {
  tenantId: string;
  tenantName: string;
  /** The multi-tenant Switchboard registration (also the bot id). */
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: number;
  appIdUri: string;
  redirectUris: string[];
  /** The partner's operator (Switchboard.Operator) and a partner user without the role. */
  operatorId: string;
  staffId: string;
}

export interface HostedDemo {
  provider: HostedProvider;
  companies: SeededCompany[];
}

export interface HostedDemoOptions {
  /** Where the hosted product is reached (its host goes into the app's identifier URI). */
  publicBaseUrl: string;
  /**
   * Addresses the registration accepts redirects to besides the tab's auth-end page: the product's admin-consent
   * return page goes here (the emulator's admin consent redirects to registered addresses only).
   */
  redirectUris?: string[];
  /** Whether each customer's admin has consented already (default false: onboarding is still to do). */
  consented?: boolean;
  /** Staff per company (default 24) and call records per user (default 20). */
  users?: number;
  callsPerUser?: number;
}

export function seedHostedDemo(emulators: Emulators, opts: HostedDemoOptions): HostedDemo {
  const provider = seedHostingPartner(emulators, opts);
  const companies = HOSTED_COMPANIES.map((spec) =>
    seedHostedCompany(emulators, spec, provider, {
      consented: opts.consented ?? false,
      users: opts.users ?? 24,
      callsPerUser: opts.callsPerUser ?? 20,
    }),
  );
  return { provider, companies };
}

/** The partner's tenant and the multi-tenant Switchboard registration in it. */
export function seedHostingPartner(
  emulators: Emulators,
  opts: Pick<HostedDemoOptions, 'publicBaseUrl' | 'redirectUris'>,
): HostedProvider {
  const { directory, clock } = emulators;
  const appIdUri = `api://${new URL(opts.publicBaseUrl).host}/botid-${HOSTING_PARTNER.clientId}`;
  const clientSecret = randomBytes(30).toString('base64url');
  const clientSecretExpiresAt = clock.now() + 365 * 86_400_000;
  const redirectUris = [`${opts.publicBaseUrl}/tab/auth-end.html`, ...(opts.redirectUris ?? [])];
  directory.addTenant({
    id: HOSTING_PARTNER.tenantId,
    displayName: HOSTING_PARTNER.tenantName,
    domain: HOSTING_PARTNER.domain,
  });
  directory.addApp(HOSTING_PARTNER.tenantId, {
    clientId: HOSTING_PARTNER.clientId,
    displayName: 'Switchboard',
    signInAudience: 'AzureADMultipleOrgs',
    secrets: [{ id: randomUUID(), value: clientSecret, expiresAt: clientSecretExpiresAt }],
    requiredGraphPermissions: {
      application: [...HOSTED_PERMISSIONS.application],
      delegated: [...HOSTED_PERMISSIONS.delegated],
    },
    redirectUris,
    identifierUris: [appIdUri],
    preAuthorizedClientIds: TEAMS_CLIENT_IDS,
    appRoles: [ADMIN_ROLE, PRESENCE_READ_ROLE, OPERATOR_ROLE],
  });
  directory.addUser(HOSTING_PARTNER.tenantId, {
    id: HOSTING_PARTNER.operatorId,
    userPrincipalName: `olivia.operator@${HOSTING_PARTNER.domain}`,
    displayName: 'Olivia Operator',
    appRoles: { [HOSTING_PARTNER.clientId]: [OPERATOR_ROLE] },
  });
  directory.addUser(HOSTING_PARTNER.tenantId, {
    id: HOSTING_PARTNER.staffId,
    userPrincipalName: `sam.sales@${HOSTING_PARTNER.domain}`,
    displayName: 'Sam Sales',
  });
  return {
    tenantId: HOSTING_PARTNER.tenantId,
    tenantName: HOSTING_PARTNER.tenantName,
    clientId: HOSTING_PARTNER.clientId,
    clientSecret,
    clientSecretExpiresAt,
    appIdUri,
    redirectUris,
    operatorId: HOSTING_PARTNER.operatorId,
    staffId: HOSTING_PARTNER.staffId,
  };
}

/**
 * One customer company (the tenant factory): its tenant, staff and CloudLink account. With `consented`, its Global
 * Administrator has granted the hosted app what it lists, as the admin consent page would.
 */
export function seedHostedCompany(
  emulators: Emulators,
  spec: CompanySpec,
  provider: HostedProvider,
  opts: { consented: boolean; users?: number; callsPerUser?: number },
): SeededCompany {
  const { directory, clock } = emulators;
  directory.addTenant({ id: spec.tenantId, displayName: spec.tenantName, domain: spec.domain });
  const company = seedStaff(emulators, spec, provider.clientId, opts);
  if (opts.consented) {
    directory.grantAdminConsent(spec.tenantId, provider.clientId, {
      application: [...HOSTED_PERMISSIONS.application],
      delegated: [...HOSTED_PERMISSIONS.delegated],
      by: company.globalAdminId,
      at: clock.now(),
    });
  }
  return company;
}

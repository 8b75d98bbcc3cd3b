/**
 * The hosted bench's world, seeded inside the emulator process (bench/emulator-process.ts with `--tenants=N`): a
 * hosting partner's multi-tenant app registration and N customer tenants that consented to it, each with its own
 * staff, one presence monitor account and a CloudLink account of its own whose users carry the staff's e-mail
 * addresses (so the product matches them as it would in the field).
 */
import type { Directory } from '../emulators/common/directory';
import type { Emulators } from '../emulators/index';
import { HOSTED_PERMISSIONS } from '../emulators/seed/hosted';

export const HOSTED_BENCH_SECRET = 'hosted-bench-secret';
export const HOSTED_MONITOR_PASSWORD = 'Monitor-pw1';

/** What the bench needs to know of one customer tenant. */
export interface HostedBenchTenant {
  tenantId: string;
  accountId: string;
  cloudlinkClientId: string;
  cloudlinkClientSecret: string;
  monitorUsername: string;
  /** Entra user ids; pbxIds[i] is people[i]'s PBX principal. */
  people: string[];
  pbxIds: string[];
}

export interface HostedEmulatorWorld {
  pid: number;
  entraBaseUrl: string;
  graphBaseUrl: string;
  cloudlinkBaseUrl: string;
  cloudlinkApiBase: string;
  partnerTenantId: string;
  /** The partner's multi-tenant app registration (also the bot id). */
  clientId: string;
  tenants: HostedBenchTenant[];
}

/** What the hosted registration asks of every customer (emulators/seed/hosted.ts: the organisation's name too). */
const PERMISSIONS = {
  application: [...HOSTED_PERMISSIONS.application],
  delegated: [...HOSTED_PERMISSIONS.delegated],
};

function seedPartner(directory: Directory): { tenantId: string; clientId: string } {
  const partner = directory.addTenant({ displayName: 'Bench Hosting', domain: 'hosting.bench.example' });
  const app = directory.addApp(partner.id, {
    displayName: 'Switchboard',
    signInAudience: 'AzureADMultipleOrgs',
    secrets: [{ id: 's1', value: HOSTED_BENCH_SECRET, expiresAt: Date.now() + 365 * 86_400_000 }],
    requiredGraphPermissions: PERMISSIONS,
  });
  return { tenantId: partner.id, clientId: app.clientId };
}

function seedCustomer(
  emulators: Emulators,
  clientId: string,
  index: number,
  users: number,
): HostedBenchTenant {
  const { directory } = emulators;
  const domain = `c${index}.bench.example`;
  const tenant = directory.addTenant({ displayName: `Customer ${index}`, domain });
  const staff = Array.from({ length: users }, (_, i) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `u${i}@${domain}`,
      displayName: `U${i}`,
      mail: `u${i}@${domain}`,
    }),
  );
  const monitor = directory.addUser(tenant.id, {
    userPrincipalName: `monitor@${domain}`,
    displayName: 'Presence monitor',
    password: HOSTED_MONITOR_PASSWORD,
  });
  directory.grantAdminConsent(tenant.id, clientId, { ...PERMISSIONS, by: monitor.id, at: Date.now() });
  const pbx = emulators.cloudlink.pbx;
  const accountId = pbx.addAccount({ name: `Customer ${index}` }).accountId;
  const client = emulators.cloudlink.control.addClient({ accountId });
  const pbxIds = staff.map(
    (p, i) =>
      pbx.addUser(accountId, { name: p.displayName, email: p.mail, extension: String(10000 + i) })
        .principalId,
  );
  return {
    tenantId: tenant.id,
    accountId,
    cloudlinkClientId: client.clientId,
    cloudlinkClientSecret: client.clientSecret,
    monitorUsername: monitor.userPrincipalName,
    people: staff.map((p) => p.id),
    pbxIds,
  };
}

/** Seeds the partner and `tenants` customers of `users` staff each; answers the world the bench process gets. */
export function seedHostedBench(
  emulators: Emulators,
  tenants: number,
  users: number,
): Omit<HostedEmulatorWorld, 'pid'> {
  const partner = seedPartner(emulators.directory);
  return {
    entraBaseUrl: emulators.entra.baseUrl,
    graphBaseUrl: emulators.graph.baseUrl,
    cloudlinkBaseUrl: emulators.cloudlink.baseUrl,
    cloudlinkApiBase: emulators.cloudlink.apiBase,
    partnerTenantId: partner.tenantId,
    clientId: partner.clientId,
    tenants: Array.from({ length: tenants }, (_, k) =>
      seedCustomer(emulators, partner.clientId, k + 1, users),
    ),
  };
}

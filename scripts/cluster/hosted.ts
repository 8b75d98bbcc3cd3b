/**
 * The hosted side of the local cluster (issue 16 with issue 12): a hosting partner's multi-tenant Switchboard and N
 * customer tenants in the emulators (the hosted demo's tenant factory, emulators/seed/hosted.ts), each onboarded in
 * the store with its CloudLink account linked and its presence monitors registered, as its admin would have done on
 * the admin pages; and the environment of a TENANCY=hosted server process.
 */
import { randomBytes } from 'node:crypto';
import { seedTenantLink } from '../../bot/services/tenant-link';
import type { Emulators } from '../../emulators/index';
import type { SeededCompany } from '../../emulators/seed/demo';
import { seedHostedCompany, seedHostingPartner, type HostedProvider } from '../../emulators/seed/hosted';
import { stableGuid } from '../../emulators/seed/people';
import { createLogger } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';
import { newMonitorRecord } from '../../shared/ports/store';

export interface HostedCustomers {
  provider: HostedProvider;
  /** The customer tenants, Customer 1 ... Customer N. */
  companies: SeededCompany[];
}

/** Seeds the partner and `tenants` consented customers of `users` staff each into the emulators. */
export function seedHostedCustomers(
  emulators: Emulators,
  publicBaseUrl: string,
  options: { tenants: number; users: number; callsPerUser: number },
): HostedCustomers {
  const provider = seedHostingPartner(emulators, { publicBaseUrl });
  const companies = Array.from({ length: options.tenants }, (_, k) =>
    seedHostedCompany(
      emulators,
      {
        tenantId: stableGuid(`cluster-customer-${k + 1}:tenant`),
        tenantName: `Customer ${k + 1}`,
        domain: `customer${k + 1}.example`,
        cloudlinkAccountId: String(859_000_001 + k),
        cloudlinkClientId: stableGuid(`cluster-customer-${k + 1}:cloudlink-client`),
        idSeed: `cluster-customer-${k + 1}:`,
        // Different people in neighbouring companies, so a log line's name points at one tenant.
        peopleOffset: k * options.users,
        phonePrefix: `+49 30 57${String(k).padStart(2, '0')} `,
      },
      provider,
      { consented: true, users: options.users, callsPerUser: options.callsPerUser },
    ),
  );
  return { provider, companies };
}

/** Onboards every customer in the store with its CloudLink link and monitors, before any process starts. */
export async function seedHostedStore(
  storeUrl: string,
  customers: HostedCustomers,
  secretKey: Buffer,
): Promise<void> {
  const store = await openStore(storeUrl);
  const box = new SecretBox(secretKey);
  const quiet = createLogger('silent');
  const now = Date.now();
  try {
    for (const c of customers.companies) {
      await store.tenantRegistry().onboard(c.tenantId, c.tenantName, now, 'cluster-seed');
      await seedTenantLink(
        store,
        box,
        {
          tenantId: c.tenantId,
          displayName: c.tenantName,
          clientId: customers.provider.clientId,
          clientSecret: customers.provider.clientSecret,
          clientSecretExpiresAt: customers.provider.clientSecretExpiresAt,
          cloudlink: {
            accountId: c.cloudlink.accountId,
            clientId: c.cloudlink.clientId,
            clientSecret: c.cloudlink.clientSecret,
          },
          policy: 'seed',
        },
        now,
        quiet,
      );
      for (const [i, m] of c.monitors.entries())
        await store.putMonitor(
          newMonitorRecord(
            {
              tenantId: c.tenantId,
              monitorId: `cluster-monitor-${i + 1}`,
              username: m.username,
              passwordSealed: box.seal(m.password),
            },
            now,
          ),
        );
    }
  } finally {
    await store.close();
  }
}

/** A TENANCY=hosted process serving every onboarded customer through the emulators, behind the proxy. */
export function hostedServerEnvironment(
  customers: HostedCustomers,
  emulators: Emulators,
  publicBaseUrl: string,
  storeUrl: string,
  secretKey: Buffer,
): Record<string, string> {
  const { provider } = customers;
  return {
    TENANCY: 'hosted',
    CLIENT_ID: provider.clientId,
    CLIENT_SECRET: provider.clientSecret,
    CLIENT_SECRET_EXPIRES_AT: new Date(provider.clientSecretExpiresAt).toISOString(),
    APP_ID_URI: provider.appIdUri,
    BOT_ID: provider.clientId,
    BOT_PASSWORD: randomBytes(16).toString('hex'),
    AUTHORITY_HOST: emulators.entra.baseUrl,
    GRAPH_BASE_URL: emulators.graph.baseUrl,
    CLOUDLINK_API_BASE: emulators.cloudlink.apiBase,
    SECRET_KEY: secretKey.toString('base64'),
    PUBLIC_BASE_URL: publicBaseUrl,
    ALLOW_HTTP_PUBLIC_BASE_URL: 'true',
    STORE_URL: storeUrl,
    SYNC_MODE: 'notifications',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
}

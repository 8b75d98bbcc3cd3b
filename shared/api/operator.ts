import { z } from 'zod';

/**
 * GET /api/operator/tenants (hosted mode, issue 16): what the hosting provider's operators see of every customer
 * tenant in the registry. The server builds its answer through this schema and the tab reads it with the same one,
 * so neither can drift from the other. `sync` is as the answering process sees it, `cluster` as every server left it in
 * the store; it holds no customer's secrets,
 * people or messages: counts, states and stable codes only.
 */

const isoDate = z.string().datetime({ offset: true });

/**
 * The tenant's presence sync as the answering process sees it: `owner` runs it here, `standby` another process holds
 * its sync lease, `stopped` the service stopped, `off` CloudLink is not linked yet, `notOpen` this process does not
 * serve the tenant (offboarded, or not opened yet).
 */
export const operatorSyncState = z.enum(['owner', 'standby', 'stopped', 'off', 'notOpen']);
export type OperatorSyncState = z.infer<typeof operatorSyncState>;

/**
 * The tenant across every server sharing the store, read from it: which server runs the tenant's sync now (its
 * lease holder while the lease runs), and how many of the servers that read the registry lately serve the tenant.
 */
export const operatorTenantCluster = z
  .object({
    syncRunsOn: z.string().nullable(),
    servedBy: z.number().int().min(0),
    servers: z.number().int().min(0),
  })
  .strict();

export const operatorTenantHealth = z
  .object({
    sync: operatorSyncState,
    cluster: operatorTenantCluster,
    cloudlinkLinked: z.boolean(),
    monitors: z
      .object({
        total: z.number().int().min(0),
        active: z.number().int().min(0),
        failed: z.number().int().min(0),
      })
      .strict(),
    /** The newest error the server logged for the tenant: its event code (e.g. credentials.refused) and when. */
    lastError: z.object({ code: z.string().nullable(), at: isoDate }).strict().nullable(),
    /** The tenant admin's newest configuration check, if one ran. */
    configurationCheck: z
      .object({
        state: z.enum(['running', 'succeeded', 'failed']),
        failedSteps: z.number().int().min(0),
        warningSteps: z.number().int().min(0),
        at: isoDate,
      })
      .strict()
      .nullable(),
  })
  .strict();
export type OperatorTenantHealth = z.infer<typeof operatorTenantHealth>;

export const operatorTenant = z
  .object({
    tenantId: z.string().min(1),
    displayName: z.string(),
    state: z.enum(['active', 'offboarded']),
    onboardedAt: isoDate,
    onboardedBy: z.string(),
    offboardedAt: isoDate.nullable(),
    offboardedBy: z.string().nullable(),
    health: operatorTenantHealth,
  })
  .strict();
export type OperatorTenant = z.infer<typeof operatorTenant>;

export const operatorTenantsResponse = z.object({ items: z.array(operatorTenant) }).strict();
export type OperatorTenantsResponse = z.infer<typeof operatorTenantsResponse>;

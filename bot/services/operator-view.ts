import {
  operatorTenantsResponse,
  type OperatorSyncState,
  type OperatorTenant,
  type OperatorTenantHealth,
  type OperatorTenantsResponse,
} from '../../shared/api/operator';
import type { Store } from '../../shared/ports/store';
import type { RegisteredTenant, RegistryReader } from '../../shared/ports/tenant-registry';
import { memberOfHolder } from '../../shared/sync/cluster-spread';
import { SYNC_LEASE } from '../../shared/sync/ownership';
import type { JobRegistry } from './jobs';
import { readRegistryLately } from '../../shared/domain/registry-freshness';

/** How far back the newest error is looked for (the store keeps each tenant's recent problems, newest first). */
const EVENTS_READ = 100;

export interface OperatorViewDeps {
  store: Store;
  jobs: JobRegistry;
  /** The tenant's sync in this process (hosted-app.ts knows the runtimes; the server does not). */
  syncStateOf: (tenantId: string) => OperatorSyncState;
  now: () => number;
}

/**
 * The hosting provider's view of every registry tenant (issue 16): who it is, when it came and went, and its health
 * as far as an operator needs to know whether to call the customer: sync, CloudLink linked, monitors, newest error
 * code, configuration check. Built through the response schema, so nothing outside it (a secret, a person) leaves.
 */
export async function listOperatorTenants(deps: OperatorViewDeps): Promise<OperatorTenantsResponse> {
  const registry = deps.store.tenantRegistry();
  const [registered, readers] = await Promise.all([registry.list(), registry.readers()]);
  // A server that has not read the registry lately serves no tenant (tenant-runtimes.ts), so it is not counted.
  const servers = readers.filter((r) => readRegistryLately(r.readAt, deps.now()));
  const items = await Promise.all(registered.map((t) => operatorTenant(deps, t, servers)));
  return operatorTenantsResponse.parse({ items });
}

async function operatorTenant(
  deps: OperatorViewDeps,
  t: RegisteredTenant,
  servers: RegistryReader[],
): Promise<OperatorTenant> {
  return {
    tenantId: t.tenantId,
    displayName: t.displayName,
    state: t.state,
    onboardedAt: iso(t.onboardedAt),
    onboardedBy: t.onboardedBy,
    offboardedAt: t.offboardedAt === null ? null : iso(t.offboardedAt),
    offboardedBy: t.offboardedBy,
    health: await healthOf(deps, t.tenantId, servers),
  };
}

async function healthOf(
  deps: OperatorViewDeps,
  tenantId: string,
  servers: RegistryReader[],
): Promise<OperatorTenantHealth> {
  const { store } = deps;
  const [link, monitors, events, check, lease] = await Promise.all([
    store.getTenant(tenantId),
    store.listMonitors(tenantId),
    store.listEvents(tenantId, EVENTS_READ),
    deps.jobs.latest(tenantId, 'configurationCheck'),
    store.getLease(tenantId, SYNC_LEASE),
  ]);
  const live = monitors.filter((m) => m.state !== 'deleted');
  const lastError = events.find((e) => e.level === 'error');
  return {
    sync: deps.syncStateOf(tenantId),
    cluster: {
      syncRunsOn: lease && lease.expiresAt > deps.now() ? memberOfHolder(lease.holder) : null,
      servedBy: servers.filter((r) => r.serving.includes(tenantId.toLowerCase())).length,
      servers: servers.length,
    },
    cloudlinkLinked: Boolean(link?.cloudlink?.clientSecretSealed),
    monitors: {
      total: live.length,
      active: live.filter((m) => m.state === 'active' || m.state === 'renewing').length,
      failed: live.filter((m) => m.state === 'failed').length,
    },
    lastError: lastError ? { code: lastError.event, at: iso(lastError.at) } : null,
    configurationCheck: check
      ? {
          state: check.state,
          failedSteps: (check.steps ?? []).filter((s) => s.state === 'failed').length,
          warningSteps: (check.steps ?? []).filter((s) => s.state === 'warning').length,
          at: check.finishedAt ?? check.startedAt,
        }
      : null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

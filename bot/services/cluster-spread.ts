import type { Config } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { systemSyncClock, SYNC_LEASE } from '../../shared/sync';
import { ClusterSpread } from '../../shared/sync/cluster-spread';

/**
 * Hosted mode on PostgreSQL: this process joins the cluster of processes sharing the database, so the tenants' sync
 * leases spread over them (shared/sync/spread.ts). The heartbeat lives as long as a sync lease and is renewed as often,
 * so a dead process stops counting about when its leases run out. On SQLite one process owns the file: no spreading.
 */
export function clusterSpreadFor(config: Config, store: Store, logger: Logger): ClusterSpread | undefined {
  if (!config.storeUrl.startsWith('postgres')) return undefined;
  return new ClusterSpread({
    members: store.clusterMembers(),
    leaseName: SYNC_LEASE,
    clock: systemSyncClock,
    log: logger,
    ttlMs: config.sync.lease.ttlMs,
    heartbeatEveryMs: config.sync.lease.renewEveryMs,
  });
}

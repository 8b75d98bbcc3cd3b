import { ConfigError } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { DEFAULT_LEASE, SYNC_LEASE } from '../../shared/sync/ownership';

/**
 * The demo's world (its emulators, their secrets, calls and presence) is new on every start, and the store it shares
 * with the last run still holds what the sync believed of the old one. These two checks run before the demo's tenant
 * link replaces the stored one.
 */

/** Long enough for a live owner to renew its sync lease at least once (it does every `renewEveryMs`). */
const LIVE_OWNER_WAIT_MS = DEFAULT_LEASE.renewEveryMs + DEFAULT_LEASE.marginMs;

/**
 * Refuses to start on a store another running demo uses: replacing the tenant link there would give that demo this
 * one's emulated secrets, and its sync would fail on every token from then on. A lease held by a process that was
 * killed is not renewed while we wait, so a restart after a crash goes ahead.
 */
export async function refuseStoreOfLiveDemo(
  store: Store,
  tenantId: string,
  storeUrl: string,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const seen = await store.getLease(tenantId, SYNC_LEASE);
  if (!seen || seen.expiresAt <= Date.now()) return;
  await wait(LIVE_OWNER_WAIT_MS);
  const again = await store.getLease(tenantId, SYNC_LEASE);
  const renewed = again && again.expiresAt > Date.now() && again.renewedAt !== seen.renewedAt;
  if (renewed)
    throw new ConfigError([
      `Another Switchboard demo is running on ${storeUrl}: each demo runs its own emulators, so two cannot share a ` +
        'store. Stop the other one, or give this one its own STORE_URL (e.g. STORE_URL=sqlite:data/second.sqlite).',
    ]);
}

/** Forgets the sync's beliefs about the last run's world (its calls, its Graph stamps), keeping people's data. */
export async function forgetLastWorld(store: Store, tenantId: string, logger: Logger): Promise<void> {
  await store.forgetSyncStates(tenantId);
  logger.info(
    { tenantId, event: 'demo.freshWorld' },
    "the demo's emulators start anew: the sync state of the last run was forgotten (settings and reports are kept)",
  );
}

import { readRegistryLately } from '../../shared/domain/registry-freshness';
import type { RegisteredTenant } from '../../shared/ports/tenant-registry';
import { SYNC_LEASE } from '../../shared/sync/ownership';
import type { CleanupContext } from './cleanup';
import { deleteCloudLinkSubscriptions } from './cloudlink-subscriptions';
import { deleteGraphSubscriptions } from './graph-subscriptions';

export interface OffboardOptions extends CleanupContext {
  /** Who offboards (`--by`, else the OS user): kept in the registry row. */
  by: string;
  now: () => number;
  /** Delete the tenant's data even where subscriptions could not be deleted (their credentials go with it). */
  force: boolean;
  /**
   * How old a server's last registry read may be before it serves no tenant by itself (REGISTRY_STALE_MS): the
   * longest the offboarding waits for the servers to let go of the tenant.
   */
  registryStaleMs: number;
  /** How long to wait, after that, for the process running the tenant's sync to let go of its lease. */
  leaseWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export type OffboardOutcome =
  | { kind: 'unknownTenant' }
  | {
      kind: 'offboarded';
      tenant: RegisteredTenant;
      /** False when the tenant had been offboarded before and this run only finished the clean-up. */
      markedNow: boolean;
      graphDeleted: string[];
      cloudlinkDeleted: string[];
      signInsCleared: number;
      conversationsCleared: number;
      dataDeleted: boolean;
      /** What is still there, one line each; empty when the offboarding is complete. */
      left: string[];
    };

/**
 * Offboards one tenant. The registry row is marked first, so every hosted process stops serving the tenant (its API,
 * bot and webhooks) and stops its sync at the next registry refresh; the subscriptions and data are deleted only
 * after that, when no process writes them any more: deleting first would race a sync that still renews subscriptions
 * and saves state. Running it again for an offboarded tenant finishes what an earlier run left.
 *
 * Sign-ins and the bot's conversations (its sessions with the tenant's people) are rows of the tenant's data; the tab
 * keeps no session on the server (every call carries a token, refused once the tenant is not served).
 */
export async function offboardTenant(options: OffboardOptions): Promise<OffboardOutcome> {
  const { store, tenantId, progress, now, logger } = options;
  const registry = store.tenantRegistry();
  const before = await registry.get(tenantId);
  if (!before) return { kind: 'unknownTenant' };

  const markedNow = before.state === 'active' && (await registry.offboard(tenantId, now(), options.by));
  const tenant = (await registry.get(tenantId)) ?? before;
  if (markedNow) {
    logger.info({ tenantId, event: 'tenant.offboarded', by: options.by }, 'tenant offboarded by an operator');
    progress(`Marked ${tenantId} offboarded; running servers stop serving it at their next registry refresh`);
  } else
    progress(
      `${tenantId} was offboarded ${iso(tenant.offboardedAt)} by ${tenant.offboardedBy ?? 'unknown'}; finishing its clean-up`,
    );

  const result = {
    kind: 'offboarded' as const,
    tenant,
    markedNow,
    graphDeleted: [] as string[],
    cloudlinkDeleted: [] as string[],
    signInsCleared: 0,
    conversationsCleared: 0,
    dataDeleted: false,
    left: [] as string[],
  };
  const signedUpAgain = async () => (await registry.get(tenantId))?.offboardedAt !== tenant.offboardedAt;
  const SIGNED_UP_AGAIN =
    'the tenant signed up again while it was being offboarded, so nothing more was deleted';
  const KEPT_FOR_SIGN_UP = 'the tenant signed up again while it was being offboarded, so its data was kept';
  const stillServing = await waitUntilNotServed(options, signedUpAgain);
  if (stillServing) {
    result.left.push(
      `${stillServing} still serves the tenant, so nothing was deleted; look for tenant.refreshFailed in that server's log, then run this again`,
    );
    return result;
  }
  const stillRunning = await waitUntilReleased(options, signedUpAgain);
  if (stillRunning) {
    result.left.push(
      `${stillRunning} still runs the tenant's sync, so nothing was deleted; look for tenant.refreshFailed in that server's log, then run this again`,
    );
    return result;
  }

  // Both waits end early for a sign-up (its subscriptions are live ones again): nothing more is deleted then.
  if (await signedUpAgain()) {
    result.left.push(SIGNED_UP_AGAIN);
    return result;
  }
  progress('Deleting Graph presence subscriptions');
  const graph = await deleteGraphSubscriptions(options);
  progress('Deleting CloudLink subscriptions');
  const cloudlink = await deleteCloudLinkSubscriptions(options);
  result.graphDeleted = graph.deleted;
  result.cloudlinkDeleted = cloudlink.deleted;
  result.left.push(...graph.left, ...cloudlink.left);
  if (result.left.length > 0 && !options.force) {
    result.left.push(
      "the tenant's data (kept: it holds the credentials to delete what is listed above; run this again, or add --force to delete it anyway)",
    );
    return result;
  }

  const conversations = await store.listConversations(tenantId);
  result.signInsCleared = conversations.filter((c) => c.key.startsWith('signin:')).length;
  result.conversationsCleared = conversations.length - result.signInsCleared;
  // Deleted only if the tenant is still offboarded as it was marked, checked in the same transaction.
  if (tenant.offboardedAt === null || !(await registry.deleteOffboardedData(tenantId, tenant.offboardedAt))) {
    result.left.push(KEPT_FOR_SIGN_UP);
    return result;
  }
  result.dataDeleted = true;
  logger.info(
    { tenantId, event: 'tenant.dataDeleted', by: options.by, left: result.left.length },
    "an offboarded tenant's data was deleted",
  );
  progress(
    `Cleared ${result.signInsCleared} sign-ins and ${result.conversationsCleared} bot conversations, and deleted the tenant's data`,
  );
  return result;
}

/**
 * How far a server's clock may be from the CLI's, plus how long a request admitted just before the server went stale
 * may take: a server is counted as possibly serving that much longer than its stale limit.
 */
export const CLOCK_AND_REQUEST_MARGIN_MS = 5_000;

const sleeper = (options: OffboardOptions) =>
  options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

/**
 * Waits until no server serves the tenant. Each hosted server says, after every registry read that worked, which
 * tenants it serves (and closes an offboarded one before it says so); a server whose last such word is older than
 * `registryStaleMs` serves no tenant at all until it reads the registry again. So the tenant is let go once every
 * server that spoke lately has left it out. Resolves the server still serving it if that takes longer than a server
 * may go without a read (it read the registry, but could not close the tenant).
 */
async function waitUntilNotServed(
  options: OffboardOptions,
  /** The tenant signed up again: the wait is over (the caller says so). */
  cancelled: () => Promise<boolean>,
): Promise<string | undefined> {
  const { store, tenantId, now, progress, registryStaleMs } = options;
  const sleep = sleeper(options);
  const id = tenantId.toLowerCase();
  // The servers' clocks are not ours, and a request let in just before a server went stale may still be writing.
  const lately = (readAt: number) =>
    readRegistryLately(readAt, now(), { staleMs: registryStaleMs, marginMs: CLOCK_AND_REQUEST_MARGIN_MS });
  const longestMs = registryStaleMs + CLOCK_AND_REQUEST_MARGIN_MS;
  const deadline = now() + longestMs + 1000;
  let said = false;
  for (;;) {
    const serving = (await store.tenantRegistry().readers()).filter(
      (r) => lately(r.readAt) && r.serving.includes(id),
    );
    if (serving.length === 0 || (await cancelled())) return undefined;
    const names = serving.map((r) => `server ${r.processId}`).join(', ');
    if (now() >= deadline) return names;
    if (!said)
      progress(
        `Waiting for ${names} to let go of the tenant (at its next registry read; at most ${Math.ceil(longestMs / 1000)} s)`,
      );
    said = true;
    await sleep(250);
  }
}

/**
 * Waits until no process holds the tenant's sync lease (a clean stop releases it; a process that died leaves it to
 * expire). Resolves the holder still running the sync after the wait.
 */
async function waitUntilReleased(
  options: OffboardOptions,
  cancelled: () => Promise<boolean>,
): Promise<string | undefined> {
  const { store, tenantId, now } = options;
  const sleep = sleeper(options);
  const deadline = now() + options.leaseWaitMs;
  for (;;) {
    const lease = await store.getLease(tenantId, SYNC_LEASE);
    if (!lease || lease.expiresAt <= now() || (await cancelled())) return undefined;
    if (now() >= deadline) return `process ${lease.holder}`;
    await sleep(250);
  }
}

const iso = (at: number | null) => (at === null ? 'at an unknown time' : `at ${new Date(at).toISOString()}`);

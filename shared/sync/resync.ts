import { MAX_USERS_PER_MONITOR } from '../domain/monitors';
import type { CloudLinkPort } from '../ports/cloudlink';
import type { GraphPort } from '../ports/graph';
import type { SyncClock } from './clock';
import type { EngineEntry, SyncEngine } from './engine';
import { classify } from './errors';
import type { SyncMetrics } from './metrics';
import type { RateLimiter } from './rate-limiter';

export interface ResyncProgress {
  done: number;
  total: number;
}

/** Batches of users read at once; Graph reads of a batch are one request each. */
const PARALLEL_BATCHES = 4;

interface ResyncDeps {
  engine: SyncEngine;
  graph: GraphPort;
  cloudlink: CloudLinkPort;
  clock: SyncClock;
  metrics: SyncMetrics;
  /** PBX reads in flight across the whole resync (CloudLink has no bulk presence read: one GET per user). */
  pbxReadConcurrency: number;
  /** When set, every resync PBX read waits for a token first (keeps under CloudLink's per-account rate). */
  pbxReadPacer?: RateLimiter;
}

/** At most `limit` tasks run at once; the rest wait in arrival order. */
function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Reconciliation: reads both sides for the given users in 650-id batches and feeds what it finds to the engine as
 * observations, which repairs drift (a lost notification, a session Graph dropped, a PBX event never delivered).
 */
export async function resync(
  deps: ResyncDeps,
  userIds: string[],
  progress?: (p: ResyncProgress) => void,
): Promise<ResyncProgress> {
  const batches: string[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_USERS_PER_MONITOR)
    batches.push(userIds.slice(i, i + MAX_USERS_PER_MONITOR));
  const state: ResyncProgress = { done: 0, total: userIds.length };
  progress?.({ ...state });
  // One pool for every batch in flight: the PBX read rate does not depend on how the users fall into batches.
  const pbxSlot = concurrencyLimit(Math.max(1, deps.pbxReadConcurrency));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      await resyncBatch(deps, batch, pbxSlot);
      state.done += batch.length;
      progress?.({ ...state });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
  return state;
}

async function resyncBatch(
  deps: ResyncDeps,
  batch: string[],
  pbxSlot: ReturnType<typeof concurrencyLimit>,
): Promise<void> {
  const { engine } = deps;
  const entries = batch.map((id) => engine.entry(id)).filter((e): e is EngineEntry => !!e);
  // PBX first: Teams observations are judged against what we assert, which follows the PBX.
  // Reads go through the CloudLink adapter, whose retries honour 429 Retry-After; a read that still fails marks the
  // user, and the next resync tries again.
  const readBothSides = new Set<EngineEntry>();
  const readPbx = async (e: EngineEntry) => {
    try {
      await deps.pbxReadPacer?.acquire();
      const pbx = await deps.cloudlink.getPresence(e.user.pbxPrincipalId as string);
      deps.metrics.cloudlinkCall('getPresence', 'ok');
      engine.observePbx(e, pbx, deps.clock.now());
      readBothSides.add(e);
    } catch (err) {
      deps.metrics.cloudlinkCall('getPresence', 'error');
      const f = classify(err);
      engine.fail(
        e,
        `resync could not read the PBX: ${f.message}`,
        f.retry ? 'The next resync tries again.' : f.fix,
      );
    }
  };
  await Promise.all(entries.map((e) => pbxSlot(() => readPbx(e))));
  const watched = entries.filter((e) => engine.ctx(e).directions.fromTeams || e.state.teamsSession);
  try {
    if (watched.length > 0) {
      const presences = await deps.graph.getPresencesByUserId(watched.map((e) => e.user.entraUserId));
      for (const p of presences) engine.observeTeams(p, deps.clock.now(), true);
    }
    for (const e of readBothSides) engine.markSynced(e, deps.clock.now());
  } catch (err) {
    const f = classify(err);
    for (const e of watched)
      engine.fail(
        e,
        `resync could not read Teams: ${f.message}`,
        f.retry ? 'The next resync tries again.' : f.fix,
      );
  }
}

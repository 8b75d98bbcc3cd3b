import { said } from '../api/texts/english';
import { MAX_USERS_PER_MONITOR } from '../domain/monitors';
import type { GraphPort } from '../ports/graph';
import { eventStamp, type SyncClock } from './clock';
import type { SyncEngine } from './engine/sync-engine';
import { classify } from './errors';
import type { RateLimiter } from './rate-limiter';
import type { ResyncProgress, ResyncResult, SyncLog } from './contract';

/** Batches of users read at once; Graph reads of a batch are one request each. */
const PARALLEL_BATCHES = 4;

interface ResyncDeps {
  engine: SyncEngine;
  graph: GraphPort;
  clock: SyncClock;
  /**
   * PBX reads in flight across the whole resync (CloudLink has no bulk presence read: one GET per user). They go
   * through the engine, which holds the CloudLink adapter.
   */
  pbxReadConcurrency: number;
  /** When set, every resync PBX read waits for a token first (keeps under CloudLink's per-account rate). */
  pbxReadPacer?: RateLimiter;
  /**
   * Which users' PBX must be read; the others are known from the live CloudLink feed (pbx-feed.ts).
   * Unset: read every user's PBX.
   */
  needsPbxRead?: (entraUserId: string) => boolean;
  /** Where a bug that failed a read is reported (errors.ts: once per kind, as sync.bug). */
  log: SyncLog;
}

/** At most `limit` tasks run at once; the rest wait in arrival order. */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
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
 * Reconciliation: compares both sides for the given users in 650-id batches and feeds what it finds to the engine as
 * observations, which repairs drift (a lost notification, a session Graph dropped, a PBX event never delivered).
 * Teams is read for every watched user; the PBX for every user the live CloudLink feed cannot vouch for.
 */
export async function resync(
  deps: ResyncDeps,
  userIds: string[],
  progress?: (p: ResyncProgress) => void,
): Promise<ResyncResult> {
  const batches: string[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_USERS_PER_MONITOR)
    batches.push(userIds.slice(i, i + MAX_USERS_PER_MONITOR));
  const state: ResyncProgress = { done: 0, total: userIds.length };
  const counts = { pbxReads: 0 };
  progress?.({ ...state });
  // One pool for every batch in flight: the PBX read rate does not depend on how the users fall into batches.
  const pbxSlot = concurrencyLimit(Math.max(1, deps.pbxReadConcurrency));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const read = await resyncBatch(deps, batch, pbxSlot); // not `+= await`: that reads the sum before awaiting
      counts.pbxReads += read;
      state.done += batch.length;
      progress?.({ ...state });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
  return { ...state, ...counts };
}

/** Resyncs one batch; answers how many PBX presences it read. */
async function resyncBatch(
  deps: ResyncDeps,
  batch: string[],
  pbxSlot: ReturnType<typeof concurrencyLimit>,
): Promise<number> {
  const { engine } = deps;
  const users = batch.filter((id) => engine.knows(id));
  const toRead = deps.needsPbxRead ? users.filter(deps.needsPbxRead) : users;
  const reading = new Set(toRead);
  // PBX first: Teams observations are judged against what we assert, which follows the PBX.
  // Reads go through the CloudLink adapter, whose retries honour 429 Retry-After; a read that still fails marks the
  // user, and the next resync tries again.
  // Users the feed vouches for count as read: their PBX view is as current as a read would make it.
  const readBothSides = new Set<string>(users.filter((id) => !reading.has(id)));
  const readPbx = async (id: string) => {
    try {
      await deps.pbxReadPacer?.acquire();
      await engine.readPbxOnce(id);
      readBothSides.add(id);
    } catch (err) {
      const f = classify(err, deps.log);
      engine.fail(
        id,
        said('sync.resyncPbxReadFailed', { reason: f.message }),
        f.retry ? said('fix.nextResync') : f.fix,
      );
    }
  };
  for (const id of users) engine.retryRefusedWrites(id);
  await Promise.all(toRead.map((id) => pbxSlot(() => readPbx(id))));
  const watched = users.filter((id) => engine.watchesTeams(id));
  try {
    if (watched.length > 0) {
      const readAt = eventStamp(deps.clock);
      const presences = await deps.graph.getPresencesByUserId(watched);
      for (const p of presences) engine.observeTeams(p, deps.clock.now(), true, readAt);
    }
    for (const id of readBothSides) engine.markSynced(id, deps.clock.now());
  } catch (err) {
    const f = classify(err, deps.log);
    for (const id of watched)
      engine.fail(
        id,
        said('sync.resyncTeamsReadFailed', { reason: f.message }),
        f.retry ? said('fix.nextResync') : f.fix,
      );
  }
  return toRead.length;
}

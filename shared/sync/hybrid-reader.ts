import type { TeamsPresence } from '../domain/presence';
import type { GraphPort } from '../ports/graph';
import { eventStamp, type SyncClock } from './clock';
import type { RateLimiter } from './rate-limiter';
import {
  DEFAULT_READ_BUDGET,
  mayRead,
  sweepIntervalMs,
  type ReadBudgetSettings,
  type RequestWindow,
} from './read-budget';

/** What the reader needs of the engine. */
export interface ReadTarget {
  watchedUserIds(): string[];
  /** Whether the user is in a call on either side, or changed lately: read more often than idle users. */
  isHot(entraUserId: string): boolean;
  observeTeams(p: TeamsPresence, receivedAt: number, repair: boolean, readAt: number): void;
  /** The notifications-only path: queue reads on the rate limiter like any other. */
  requestTeamsReads(userIds: string[], receivedAt: number): void;
}

export interface HybridReadOptions extends ReadBudgetSettings {
  /** The fastest full sweep of every user (default 1 s). */
  sweepMs: number;
  /** Users in a call or changed lately are read at most this often (default 500 ms). */
  hotSweepMs: number;
  /** How long after a notification a user counts as changed lately (default 60 s). */
  hotForMs: number;
  /** How often the reader looks at the budget (default 100 ms). */
  tickMs: number;
  /** After writes were seen waiting for the limiter, no read for this long (default 1 s; see `tick`). */
  yieldMs: number;
}

export const DEFAULT_HYBRID_READS: HybridReadOptions = {
  ...DEFAULT_READ_BUDGET,
  sweepMs: 1000,
  hotSweepMs: 500,
  hotForMs: 60_000,
  tickMs: 100,
  yieldMs: 1000,
};

const BATCH = 650;

/**
 * Hybrid mode (issue 13): Graph's change notifications arrive seconds late (under 10 s on average, up to a minute,
 * sometimes never), so the reader also reads every user's Teams presence in batches of 650, as often as the tenant's
 * spare presence budget allows (read-budget.ts): writes first, reads from what is left, never over the ceiling.
 *
 * A notification then costs nothing of its own: its user is marked changed and rides in the next batch (read more
 * often for a while). Only when the reads are starved (writes use the whole budget) does a notification fall back to
 * its own read, queued behind the writes like in notifications-only mode.
 */
export class HybridReader {
  private readonly lastRead = new Map<string, number>();
  private readonly changedUntil = new Map<string, number>();
  private cursor = 0;
  private inFlight = false;
  private cancel: (() => void) | null = null;
  private lastBatchAt = 0;
  private sweepStartedAt = 0;
  /** How long the last full pass over every user took (ms); null before the first one ended. */
  private lastSweepMs: number | null = null;
  private readonly ours: RequestWindow;
  private ids: string[] = [];
  private idsAt = -Infinity;
  private writesWaitedAt = -Infinity;

  constructor(
    private readonly target: ReadTarget,
    private readonly graph: Pick<GraphPort, 'getPresencesByUserId'>,
    private readonly clock: SyncClock,
    private readonly limiter: RateLimiter,
    /** Every presence request of the tenant, counted where the Graph adapter asks for budget. */
    private readonly usage: RequestWindow,
    /** A fresh window on the same clock, for counting the reader's own requests. */
    makeWindow: () => RequestWindow,
    private readonly options: HybridReadOptions = DEFAULT_HYBRID_READS,
  ) {
    this.ours = makeWindow();
  }

  start(): void {
    this.stop();
    this.sweepStartedAt = this.clock.now();
    this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  /** A change notification named these users: read them in the next batch, or on their own when reads starve. */
  changed(userIds: string[], receivedAt: number): void {
    const until = receivedAt + this.options.hotForMs;
    // Read within the last half second: that read most likely saw the change already (notifications trail it by
    // seconds), so the notification costs nothing; otherwise the user rides in the next batch.
    for (const id of userIds) this.changedUntil.set(id, until);
    if (this.starved()) this.target.requestTeamsReads(userIds, receivedAt);
  }

  /**
   * Changes of these users may have gone unheard (a subscription created or re-created, a `missed` lifecycle event).
   * Nothing says they changed, so they are not made hot: the pass over everyone reads them within a sweep (a
   * subscription names every user, and 5,000 hot users would halve the pass for a minute). Starved, they get their
   * own read, as in notifications-only mode.
   */
  missed(userIds: string[], receivedAt: number): void {
    if (this.starved()) this.target.requestTeamsReads(userIds, receivedAt);
  }

  /** For the health page: how often everyone is read now, and the share of the ceiling the reads use. */
  view(): { sweepMs: number | null; readsPer30s: number; budgetShare: number } {
    const reads = this.ours.inWindow();
    return {
      sweepMs: this.lastSweepMs,
      readsPer30s: Math.round((reads * 30_000) / this.options.windowMs),
      budgetShare: Number((reads / this.options.ceilingPerWindow).toFixed(3)),
    };
  }

  private starved(): boolean {
    return this.clock.now() - this.lastBatchAt > 2 * this.options.sweepMs + this.options.tickMs;
  }

  /**
   * The next look at the budget: right away after a full batch (a pass, or more hot users than a batch holds, is
   * waiting: a pause after each batch made a pass of 5,000 users take 3.5 s on a busy machine), else after `tickMs`.
   */
  private schedule(afterMs = this.options.tickMs): void {
    this.cancel = this.clock.setTimer(afterMs, () => {
      void this.tick().then(
        (full) => {
          if (this.cancel) this.schedule(full ? 0 : this.options.tickMs);
        },
        () => {
          if (this.cancel) this.schedule();
        },
      );
    });
  }

  /** One look at the budget: at most one batch in flight, and only when it fits. True when it read a full batch. */
  async tick(): Promise<boolean> {
    if (this.inFlight) return false;
    const use = {
      inWindow: this.usage.inWindow(),
      lastSecond: this.usage.lastSecond(),
      queued: this.limiter.queued,
    };
    // Writes that waited for the limiter a moment ago come in waves (the per-user workers of an overload, slowed
    // further by a busy CPU): the queue is empty between two of them, and a read of 650 users taken in that gap
    // costs the next wave its CPU and its token. The 10x benchmark showed it on a loaded machine (PBX→Teams p99
    // twice that of notifications only), so the reads keep out of an overload entirely, not only out of its queue.
    const now = this.clock.now();
    if (use.queued > 0) this.writesWaitedAt = now;
    if (now - this.writesWaitedAt < this.options.yieldMs) return false;
    // Only a spare token: a read that had to queue in the limiter would sit in front of the writes that come next.
    if (!mayRead(use, this.options) || !this.limiter.wouldGoNow()) return false;
    const batch = this.nextBatch();
    if (batch.length === 0) return false;
    this.inFlight = true;
    this.lastBatchAt = this.clock.now();
    this.ours.record();
    try {
      const sentAt = this.clock.now();
      const readAt = eventStamp(this.clock);
      const presences = await this.graph.getPresencesByUserId(batch);
      for (const id of batch) this.lastRead.set(id, sentAt);
      for (const p of presences) this.target.observeTeams(p, sentAt, false, readAt);
      return batch.length === BATCH;
    } catch {
      // A throttled or failed read leaves its users due for the next batch. The adapter has logged the failure, and
      // the limiter has paused for a 429's Retry-After; the notifications and the resync carry on regardless.
      return false;
    } finally {
      this.inFlight = false;
    }
  }

  /**
   * Up to 650 users: the next ones of the current pass over everyone (a pass every sweep interval the spare budget
   * allows, never more often than `sweepMs`), then changed or in-call users due again (after `hotSweepMs`), oldest
   * read first. The pass comes first: every user's change waits at most one pass, however many users are hot.
   */
  private nextBatch(): string[] {
    const now = this.clock.now();
    // The watched list changes with the directory, not from tick to tick: taken again once a sweep interval.
    if (now - this.idsAt >= this.options.sweepMs) {
      this.ids = this.target.watchedUserIds();
      this.idsAt = now;
    }
    const ids = this.ids;
    // The other presence requests' average rate over the window decides how often everyone can be read.
    const othersPerSecond = ((this.usage.inWindow() - this.ours.inWindow()) * 1000) / this.options.windowMs;
    const coldEvery = sweepIntervalMs(ids.length, othersPerSecond, this.options.sweepMs, this.options);
    // The others are read in passes from a cursor. A pass starts once the previous one ended and the sweep interval
    // since its start has passed; within a pass the cursor only moves forward, so users read lately because they are
    // hot never hold it back (they did at first, and idle users then waited half a minute: the benchmark's tail).
    if (this.cursor >= ids.length && now - this.sweepStartedAt >= coldEvery) {
      this.lastSweepMs = now - this.sweepStartedAt;
      this.cursor = 0;
      this.sweepStartedAt = now;
    }
    const batch: string[] = [];
    while (batch.length < BATCH && this.cursor < ids.length) batch.push(ids[this.cursor++]!);
    if (batch.length === BATCH) return this.finish(batch, now);
    // Hot users take what the pass leaves, oldest read first. They went first at one time, in list order: when more
    // were hot than a batch holds (every user for a minute after a subscription is created) the first 650 were due
    // again before the rest came up, and the others and the pass waited all that time (issue 13's 35-45 s tail).
    const inBatch = new Set(batch);
    const hotDue: { id: string; last: number }[] = [];
    for (const id of ids) {
      const last = this.lastRead.get(id) ?? -Infinity;
      if (now - last < this.options.hotSweepMs || inBatch.has(id)) continue;
      if ((this.changedUntil.get(id) ?? 0) > now || this.target.isHot(id)) hotDue.push({ id, last });
    }
    hotDue.sort((x, y) => (x.last === y.last ? 0 : x.last < y.last ? -1 : 1));
    for (const h of hotDue.slice(0, BATCH - batch.length)) batch.push(h.id);
    return this.finish(batch, now);
  }

  private finish(batch: string[], now: number): string[] {
    for (const [id, until] of this.changedUntil) if (until <= now) this.changedUntil.delete(id);
    return batch;
  }
}

import type { GraphPort } from '../ports/graph';
import type { SyncClock } from './clock';
import type { SyncEngine } from './engine/sync-engine';
import { classify } from './errors';
import type { SyncLog } from './log';
import type { RateLimiter } from './rate-limiter';

/** How far polling slows down under throttling: at most this many times the configured interval. */
const MAX_SLOWDOWN = 8;

/**
 * Polling mode, for deployments Graph cannot reach with notifications: reads every watched user's presence with
 * getPresencesByUserId (650 ids a request, paced by the rate limiter) every interval. When a round had to wait for
 * the limiter or was throttled, the interval doubles (up to 8×); calm rounds bring it back down.
 */
export class Poller {
  private interval: number;
  private cancel: (() => void) | null = null;
  private stopped = true;

  constructor(
    private readonly engine: SyncEngine,
    private readonly graph: GraphPort,
    private readonly clock: SyncClock,
    private readonly baseIntervalMs: number,
    private readonly limiter: RateLimiter,
    /** Where a bug that failed a round is reported (errors.ts: once per kind, as sync.bug). */
    private readonly log: SyncLog,
  ) {
    this.interval = baseIntervalMs;
  }

  get currentIntervalMs(): number {
    return this.interval;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
  }

  /** One polling round; resolves when every batch was read and observed. */
  async round(): Promise<void> {
    const ids = this.engine.watchedUserIds();
    if (ids.length === 0) return;
    const waitsBefore = this.limiter.waits;
    const at = this.clock.now();
    let throttled = false;
    try {
      for (const p of await this.graph.getPresencesByUserId(ids)) this.engine.observeTeams(p, at, false, at);
    } catch (err) {
      const f = classify(err, this.log);
      throttled = f.retry;
    }
    const crowded = throttled || this.limiter.waits > waitsBefore;
    this.interval = crowded
      ? Math.min(this.baseIntervalMs * MAX_SLOWDOWN, this.interval * 2)
      : Math.max(this.baseIntervalMs, Math.floor(this.interval / 2));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.cancel = this.clock.setTimer(ms, () => {
      void this.round().finally(() => this.schedule(this.interval));
    });
  }
}

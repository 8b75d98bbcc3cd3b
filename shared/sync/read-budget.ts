/**
 * The tenant's Graph presence budget, and what of it the hybrid reads may spend (issue 13).
 *
 * Graph allows an app 1,500 presence requests per 30 s in a tenant. Writes (setPresence, clearPresence) carry the
 * PBX → Teams direction and always come first; reads of Teams presence take what is left under a ceiling with
 * headroom (default 1,350 per 30 s, 90%), so they can never be the reason for a 429. Pure arithmetic on counts, so
 * it can be tested second by second on a virtual clock.
 */

export interface ReadBudgetSettings {
  /** Presence requests of every kind allowed in one window, reads included (default 1,350). */
  ceilingPerWindow: number;
  /** The window Graph counts in (30 s). */
  windowMs: number;
}

export const DEFAULT_READ_BUDGET: ReadBudgetSettings = { ceilingPerWindow: 1350, windowMs: 30_000 };

export interface BudgetUse {
  /** Presence requests of every kind (writes, other reads, ours) sent in the last window. */
  inWindow: number;
  /** Of those, sent in the last second. */
  lastSecond: number;
  /** Presence requests waiting for the rate limiter right now (writes queued behind the bucket). */
  queued: number;
}

/** The ceiling spread evenly: how many presence requests one second may hold. */
export function perSecondCeiling(s: ReadBudgetSettings): number {
  return (s.ceilingPerWindow * 1000) / s.windowMs;
}

/**
 * Whether one more read request may go now. No: while any request waits for the limiter (a write is queued), when
 * the last second already used its even share of the ceiling, or when the window is at the ceiling.
 */
export function mayRead(use: BudgetUse, s: ReadBudgetSettings = DEFAULT_READ_BUDGET): boolean {
  if (use.queued > 0) return false;
  if (use.inWindow + 1 > s.ceilingPerWindow) return false;
  return use.lastSecond + 1 <= perSecondCeiling(s);
}

/**
 * How often a full sweep of `users` can run on what the other requests leave: each read carries up to 650 users,
 * and a sweep never runs more often than `fastestMs`. Infinity when nothing is left.
 */
export function sweepIntervalMs(
  users: number,
  othersPerSecond: number,
  fastestMs: number,
  s: ReadBudgetSettings = DEFAULT_READ_BUDGET,
): number {
  if (users === 0) return fastestMs;
  const spare = perSecondCeiling(s) - othersPerSecond;
  if (spare <= 0) return Infinity;
  const requestsPerSweep = Math.ceil(users / 650);
  return Math.max(fastestMs, (requestsPerSweep * 1000) / spare);
}

/** Counts requests in a sliding window of one-second buckets. */
export class RequestWindow {
  private readonly buckets: number[];
  private bucketStart: number | null = null;
  private current = 0;

  constructor(
    private readonly now: () => number,
    windowMs = 30_000,
  ) {
    this.buckets = new Array<number>(Math.ceil(windowMs / 1000)).fill(0);
  }

  record(n = 1): void {
    this.roll();
    this.buckets[this.current]! += n;
  }

  /** Requests in the whole window. */
  inWindow(): number {
    this.roll();
    return this.buckets.reduce((a, b) => a + b, 0);
  }

  /** Requests in the current second (the bucket being filled). */
  lastSecond(): number {
    this.roll();
    return this.buckets[this.current]!;
  }

  private roll(): void {
    const second = Math.floor(this.now() / 1000) * 1000;
    this.bucketStart ??= second;
    const steps = Math.min(this.buckets.length, Math.max(0, (second - this.bucketStart) / 1000));
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % this.buckets.length;
      this.buckets[this.current] = 0;
    }
    this.bucketStart = second;
  }
}

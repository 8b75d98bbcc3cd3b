/**
 * A token bucket per caller (tenant+user for signed-in calls, tenant+app for other systems, address otherwise), so
 * one noisy tab or integration cannot starve everyone else. In memory per process: with several processes each
 * enforces its own share, which is what a limit against accidental floods needs.
 */
export interface RateLimitOptions {
  /** Requests a caller may burst. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
  now?: () => number;
  /** Buckets idle this long are dropped, so the map does not grow with every caller ever seen. */
  idleMs?: number;
}

/** Named apart from the sync's RateLimiter (shared/sync/rate-limiter.ts), which makes calls wait; this one refuses them. */
export class CallerThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes one token; resolves the seconds to wait when there is none. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    this.sweep(now);
    const { burst, perSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }

  private sweep(now: number): void {
    const idle = this.options.idleMs ?? 10 * 60_000;
    if (now - this.lastSweep < idle) return;
    this.lastSweep = now;
    for (const [k, b] of this.buckets) if (now - b.at > idle) this.buckets.delete(k);
  }
}

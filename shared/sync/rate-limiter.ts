import type { SyncClock } from './clock';

/**
 * A tenant-wide token bucket for Graph presence calls: `ratePerSecond` tokens a second, holding at most a tenth of a
 * second's worth, so a 30-second window sees at most 30.1 × rate (Graph's published ceiling, 1,500 per 30 s, is rate
 * 50; the small burst keeps us well clear of Graph's far higher hard limit).
 * Callers wait in arrival order. A 429's Retry-After pauses the whole bucket, since the whole tenant is throttled.
 */
export class RateLimiter {
  private tokens: number;
  private readonly capacity: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private readonly waiting: (() => void)[] = [];
  private wakeScheduled = false;
  /** Calls that had to wait (for the throttling metrics). */
  waits = 0;

  constructor(
    private readonly clock: SyncClock,
    private readonly ratePerSecond: number,
    private readonly onWait?: (ms: number) => void,
  ) {
    if (!(ratePerSecond > 0)) throw new Error('rate must be positive');
    this.capacity = Math.max(1, ratePerSecond / 10);
    this.tokens = this.capacity;
    this.refilledAt = clock.now();
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Whether a call now would go at once (nobody waiting, a token in the bucket), without taking it. */
  wouldGoNow(): boolean {
    if (this.waiting.length > 0 || this.clock.now() < this.pausedUntil) return false;
    const elapsed = this.clock.now() - this.refilledAt;
    return Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000) >= 1;
  }

  acquire(): Promise<void> {
    if (this.waiting.length === 0 && this.take()) return Promise.resolve();
    this.waits++;
    const waitStart = this.clock.now();
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.onWait?.(this.clock.now() - waitStart);
        resolve();
      });
      this.schedule();
    });
  }

  /** Graph said Retry-After: nobody calls before then. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private take(): boolean {
    const now = this.clock.now();
    if (now < this.pausedUntil) return false;
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private schedule(): void {
    if (this.wakeScheduled || this.waiting.length === 0) return;
    this.wakeScheduled = true;
    const now = this.clock.now();
    const untilToken = Math.ceil(((1 - Math.min(1, this.tokens)) * 1000) / this.ratePerSecond);
    const delay = Math.max(this.pausedUntil - now, untilToken, 1);
    this.clock.setTimer(delay, () => {
      this.wakeScheduled = false;
      while (this.waiting.length > 0 && this.take()) (this.waiting.shift() as () => void)();
      this.schedule();
    });
  }
}

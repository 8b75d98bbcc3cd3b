import { GraphFailure } from './errors';

/**
 * Graph limits presence requests per app per tenant. The presence API pages give 1,500 requests per 30 seconds;
 * past that a request gets 429 with Retry-After (seconds until the window frees up). A fixed window on the emulator
 * clock keeps the arithmetic obvious for tests.
 */

export interface ThrottleLimit {
  requests: number;
  windowMs: number;
}

export const DEFAULT_PRESENCE_LIMIT: ThrottleLimit = { requests: 1500, windowMs: 30_000 };

export class PresenceThrottle {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly now: () => number,
    private limit: ThrottleLimit = DEFAULT_PRESENCE_LIMIT,
  ) {}

  setLimit(limit: ThrottleLimit): void {
    this.limit = limit;
    this.windows.clear();
  }

  getLimit(): ThrottleLimit {
    return { ...this.limit };
  }

  /** Counts one request of `appId` in `tenantId`; throws the 429 when over the limit. */
  take(tenantId: string, appId: string): void {
    const key = `${tenantId}|${appId}`;
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.limit.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.limit.requests) {
      const retryAfter = Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000));
      throw new GraphFailure(
        429,
        'TooManyRequests',
        'Too many requests. The application has exceeded the presence request limit for this tenant; retry after the time given in Retry-After.',
        { 'Retry-After': String(retryAfter) },
      );
    }
    w.count += 1;
  }
}

/**
 * Time for the emulators. Every expiry (tokens, presence sessions, subscriptions) is judged against `now()`, so a
 * test can run a three-hour call or a 60-minute subscription in milliseconds with a ManualClock.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` every `ms` of this clock's time; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

/** A clock that moves only when told to: `advance(ms)` runs every due `every` callback in time order. */
export class ManualClock implements Clock {
  private timers: { at: number; period: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(private current = Date.UTC(2026, 10, 23, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  every(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.current + ms, period: ms, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = due.at;
      due.at += due.period;
      due.fn();
    }
    this.current = target;
  }
}

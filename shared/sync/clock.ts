/**
 * Time for the engine. Every delay (rate limiting, retries, session renewal, subscription renewal, polling) goes
 * through this, so a test can play a three-hour call in milliseconds (tests/support/virtual-clock.ts).
 */
export interface SyncClock {
  now(): number;
  /**
   * A clock that only moves forward at a steady rate, for measuring how long the sync lease is still ours
   * (fence.ts): unlike `now()` it never jumps when the wall clock is set, and it keeps counting while the process is
   * stopped (SIGSTOP, a frozen VM), so a process that wakes up sees at once how long it was gone. Unset: `now()`
   * (simulated time in tests is steady anyway).
   */
  monotonicNow?(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  sleep(ms: number): Promise<void>;
}

export const systemSyncClock: SyncClock = {
  now: () => Date.now(),
  // CLOCK_MONOTONIC on Linux: steady, and running while the process is stopped (not while the machine sleeps).
  monotonicNow: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

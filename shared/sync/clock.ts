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

/** Stamps in the same millisecond are this far apart (a binary fraction: sums stay exact). */
const STAMP_STEP_MS = 1 / 1024;
/** A wall clock set back further than this starts the stamps again from it (their order across the jump is lost). */
const STAMP_RESET_MS = 1000;
const lastStamps = new WeakMap<SyncClock, number>();

/**
 * `now()`, strictly increasing across every caller of the same clock: when a Teams read was sent and when Graph's
 * answer to our clear arrived. Both fall in the same millisecond often enough (1 in 100,000 property runs), and at
 * millisecond resolution a read sent just before the answer counted as sent after it, so a late read still showing
 * our cleared session was taken for the user's. Event order within this process is exact; a few events in a row in
 * one millisecond run at most fractions of a millisecond ahead of the clock.
 */
export function eventStamp(clock: SyncClock): number {
  const now = clock.now();
  const last = lastStamps.get(clock);
  const stamp = last === undefined || now > last || now < last - STAMP_RESET_MS ? now : last + STAMP_STEP_MS;
  lastStamps.set(clock, stamp);
  return stamp;
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

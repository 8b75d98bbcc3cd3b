import { eventStamp, type SyncClock } from '../../shared/sync/clock';

/** A clock the test sets by hand; eventStamp only reads now(). */
function handClock(start: number): SyncClock & { at: number } {
  const clock = {
    at: start,
    now: () => clock.at,
    setTimer: () => () => undefined,
    sleep: () => Promise.resolve(),
  };
  return clock;
}

describe('event stamps', () => {
  it('keep the order of events in one millisecond, and follow the clock once it moves on', () => {
    const clock = handClock(1_000);
    const sent = eventStamp(clock);
    const answered = eventStamp(clock);
    expect(sent).toBe(1_000);
    expect(answered).toBeGreaterThan(sent);
    expect(answered).toBeLessThan(1_001);
    clock.at = 1_001;
    expect(eventStamp(clock)).toBe(1_001);
  });

  it('never go back when the clock steps back a little, and start again after a jump back of more than a second', () => {
    const clock = handClock(5_000);
    const first = eventStamp(clock);
    clock.at = 4_990;
    expect(eventStamp(clock)).toBeGreaterThan(first);
    clock.at = 1_000;
    expect(eventStamp(clock)).toBe(1_000);
  });

  it("are kept per clock: a test's virtual clock does not push the system clock's stamps along", () => {
    const a = handClock(7_000);
    const b = handClock(7_000);
    eventStamp(a);
    eventStamp(a);
    expect(eventStamp(b)).toBe(7_000);
  });
});

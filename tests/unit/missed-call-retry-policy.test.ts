import {
  MISSED_CALL_NOTICE_MAX_AGE_MS,
  nextMissedCallTry,
} from '../../bot/services/missed-call-retry-policy';

const MIN = 60_000;
const CALL_AT = '2026-11-23T09:00:00.000Z';
const callTime = Date.parse(CALL_AT);

describe('when a missed-call notice the connector did not take is tried again', () => {
  it('waits longer after every failed try: 1, 5, 15, then 60 minutes', () => {
    const now = callTime + 10_000;
    expect([1, 2, 3, 4].map((attempts) => nextMissedCallTry(attempts, CALL_AT, now)! - now)).toEqual([
      1 * MIN,
      5 * MIN,
      15 * MIN,
      60 * MIN,
    ]);
  });

  it('gives up after five tries', () => {
    expect(nextMissedCallTry(5, CALL_AT, callTime + MIN)).toBeNull();
  });

  it('gives up on a notice whose next try would come more than a day after the call', () => {
    const nearlyADayLater = callTime + MISSED_CALL_NOTICE_MAX_AGE_MS - 30_000;
    expect(nextMissedCallTry(1, CALL_AT, nearlyADayLater)).toBeNull();
    expect(nextMissedCallTry(1, CALL_AT, nearlyADayLater - MIN)).toBe(nearlyADayLater);
  });

  it('counts the day from the first try when the call time is not a time', () => {
    const now = callTime;
    expect(nextMissedCallTry(1, 'yesterday-ish', now)).toBe(now + MIN);
    expect(nextMissedCallTry(1, '', now + MISSED_CALL_NOTICE_MAX_AGE_MS)).toBe(
      now + MISSED_CALL_NOTICE_MAX_AGE_MS + MIN,
    );
  });
});

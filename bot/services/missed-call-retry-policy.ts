/**
 * When a missed-call notice the connector did not take is tried again. Pure: no I/O.
 *
 * A missed call is worth telling for a day (the person may call back tomorrow morning), not forever; the waits grow so
 * a Bot Connector outage of an hour costs a handful of tries per notice, not one a minute.
 */
export const MISSED_CALL_RETRY_WAITS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000] as const;
export const MISSED_CALL_NOTICE_MAX_AGE_MS = 24 * 60 * 60_000;

/** When to try a notice again after `attempts` failed tries (the first included), or null to give up. */
export function nextMissedCallTry(attempts: number, callAt: string, now: number): number | null {
  const wait = MISSED_CALL_RETRY_WAITS_MS[attempts - 1];
  if (wait === undefined) return null;
  const at = now + wait;
  const callTime = Date.parse(callAt);
  // A call time the PBX left out or garbled does not keep a notice alive for ever: the first try's day counts.
  const expiresAt = (Number.isNaN(callTime) ? now : callTime) + MISSED_CALL_NOTICE_MAX_AGE_MS;
  return at <= expiresAt ? at : null;
}

/**
 * "On a call", derived from CloudLink's call (media) events. Pure: no I/O, time passed in.
 *
 * CloudLink's public material describes presence as a status and a reason; call activity comes as media events, one
 * call each, and a user may have several calls at once (one held while a consultation call rings, a second line). So
 * the PBX call state of a user is a fold of those events per call id:
 *
 * - connected or held on any call → `connected` (on a call: a held caller is still waiting for the user);
 * - otherwise ringing on any call → `ringing` (what that means in Teams is the admin's table: Busy/InACall by
 *   default, nothing if the admin removes the row);
 * - otherwise → `idle`.
 *
 * Webhooks are retried and posted concurrently, so events come duplicated and out of order. Per call, an event older
 * than the one applied (its own timestamp, else when we received it) is dropped; at the same timestamp the later stage
 * wins (ringing < connected/held < ended; between connected and held the later arrival). An ended call stays as a
 * tombstone for `endedKeepMs`, so a late ringing or connected of the same call cannot bring it back.
 *
 * An "ended" event can be lost. A call we have heard nothing of for long is checked against the call records at the
 * next PBX read (the engine does that: a record with the call id and an end time means it ended), and, as a last
 * resort, forgotten after a bound: `ringingMs` for a call that only rang, `activeMs` for a connected or held one.
 */

export type CallStage = 'ringing' | 'connected' | 'held' | 'ended';

/** One call event, as the adapter parsed it. `at`: the event's own timestamp (epoch ms), when it carries one. */
export interface CallEvent {
  callId: string;
  stage: CallStage;
  at: number | null;
}

export interface TrackedCall {
  stage: CallStage;
  /** The timestamp the applied event carried, else when we received it: orders the events of this call. */
  at: number;
  /** When we last heard of this call (our clock): what the expiry bounds count from. */
  seenAt: number;
}

/** The user's calls by call id, as plain JSON (kept in the user's sync state). */
export type PbxCalls = Record<string, TrackedCall>;

export type PbxCallState = 'idle' | 'ringing' | 'connected';

export interface CallLimits {
  /** A call that only rang and was not heard of for this long is forgotten (no PBX rings that long). */
  ringingMs: number;
  /** A connected or held call not heard of for this long is forgotten, if the call records could not settle it. */
  activeMs: number;
  /** How long an ended call is remembered, to drop its late events. */
  endedKeepMs: number;
  /** A call quiet for this long is worth checking against the call records at the next PBX read. */
  checkAfterMs: number;
}

const MIN = 60_000;
export const DEFAULT_CALL_LIMITS: CallLimits = {
  ringingMs: 10 * MIN,
  activeMs: 12 * 60 * MIN,
  endedKeepMs: 60 * MIN,
  checkAfterMs: MIN,
};

const RANK: Record<CallStage, number> = { ringing: 0, connected: 1, held: 1, ended: 2 };

export type CallVerdict = 'applied' | 'duplicate' | 'stale';

/** Folds one call event in; answers the new calls (the same object when nothing changed) and what became of it. */
export function foldCallEvent(
  calls: PbxCalls,
  event: CallEvent,
  now: number,
): { calls: PbxCalls; verdict: CallVerdict } {
  const at = event.at ?? now;
  const known = calls[event.callId];
  if (known) {
    if (known.stage === 'ended') return { calls, verdict: event.stage === 'ended' ? 'duplicate' : 'stale' };
    if (at < known.at) return { calls, verdict: 'stale' };
    if (at === known.at && RANK[event.stage] < RANK[known.stage]) return { calls, verdict: 'stale' };
    if (known.stage === event.stage)
      return { calls: { ...calls, [event.callId]: { ...known, at, seenAt: now } }, verdict: 'duplicate' };
  }
  return { calls: { ...calls, [event.callId]: { stage: event.stage, at, seenAt: now } }, verdict: 'applied' };
}

/** Drops tombstones older than `endedKeepMs` and expires calls not heard of within their bound. */
export function pruneCalls(calls: PbxCalls, now: number, limits: CallLimits = DEFAULT_CALL_LIMITS): PbxCalls {
  let changed = false;
  const kept: PbxCalls = {};
  for (const [id, c] of Object.entries(calls)) {
    const bound =
      c.stage === 'ended' ? limits.endedKeepMs : c.stage === 'ringing' ? limits.ringingMs : limits.activeMs;
    if (now - c.seenAt >= bound) {
      changed = true;
      continue;
    }
    kept[id] = c;
  }
  return changed ? kept : calls;
}

/** The user's PBX call state now: connected if any call is connected or held, else ringing if any rings. */
export function pbxCallState(
  calls: PbxCalls,
  now: number,
  limits: CallLimits = DEFAULT_CALL_LIMITS,
): PbxCallState {
  let state: PbxCallState = 'idle';
  for (const c of Object.values(pruneCalls(calls, now, limits))) {
    if (c.stage === 'connected' || c.stage === 'held') return 'connected';
    if (c.stage === 'ringing') state = 'ringing';
  }
  return state;
}

/** Calls not ended, quiet for at least `checkAfterMs`: a read of the PBX should ask the call records about them. */
export function callsToCheck(
  calls: PbxCalls,
  now: number,
  limits: CallLimits = DEFAULT_CALL_LIMITS,
): string[] {
  return Object.entries(calls)
    .filter(([, c]) => c.stage !== 'ended' && now - c.seenAt >= limits.checkAfterMs)
    .map(([id]) => id);
}

/**
 * Makes every open call due for a check against the call records now (the first step of the admin's reset): each
 * looks quiet for exactly `checkAfterMs`, which the expiry bounds are far above, so the next PBX read asks the records
 * about all of them and a call the records show finished ends as it would have.
 */
export function callsDueForCheck(
  calls: PbxCalls,
  now: number,
  limits: CallLimits = DEFAULT_CALL_LIMITS,
): PbxCalls {
  const due: PbxCalls = {};
  for (const [id, c] of Object.entries(calls))
    due[id] = c.stage === 'ended' ? c : { ...c, seenAt: Math.min(c.seenAt, now - limits.checkAfterMs) };
  return due;
}

/**
 * The second step of the admin's reset, after the records were asked: every call still open is forgotten. The reset
 * is a person saying the phone state is wrong, and what is left open then is what no read can settle (a forged start,
 * or a lost end the records do not show): CloudLink lists finished calls only. A call really still going on shows
 * again at its next event; ended calls stay as tombstones, so their late events are still dropped.
 */
export function forgetOpenCalls(calls: PbxCalls): { calls: PbxCalls; forgotten: number } {
  const kept: PbxCalls = {};
  let forgotten = 0;
  for (const [id, c] of Object.entries(calls)) {
    if (c.stage === 'ended') kept[id] = c;
    else forgotten++;
  }
  return { calls: forgotten > 0 ? kept : calls, forgotten };
}

import type { MappingTable, PhoneResetOutcome } from '../api/contract';
import { pbxToTeams, teamsToPbx } from './mapping';
import { forgetOpenCalls } from './pbx-calls';
import type { AppSessionPresence, PbxPresence } from './presence';
import type { Directions } from './selection';
import {
  MAX_CLEARED_EARLIER,
  teamsKey,
  type ClearedSession,
  type DatedPbxChange,
  type UserSyncState,
} from './sync-state';

/**
 * The sync decision, as pure functions of (state, observation, time). See docs/sync-rules.md for the rule in words.
 *
 * In short: PBX → Teams is level-triggered (our Teams session always mirrors what the PBX says now, so it repairs
 * itself); Teams → PBX is edge-triggered (a Teams presence the user caused is carried once, and we only ever take back
 * a PBX DND we set ourselves). A change on one side that our own assertion there explains is never carried across.
 */
export interface DecisionContext {
  table: MappingTable;
  directions: Directions;
  now: number;
  /** How long a setPresence session lasts. */
  sessionMs: number;
  /** How long after we cleared a session a notification still showing it counts as a late echo of ours. */
  settleMs: number;
}

export type TeamsVerdict = 'stale' | 'ours' | 'user';
export type PbxVerdict = 'ours' | 'user' | 'inFlight' | 'stale';

export interface TeamsObservation {
  availability: string;
  activity: string;
  sequenceNumber?: string | null;
  /** When the read that saw this presence was sent (getPresencesByUserId); unknown for other sources. */
  readAt?: number;
}

/** Graph's sequenceNumber sorts as a string: a notification not newer than the last one seen is stale. */
export function isStale(last: string | null | undefined, next: string | null | undefined): boolean {
  return !!last && !!next && next <= last;
}

/** Whether an observed Teams presence is explained by our own session (live, in flight, or just cleared). */
export function explainedByOurSession(
  state: UserSyncState,
  p: TeamsObservation,
  now: number,
  settleMs: number,
): boolean {
  const key = teamsKey(p);
  const s = state.teamsSession;
  if (s && s.expiresAt > now && teamsKey(s.presence) === key) return true;
  const c = state.teamsCleared;
  if (!c) return false;
  // Graph had dropped our session before this read was sent: what it shows is the user's (a Teams call right after a
  // phone call), however soon after the clear it comes. Only reads that may have raced the clear fall to the window.
  // The earlier sessions were gone before the last one was cleared, so the same holds for them.
  if (c.ackAt !== undefined && p.readAt !== undefined && p.readAt >= c.ackAt) return false;
  return [c, ...(state.teamsClearedEarlier ?? [])].some(
    (e) => teamsKey(e.presence) === key && now - e.at < settleMs,
  );
}

/**
 * Remembers `presence` as the session of ours Graph no longer holds (cleared or replaced), keeping the ones cleared
 * before it while a late read could still show them (`settleMs`; without it, by count alone).
 */
function rememberCleared(
  state: UserSyncState,
  presence: AppSessionPresence,
  now: number,
  settleMs?: number,
): Pick<UserSyncState, 'teamsCleared' | 'teamsClearedEarlier'> {
  const earlier = [state.teamsCleared, ...(state.teamsClearedEarlier ?? [])]
    .filter((e): e is ClearedSession => e !== null && (settleMs === undefined || now - e.at < settleMs))
    .map(({ presence: p, at }) => ({ presence: p, at }))
    .slice(0, MAX_CLEARED_EARLIER);
  return { teamsCleared: { presence, at: now }, teamsClearedEarlier: earlier };
}

/**
 * Whether the PBX DND now standing is one we set. An "off" not yet acknowledged is always us taking back our own DND
 * (we never turn off the user's), so until it lands the DND still standing is ours too: it must not show in Teams.
 */
export function pbxDndIsOurs(state: UserSyncState): boolean {
  const a = state.pbxAssertion;
  if (!a || state.pbx?.dnd === false) return false;
  return a.dnd || !a.acknowledged;
}

/** A Teams presence arrived (notification, poll or resync read). Carries it to the PBX if the user caused it. */
export function observeTeams(
  state: UserSyncState,
  p: TeamsObservation,
  ctx: DecisionContext,
): { state: UserSyncState; verdict: TeamsVerdict } {
  if (isStale(state.teams?.sequenceNumber, p.sequenceNumber) && !shownAfterOurClear(state, p))
    return { state, verdict: 'stale' };
  let next: UserSyncState = {
    ...state,
    teams: {
      availability: p.availability,
      activity: p.activity,
      sequenceNumber: p.sequenceNumber ?? null,
      at: ctx.now,
    },
  };
  if (explainedByOurSession(next, p, ctx.now, ctx.settleMs)) return { state: next, verdict: 'ours' };
  if (ctx.directions.fromTeams) next = carryTeamsToPbx(next, ctx);
  return { state: next, verdict: 'user' };
}

/**
 * A read sent after Graph confirmed the clear of our session, showing what we last saw with the sequenceNumber
 * unchanged, when what we saw was taken for ours (never carried): Graph did not renumber because what it shows did not
 * change, but no session of ours stands behind it any more, so it is the user's (their Teams call that ran under our
 * Busy/InACall). Not stale, once: after it is carried (`teamsCarried`), the same read is stale again.
 */
function shownAfterOurClear(state: UserSyncState, p: TeamsObservation): boolean {
  const t = state.teams;
  const c = state.teamsCleared;
  if (!t || !c || c.ackAt === undefined || p.readAt === undefined || p.readAt < c.ackAt) return false;
  const key = teamsKey(p);
  return p.sequenceNumber === t.sequenceNumber && teamsKey(t) === key && state.teamsCarried !== key;
}

/** Teams → PBX for the user's own Teams presence: at most once per distinct presence, never over the user's PBX DND. */
function carryTeamsToPbx(state: UserSyncState, ctx: DecisionContext): UserSyncState {
  const t = state.teams;
  if (!t) return state;
  const key = teamsKey(t);
  if (key === state.teamsCarried) return state;
  const change = teamsToPbx(ctx.table, t);
  const next = { ...state, teamsCarried: key };
  const ours = state.pbxAssertion?.dnd === true;
  const pbxDnd = state.pbx?.dnd ?? false;
  if (change.dnd === 'on') {
    // The user's own PBX DND and its text stay. A DND we are still taking back (our "off" not acknowledged) is ours.
    if (pbxDnd && !pbxDndIsOurs(state)) return next;
    if (ours && state.pbxAssertion?.statusText === change.statusText) return next;
    return assertPbx(next, true, change.statusText, ctx.now);
  }
  if (change.dnd === 'off' && ours) return assertPbx(next, false, null, ctx.now);
  return next;
}

function assertPbx(
  state: UserSyncState,
  dnd: boolean,
  statusText: string | null,
  now: number,
): UserSyncState {
  return {
    ...state,
    pbxAssertion: {
      dnd,
      statusText,
      at: now,
      acknowledged: false,
      knewPbxChangeAt: state.pbx?.newest?.updatedOn ?? null,
    },
  };
}

/** Whether a PBX presence shows exactly the DND and status text of `w` (what we wrote, or what we saw). */
function sameDnd(
  p: { dnd: boolean; statusText?: string | null },
  w: { dnd: boolean; statusText?: string | null },
) {
  return p.dnd === w.dnd && (p.statusText ?? null) === (w.statusText ?? null);
}

/**
 * Whether a PBX presence event dated `updatedOn` (CloudLink's clock) tells nothing new: not newer than our
 * acknowledged write, older than the newest change we know of (a late delivery, an echo of an earlier write of ours),
 * or that very change delivered again.
 */
export function pbxEventIsStale(state: UserSyncState, pbx: PbxPresence, updatedOn: number | null): boolean {
  if (updatedOn === null) return false;
  // Not newer than our acknowledged write: it was on the PBX before our write replaced it (CloudLink dates each
  // change once, so only an event after our write's time can be a change made after it).
  const ours = state.pbxAssertion?.acknowledged ? state.pbxAssertion.updatedOn : undefined;
  if (ours !== undefined && updatedOn <= ours) return true;
  const newest = state.pbx?.newest;
  if (!newest) return false;
  return updatedOn < newest.updatedOn || (updatedOn === newest.updatedOn && sameDnd(pbx, newest));
}

/** The newer of what we knew and a change dated `updatedOn` (null: undated, nothing to compare). */
function newer(
  known: DatedPbxChange | null | undefined,
  p: { dnd: boolean; statusText?: string | null },
  updatedOn: number | null,
): DatedPbxChange | null {
  if (updatedOn === null || (known && known.updatedOn > updatedOn)) return known ?? null;
  return { updatedOn, dnd: p.dnd, statusText: p.statusText ?? null };
}

/**
 * A PBX presence arrived: an event dated `updatedOn` by CloudLink, or a read (null: no date, what the PBX says now).
 * Drops what is stale, records who owns the DND shown and re-derives our Teams session.
 *
 * Whose DND: with no write of ours standing, the user's. While our write is on its way, a DND equal in value is ours
 * and a different one is the PBX before it lands (`inFlight`; the acknowledgement sorts out which came last, see
 * pbxWritten). Once CloudLink acknowledged it and we know its time, an event after it showing anything else than what
 * we wrote, a different text included, is the user's: they picked another reason over our DND, or pressed DND after
 * turning ours off. Until we know its time (an answer without one), the first echo showing what we wrote gives it, and
 * before that the DND value alone decides, as an older echo could still show an earlier text of ours.
 */
export function observePbx(
  state: UserSyncState,
  pbx: PbxPresence,
  ctx: DecisionContext,
  updatedOn: number | null = null,
): { state: UserSyncState; verdict: PbxVerdict } {
  if (pbxEventIsStale(state, pbx, updatedOn)) return { state, verdict: 'stale' };
  let next: UserSyncState = {
    ...state,
    pbx: {
      ...pbx,
      statusText: pbx.statusText ?? null,
      at: ctx.now,
      newest: newer(state.pbx?.newest, pbx, updatedOn),
    },
  };
  const a = state.pbxAssertion;
  let verdict: PbxVerdict = 'user';
  if (!a) verdict = 'user';
  else if (!a.acknowledged)
    verdict = a.dnd === pbx.dnd ? 'ours' : 'inFlight'; // the PBX as it was before our write lands
  else if (a.updatedOn !== undefined) verdict = sameDnd(pbx, a) ? 'ours' : 'user';
  else if (updatedOn !== null && sameDnd(pbx, a)) {
    verdict = 'ours'; // the first echo of our write: from now on it is dated
    next = { ...next, pbxAssertion: { ...a, updatedOn } };
  } else verdict = a.dnd === pbx.dnd ? 'ours' : 'user';
  // The user changed the DND we set: it is theirs now.
  if (verdict === 'user' && a) next = { ...next, pbxAssertion: null };
  next = applyPbxToTeams(next, ctx);
  return { state: next, verdict };
}

/**
 * Makes our Teams session match what the PBX says now (and the switches): set it when wanted and missing, different
 * or expired; mark it for clearing when no longer wanted. Also gives back a PBX DND we hold once Teams → PBX is off.
 */
export function applyPbxToTeams(state: UserSyncState, ctx: DecisionContext): UserSyncState {
  let next = state;
  if (next.teamsSession && next.teamsSession.acknowledged && next.teamsSession.expiresAt <= ctx.now) {
    next = { ...next, teamsSession: null }; // Graph has already dropped it
  }
  if (!ctx.directions.fromTeams && next.pbxAssertion?.dnd === true && next.pbx?.dnd !== false) {
    next = assertPbx(next, false, null, ctx.now);
  }
  const wanted: AppSessionPresence | null =
    ctx.directions.toTeams && next.pbx ? pbxToTeams(ctx.table, next.pbx, pbxDndIsOurs(next)) : null;
  const s = next.teamsSession;
  if (!wanted) {
    if (!s) return next;
    return {
      ...next,
      teamsSession: null,
      teamsClearPending: true,
      ...rememberCleared(next, s.presence, ctx.now, ctx.settleMs),
    };
  }
  if (s && teamsKey(s.presence) === teamsKey(wanted)) return next;
  return {
    ...next,
    teamsClearPending: false,
    // The session replaced is gone like a cleared one: a late notification still showing it is ours, not the user's.
    ...(s && rememberCleared(next, s.presence, ctx.now, ctx.settleMs)),
    teamsSession: {
      presence: wanted,
      setAt: ctx.now,
      expiresAt: ctx.now + ctx.sessionMs,
      acknowledged: false,
    },
  };
}

export type TeamsWork = { kind: 'set'; presence: AppSessionPresence } | { kind: 'clear' };

/** What must be written to Teams now, if anything: an unsent or expiring session, or a pending clear. */
export function teamsWork(state: UserSyncState, now: number, renewAheadMs: number): TeamsWork | null {
  const s = state.teamsSession;
  if (s && (!s.acknowledged || s.expiresAt - now <= renewAheadMs))
    return { kind: 'set', presence: s.presence };
  if (!s && state.teamsClearPending) return { kind: 'clear' };
  return null;
}

/** When the next session renewal falls due (for the engine's timer), or null without a session. */
export function renewalDueAt(state: UserSyncState, renewAheadMs: number): number | null {
  const s = state.teamsSession;
  return s && s.acknowledged ? s.expiresAt - renewAheadMs : null;
}

/** Records a Teams write Graph acknowledged; a no-op if the state moved on while it was in flight. */
export function teamsWritten(
  state: UserSyncState,
  work: TeamsWork,
  sentAt: number,
  sessionMs: number,
  /** When Graph's answer arrived; unknown, a late read showing our cleared session counts as ours for the window. */
  ackAt?: number,
): UserSyncState {
  if (work.kind === 'clear') {
    if (state.teamsSession) return state;
    return {
      ...state,
      teamsClearPending: false,
      teamsCleared:
        state.teamsCleared && ackAt !== undefined ? { ...state.teamsCleared, ackAt } : state.teamsCleared,
      lastAssertion: { side: 'teams', what: 'cleared our session', at: sentAt },
    };
  }
  const s = state.teamsSession;
  if (!s || teamsKey(s.presence) !== teamsKey(work.presence)) return state;
  return {
    ...state,
    // Counted from when we sent it: Graph starts the clock no earlier, so we never believe in a session it dropped.
    teamsSession: { ...s, acknowledged: true, expiresAt: sentAt + sessionMs },
    lastAssertion: { side: 'teams', what: teamsKey(work.presence), at: sentAt },
  };
}

export interface PbxWork {
  dnd: boolean;
  statusText: string | null;
}

export function pbxWork(state: UserSyncState): PbxWork | null {
  const a = state.pbxAssertion;
  return a && !a.acknowledged ? { dnd: a.dnd, statusText: a.statusText } : null;
}

/**
 * Records a PBX write CloudLink acknowledged, dated `updatedOn` by CloudLink when its answer says (else null): we now
 * know the PBX's DND without waiting for its echo. An event already seen that is newer than our write and shows
 * anything else is the user's change after it (their press crossed our write and landed last): the DND is theirs, any
 * write of ours still queued is dropped, and the caller re-derives Teams (`applyPbxToTeams`).
 */
export function pbxWritten(
  state: UserSyncState,
  work: PbxWork,
  at: number,
  updatedOn: number | null = null,
): UserSyncState {
  const a = state.pbxAssertion;
  if (!a) return state;
  const lastAssertion = {
    side: 'pbx' as const,
    what: work.dnd ? `DND on: ${work.statusText ?? ''}`.trim() : 'DND off',
    at,
  };
  const seen = state.pbx?.newest;
  const changedSince = updatedOn !== null && !!seen && seen.updatedOn > updatedOn && !sameDnd(seen, work);
  // The user changed the PBX after this write landed: the DND is theirs, and a newer write of ours still queued (decided
  // while their change looked like ours) must not overwrite it. One exception: the user turned our DND off, and the
  // queued write is a DND on decided after we had seen that: their Teams presence changed since (a Teams call began),
  // and that newer wish goes out. A DND the user set is never taken back or given our text.
  if (changedSince) {
    const queued = a.dnd !== work.dnd || a.statusText !== work.statusText;
    const newerWish =
      queued && a.dnd && !seen.dnd && a.knewPbxChangeAt != null && a.knewPbxChangeAt >= seen.updatedOn;
    return { ...state, pbxAssertion: newerWish ? a : null, lastAssertion };
  }
  if (a.dnd !== work.dnd || a.statusText !== work.statusText) return state;
  const pbx = state.pbx ?? { callState: 'idle' as const, dnd: false, statusText: null, at };
  return {
    ...state,
    pbxAssertion: { ...a, acknowledged: true, ...(updatedOn !== null && { updatedOn }) },
    pbx: {
      ...pbx,
      dnd: work.dnd,
      statusText: work.statusText,
      at,
      newest: newer(seen, work, updatedOn),
    },
    lastAssertion,
  };
}

/**
 * Forgets everything we asserted (reset by the user or admin); the engine then clears both sides. A phone DND counts as
 * ours when we asserted it or its status text is one the mapping makes us write (`ourStatusTexts`): another process,
 * or an earlier install, may have set it without this state knowing. The Teams presence seen last keeps its value but
 * loses its sequenceNumber, so the re-read that follows counts even when Teams has not changed since (a meeting still
 * going on is carried to the PBX again).
 */
export function resetAssertions(
  state: UserSyncState,
  now: number,
  ourStatusTexts: readonly string[] = [],
): { state: UserSyncState; outcome: PhoneResetOutcome } {
  const s = state.teamsSession;
  const dnd = state.pbx?.dnd === true;
  const text = state.pbx?.statusText ?? null;
  const ours = state.pbxAssertion?.dnd === true || (dnd && text !== null && ourStatusTexts.includes(text));
  const takeBack = ours;
  const calls = state.pbxCalls ? forgetOpenCalls(state.pbxCalls) : { calls: state.pbxCalls, forgotten: 0 };
  return {
    state: {
      ...state,
      teams: state.teams ? { ...state.teams, sequenceNumber: null } : null,
      teamsSession: null,
      teamsClearPending: true,
      ...(s && rememberCleared(state, s.presence, now)),
      pbxAssertion: takeBack ? { dnd: false, statusText: null, at: now, acknowledged: false } : null,
      teamsCarried: null,
      // The user says the phone is wrong: no call we believe in is kept (forgetOpenCalls says why).
      ...(state.pbxCalls && { pbxCalls: calls.calls }),
    },
    outcome: {
      teamsSessionCleared: s !== null,
      phoneDndCleared: takeBack
        ? { statusText: dnd ? text : (state.pbxAssertion?.statusText ?? null) }
        : null,
      phoneDndKept: dnd && !ours ? { statusText: text } : null,
      callsForgotten: calls.forgotten,
    },
  };
}

/** The status texts the mapping table makes Switchboard write to the phone (DND on). */
export function ourPbxStatusTexts(table: MappingTable): string[] {
  return table.teamsToPbx.filter((r) => r.dnd === 'on' && r.statusText).map((r) => r.statusText as string);
}

import type { PbxCalls } from './pbx-calls';
import type { AppSessionPresence, PbxPresence } from './presence';

/**
 * Everything the engine remembers about one user, as plain JSON (persisted in SyncStateRecord.state). Times are
 * epoch ms. Observations are what a side last told us; assertions are what we last wrote there.
 */
export interface UserSyncState {
  teams: ObservedTeams | null;
  pbx: ObservedPbx | null;
  /** The user's PBX calls by call id, folded from call events (pbx-calls.ts); `pbx.callState` is their aggregate. */
  pbxCalls?: PbxCalls;
  /** Our live app session in Teams (set when the write goes out, so echoes arriving before the ack are ours). */
  teamsSession: TeamsSession | null;
  /**
   * The session we last cleared, so a late notification still showing it is not taken for the user's doing. `ackAt`:
   * when Graph confirmed the clear; a read sent after that cannot show our session, so it is the user's.
   */
  teamsCleared: ClearedSession | null;
  /**
   * Sessions of ours cleared or replaced before `teamsCleared`, newest first, kept while inside the settle window (at
   * most MAX_CLEARED_EARLIER): two session changes within a minute must not make a late read of the first one look
   * like the user's. Absent in states saved before it existed.
   */
  teamsClearedEarlier?: ClearedSession[];
  /** True when our session must be cleared in Teams (the PBX no longer asks for it). */
  teamsClearPending: boolean;
  /** The PBX DND we set (or are setting) from Teams, while it stands. */
  pbxAssertion: PbxAssertion | null;
  /** The Teams presence (availability/activity key) whose meaning we last carried to the PBX. */
  teamsCarried: string | null;
  lastAssertion: { side: 'teams' | 'pbx'; what: string; at: number } | null;
}

/** A session of ours that Graph no longer holds (cleared, or replaced by another), and since when. */
export interface ClearedSession {
  presence: AppSessionPresence;
  at: number;
  /** When Graph confirmed the clear (only for a clear, not a replacement). */
  ackAt?: number;
}

/** How many earlier cleared sessions a state keeps at most, however many changes come within the settle window. */
export const MAX_CLEARED_EARLIER = 8;

export interface ObservedTeams {
  availability: string;
  activity: string;
  sequenceNumber: string | null;
  at: number;
}

export interface ObservedPbx extends PbxPresence {
  at: number;
  /**
   * The newest presence change we know with CloudLink's own time (its `updatedOn`, epoch ms): an event's, or our
   * acknowledged write's when CloudLink's answer dates it. A read (which carries no time) keeps it. An event older than
   * it, or the same change delivered again, is stale. Absent in states saved before it existed, and until then.
   */
  newest?: DatedPbxChange | null;
}

/** A PBX presence change as CloudLink dated it. */
export interface DatedPbxChange {
  updatedOn: number;
  dnd: boolean;
  statusText: string | null;
}

export interface TeamsSession {
  presence: AppSessionPresence;
  setAt: number;
  expiresAt: number;
  /** false until Graph acknowledged the write. */
  acknowledged: boolean;
}

export interface PbxAssertion {
  dnd: boolean;
  statusText: string | null;
  at: number;
  /** false until CloudLink acknowledged the write. */
  acknowledged: boolean;
  /**
   * CloudLink's time of our acknowledged write: from its answer, else from the first echo showing what we wrote.
   * Once known, a later presence event that shows anything else (another text included) is the user's.
   */
  updatedOn?: number;
  /**
   * CloudLink's time of the newest PBX change we had seen when we decided this write (null: none). A write decided
   * after seeing a change of the user's answers something newer than that change (a Teams edge after it), so the
   * change does not cancel it when it turns out to be the user's.
   */
  knewPbxChangeAt?: number | null;
}

export const EMPTY_SYNC_STATE: UserSyncState = {
  teams: null,
  pbx: null,
  teamsSession: null,
  teamsCleared: null,
  teamsClearPending: false,
  pbxAssertion: null,
  teamsCarried: null,
  lastAssertion: null,
};

export function teamsKey(p: { availability: string; activity: string }): string {
  return `${p.availability}/${p.activity}`;
}

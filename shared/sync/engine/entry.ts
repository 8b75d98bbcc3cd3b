import type { Problem } from '../../api/contract';
import { problemFromStore } from '../stored-problem';
import { EMPTY_SYNC_STATE, type UserSyncState } from '../../domain/sync-state';
import type { SyncStateRecord, UserRecord } from '../../ports/store';

/**
 * The part of a user's record the engine works with. Names, UPN, extension and tenant stay in the store: at 50,000
 * users they would be ~8 MB of strings held for nothing.
 */
export type EngineUser = Pick<
  UserRecord,
  'entraUserId' | 'pbxPrincipalId' | 'selected' | 'sendToTeams' | 'getFromTeams'
>;

export function engineUser(u: UserRecord): EngineUser {
  return {
    entraUserId: u.entraUserId,
    pbxPrincipalId: u.pbxPrincipalId,
    selected: u.selected,
    sendToTeams: u.sendToTeams,
    getFromTeams: u.getFromTeams,
  };
}

export type SideName = 'teams' | 'pbx';

/** One side's write worker of one user (write-workers.ts). */
export interface Side {
  busy: boolean;
  again: boolean;
  attempt: number;
  cancelRetry: (() => void) | null;
  /** A refused write's slow retry (errors.ts REFUSED_WRITE_RETRY_MS); not queued work, so idle() does not wait for it. */
  cancelHeal: (() => void) | null;
  /** The write that was refused, while its slow retry waits: the same write is not sent again before then. */
  refused: string | null;
  /** When the change now waiting to be written was first observed (latency metric). */
  since: number | null;
}

/** What a user's sync last failed at; `write`: a write was refused (cleared by the next write that lands). */
export interface UserError extends Problem {
  write?: boolean;
}

/**
 * Everything the engine holds for one user. Private to the engine (shared/sync/engine/): the rest of the sync layer
 * names users by Entra id and asks the engine (sync-engine.ts).
 */
export interface Entry {
  user: EngineUser;
  state: UserSyncState;
  version: number;
  lastSyncAt: number | null;
  /** `write`: a write was refused (cleared by the next write that lands); otherwise a read failed. */
  lastError: UserError | null;
  teams: Side;
  pbx: Side;
  cancelRenewal: (() => void) | null;
  pbxReading: boolean;
  pbxReadAgain: boolean;
  /** The PBX feed epoch and time our view of the PBX was last verified by a read or an event (see pbx-feed.ts). */
  pbxFeedEpoch: number;
  pbxVerifiedAt: number | null;
  /** Calls loaded from the store (heard by an earlier process): their end may have come while nobody listened. */
  callsFromStore: boolean;
}

const newSide = (): Side => ({
  busy: false,
  again: false,
  attempt: 0,
  cancelRetry: null,
  cancelHeal: null,
  refused: null,
  since: null,
});

/** A user the engine did not hold yet, with the state an earlier process saved for them (if any). */
export function newEntry(user: UserRecord, stored: SyncStateRecord | undefined): Entry {
  return {
    user: engineUser(user),
    state: stored ? { ...EMPTY_SYNC_STATE, ...(stored.state as Partial<UserSyncState>) } : EMPTY_SYNC_STATE,
    version: stored?.version ?? 0,
    lastSyncAt: stored?.lastSyncAt ?? null,
    lastError: stored?.lastError ? problemFromStore(stored.lastError) : null,
    teams: newSide(),
    pbx: newSide(),
    cancelRenewal: null,
    pbxReading: false,
    pbxReadAgain: false,
    pbxFeedEpoch: 0,
    pbxVerifiedAt: null,
    callsFromStore:
      Object.keys((stored?.state as Partial<UserSyncState> | undefined)?.pbxCalls ?? {}).length > 0,
  };
}

/**
 * The state as parsed JSON, which it is anyway (stored and reloaded as such). Objects made by spreads, as the
 * domain's pure functions make them, each get a hidden class of their own in V8 (Node 20): ~400 bytes a user at rest,
 * 20 MB at 50,000 users (heap snapshot). Parsed JSON objects of one shape share one hidden class.
 */
export function plain(state: UserSyncState): UserSyncState {
  return JSON.parse(JSON.stringify(state)) as UserSyncState;
}

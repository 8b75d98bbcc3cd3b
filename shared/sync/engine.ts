import type { MappingTable, UserSelection } from '../api/contract';
import { DEFAULT_MAPPING } from '../domain/mapping';
import {
  callsToCheck,
  foldCallEvent,
  pbxCallState,
  pruneCalls,
  type CallEvent,
  type PbxCalls,
} from '../domain/pbx-calls';
import type { PbxStatus, TeamsPresence } from '../domain/presence';
import { DEFAULT_SELECTION, directionsFor } from '../domain/selection';
import {
  applyPbxToTeams,
  observePbx,
  observeTeams,
  pbxWork,
  pbxWritten,
  renewalDueAt,
  teamsWork,
  teamsWritten,
  type DecisionContext,
} from '../domain/sync-decision';
import { EMPTY_SYNC_STATE, teamsKey, type UserSyncState } from '../domain/sync-state';
import type { CloudLinkPort } from '../ports/cloudlink';
import type { GraphPort } from '../ports/graph';
import type { Store, TraceEntry, UserRecord } from '../ports/store';
import type { SyncClock } from './clock';
import { backoffMs, classify } from './errors';
import { FencedWriteError } from './fence';
import type { SyncLog } from './log';
import type { SyncMetrics } from './metrics';
import { PbxFeed } from './pbx-feed';

export interface EngineSettings {
  tenantId: string;
  sessionMs: number;
  renewAheadMs: number;
  settleMs: number;
}

/**
 * The part of a user's record the engine works with. Names, UPN, extension and tenant stay in the store: at 50,000
 * users they would be ~8 MB of strings held for nothing.
 */
type EngineUser = Pick<
  UserRecord,
  'entraUserId' | 'pbxPrincipalId' | 'selected' | 'sendToTeams' | 'getFromTeams'
>;

function engineUser(u: UserRecord): EngineUser {
  return {
    entraUserId: u.entraUserId,
    pbxPrincipalId: u.pbxPrincipalId,
    selected: u.selected,
    sendToTeams: u.sendToTeams,
    getFromTeams: u.getFromTeams,
  };
}

interface Side {
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

interface Entry {
  user: EngineUser;
  state: UserSyncState;
  version: number;
  lastSyncAt: number | null;
  /** `write`: a write was refused (cleared by the next write that lands); otherwise a read failed. */
  lastError: { message: string; fix: string; write?: boolean } | null;
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
/**
 * The state as parsed JSON, which it is anyway (stored and reloaded as such). Objects made by spreads, as the
 * domain's pure functions make them, each get a hidden class of their own in V8 (Node 20): ~400 bytes a user at rest,
 * 20 MB at 50,000 users (heap snapshot). Parsed JSON objects of one shape share one hidden class.
 */
function plain(state: UserSyncState): UserSyncState {
  return JSON.parse(JSON.stringify(state)) as UserSyncState;
}

/** Which batched store write failed (see SyncDeps.onStoreError). */
export type StoreWrite = 'syncStates' | 'traces';

/** Sync states (and trace entries) written per store transaction. */
const SAVE_BATCH = 500;
/** Teams presence reads run this many batches at once; the rate limiter paces them. */
const MAX_FETCHES = 4;

/** An ISO 8601 duration in whole minutes, as setPresence's expirationDuration wants it (e.g. PT1H, PT1H30M). */
export function isoDuration(ms: number): string {
  const minutes = Math.max(5, Math.round(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${hours ? `${hours}H` : ''}${rest ? `${rest}M` : ''}`;
}

/**
 * The engine core: per-user state, the two write queues (one write in flight per user per side, the latest state
 * wins), session renewal, and the intake of observations from both sides. Decisions come from shared/domain.
 */
export class SyncEngine {
  /** Whether CloudLink's presence events keep our PBX view current; the service starts and loses it. */
  readonly pbxFeed = new PbxFeed();
  private readonly entries = new Map<string, Entry>();
  private readonly byPbx = new Map<string, string>();
  private readonly pendingTeamsReads = new Map<string, number>();
  private fetches = 0;
  private pumpScheduled = false;
  private tasks = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Halted for losing the sync lease: state not yet saved is dropped, never written over the next owner's. */
  private abandoned = false;
  /** Bumped by resume(): workers of an earlier ownership term stop instead of writing from state now forgotten. */
  private term = 0;
  /** Users whose state changed since it was last written, and trace entries not yet written (see flush). */
  private readonly unsaved = new Set<Entry>();
  private unsavedTrace: TraceEntry[] = [];
  private flushScheduled = false;
  private flushing = false;

  constructor(
    private readonly settings: EngineSettings,
    private readonly graph: GraphPort,
    private readonly cloudlink: CloudLinkPort,
    private readonly store: Store,
    private readonly clock: SyncClock,
    private readonly metrics: SyncMetrics,
    private readonly mapping: () => MappingTable = () => DEFAULT_MAPPING,
    private readonly selection: () => UserSelection = () => DEFAULT_SELECTION,
    /** A store write failed (sync goes on; the state is written again at the user's next change): to be logged. */
    private readonly onStoreError: (err: unknown, what: StoreWrite) => void = () => undefined,
    /** Where a bug that failed a read or a write is reported (errors.ts: once per kind, as sync.bug). */
    private readonly log: SyncLog = { error: () => undefined, warn: () => undefined, info: () => undefined },
  ) {}

  // ---------------- users and state ----------------

  /** (Re)loads users and their persisted state from the store; keeps in-memory state of users already known. */
  async loadUsers(): Promise<void> {
    const [users, states] = await Promise.all([
      this.store.listUsers(this.settings.tenantId),
      this.store.listSyncStates(this.settings.tenantId),
    ]);
    const stored = new Map(states.map((s) => [s.entraUserId, s]));
    const seen = new Set<string>();
    for (const user of users) {
      if (!user.pbxPrincipalId) continue;
      seen.add(user.entraUserId);
      const known = this.entries.get(user.entraUserId);
      if (known) {
        known.user = engineUser(user);
      } else {
        const s = stored.get(user.entraUserId);
        this.entries.set(user.entraUserId, {
          user: engineUser(user),
          state: s ? { ...EMPTY_SYNC_STATE, ...(s.state as Partial<UserSyncState>) } : EMPTY_SYNC_STATE,
          version: s?.version ?? 0,
          lastSyncAt: s?.lastSyncAt ?? null,
          lastError: s?.lastError ? { message: s.lastError, fix: 'See the trace for details.' } : null,
          teams: newSide(),
          pbx: newSide(),
          cancelRenewal: null,
          pbxReading: false,
          pbxReadAgain: false,
          pbxFeedEpoch: 0,
          pbxVerifiedAt: null,
          callsFromStore:
            Object.keys((s?.state as Partial<UserSyncState> | undefined)?.pbxCalls ?? {}).length > 0,
        });
      }
    }
    for (const id of [...this.entries.keys()]) {
      if (!seen.has(id)) {
        this.entries.get(id)?.cancelRenewal?.();
        this.entries.delete(id);
      }
    }
    this.byPbx.clear();
    for (const e of this.entries.values())
      this.byPbx.set(e.user.pbxPrincipalId as string, e.user.entraUserId);
  }

  userIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Users whose Teams presence we must watch: selected, matched, with Teams → PBX on. */
  watchedUserIds(): string[] {
    return [...this.entries.values()]
      .filter((e) => this.ctx(e).directions.fromTeams)
      .map((e) => e.user.entraUserId);
  }

  syncedUserCount(): number {
    return [...this.entries.values()].filter((e) => e.user.selected).length;
  }

  entry(entraUserId: string): Entry | undefined {
    return this.entries.get(entraUserId);
  }

  /** In a call on either side as far as we know: our Teams session stands, or our phone DND does. */
  isHot(entraUserId: string): boolean {
    const e = this.entries.get(entraUserId);
    return !!e && (!!e.state.teamsSession || e.state.pbxAssertion?.dnd === true);
  }

  entryByPbx(principalId: string): Entry | undefined {
    const id = this.byPbx.get(principalId);
    return id ? this.entries.get(id) : undefined;
  }

  ctx(e: Entry): DecisionContext {
    return {
      table: this.mapping(),
      directions: directionsFor(this.selection(), e.user),
      now: this.clock.now(),
      sessionMs: this.settings.sessionMs,
      settleMs: this.settings.settleMs,
    };
  }

  queueDepth(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (e.teams.busy || e.teams.cancelRetry) n++;
      if (e.pbx.busy || e.pbx.cancelRetry) n++;
    }
    return n + this.pendingTeamsReads.size;
  }

  // ---------------- observations ----------------

  /** A Teams presence was read; `receivedAt` is when we first heard it changed. */
  /** `readAt`: when the read that returned `p` was sent, so a read after our clear is known not to show our session. */
  observeTeams(p: TeamsPresence, receivedAt: number, repair = false, readAt?: number): void {
    const e = this.entries.get(p.userId);
    if (!e) return;
    const ctx = this.ctx(e);
    const before = e.state.teams;
    const { state, verdict } = observeTeams(e.state, { ...p, readAt }, ctx);
    if (verdict === 'stale') {
      // A notification older than what we know, arriving late, is worth a trace. Re-reading the very presence we know
      // (a resync or poll: the same sequenceNumber) is not: it must not cost a trace and a store write per user.
      if (p.sequenceNumber !== before?.sequenceNumber)
        this.trace(e, 'teams.stale', { sequenceNumber: p.sequenceNumber ?? null });
      return;
    }
    let next = state;
    // A resync that finds our acknowledged session missing from Teams writes it again (Graph may have lost it).
    if (repair && verdict === 'user' && next.teamsSession?.acknowledged) {
      next = { ...next, teamsSession: { ...next.teamsSession, acknowledged: false } };
    }
    const same = before && before.availability === p.availability && before.activity === p.activity;
    if (same && !pbxWork(next) && !teamsWork(next, ctx.now, this.settings.renewAheadMs)) {
      e.state = plain(next); // nothing new and nothing to write (a resync or poll reading what we know): no trace, no store write
      return;
    }
    this.update(e, next, `teams.${verdict}`, {
      availability: p.availability,
      activity: p.activity,
      sequenceNumber: p.sequenceNumber ?? null,
    });
    this.kick(e, 'pbx', receivedAt);
    this.kick(e, 'teams', receivedAt);
  }

  /**
   * A PBX presence (DND, status text) arrived, dated `updatedOn` by CloudLink, or was read (null). The call state comes
   * from the user's calls, folded from call events (shared/domain/pbx-calls.ts), never from presence; calls not heard
   * of for too long are dropped here. An event not newer than what we know (webhooks arrive late and twice) is dropped.
   */
  observePbx(e: Entry, status: PbxStatus, receivedAt: number, updatedOn: number | null = null): void {
    const before = e.state.pbx;
    const now = this.clock.now();
    const calls = pruneCalls(e.state.pbxCalls ?? {}, now);
    const pbx = {
      dnd: status.dnd,
      statusText: status.statusText ?? null,
      callState: pbxCallState(calls, now),
    };
    const { state, verdict } = observePbx({ ...e.state, pbxCalls: calls }, pbx, this.ctx(e), updatedOn);
    if (verdict === 'stale') {
      this.trace(e, 'pbx.stale', { updatedOn: new Date(updatedOn as number).toISOString() });
      return;
    }
    const unchanged =
      before &&
      before.callState === pbx.callState &&
      before.dnd === pbx.dnd &&
      (before.statusText ?? null) === (pbx.statusText ?? null);
    if (unchanged && !pbxWork(state) && !teamsWork(state, this.clock.now(), this.settings.renewAheadMs)) {
      e.state = plain(state); // nothing new and nothing to write: no trace or store write
      return;
    }
    this.update(e, state, `pbx.${verdict}`, {
      callState: pbx.callState,
      dnd: pbx.dnd,
      statusText: pbx.statusText ?? null,
    });
    this.kick(e, 'teams', receivedAt);
    this.kick(e, 'pbx', receivedAt);
  }

  /**
   * A call event of the user (ringing, connected, held, ended): folded per call id into the user's calls, whose
   * aggregate is the PBX call state. Presence is not read for it. Until we know the user's DND (no presence read or
   * event yet), the calls are kept and the presentity is read, which applies them.
   */
  observeCall(e: Entry, event: CallEvent, receivedAt: number): void {
    const now = this.clock.now();
    const { calls, verdict } = foldCallEvent(e.state.pbxCalls ?? {}, event, now);
    if (verdict !== 'applied') {
      if (verdict === 'stale') this.trace(e, 'pbx.call.stale', { callId: event.callId, stage: event.stage });
      e.state = { ...e.state, pbxCalls: calls };
      return;
    }
    const pruned = pruneCalls(calls, now);
    const pbx = e.state.pbx;
    if (!pbx) {
      e.state = { ...e.state, pbxCalls: pruned };
      this.persist(e);
      // A read already in flight applies these calls when it lands (observePbx folds in the calls of that moment).
      if (!e.pbxReading) void this.readPbx(e, receivedAt);
      return;
    }
    const callState = pbxCallState(pruned, now);
    const next = applyPbxToTeams(
      { ...e.state, pbxCalls: pruned, pbx: { ...pbx, callState, at: now } },
      this.ctx(e),
    );
    this.update(e, next, 'pbx.call', { callId: event.callId, stage: event.stage, callState });
    this.kick(e, 'teams', receivedAt);
    this.kick(e, 'pbx', receivedAt);
  }

  /**
   * Asks the call records about calls we have not heard of for a while: a record with the call's id and an end time
   * means its "ended" event was lost. A failed read changes nothing (the expiry bound in pbx-calls.ts still holds).
   */
  private async settleQuietCalls(e: Entry): Promise<void> {
    const calls0 = e.state.pbxCalls ?? {};
    // After a restart every call we knew of is checked: its end may have been posted while we were down.
    const open = new Set(
      e.callsFromStore
        ? Object.keys(calls0).filter((id) => calls0[id].stage !== 'ended')
        : callsToCheck(calls0, this.clock.now()),
    );
    if (open.size === 0) return;
    let records;
    try {
      ({ records } = await this.cloudlink.listCallRecords({
        principalId: e.user.pbxPrincipalId as string,
        top: 50,
      }));
      this.metrics.cloudlinkCall('listCallRecords', 'ok');
      e.callsFromStore = false;
    } catch {
      this.metrics.cloudlinkCall('listCallRecords', 'error');
      return;
    }
    let calls: PbxCalls = e.state.pbxCalls ?? {};
    for (const r of records) {
      if (!open.has(r.callId) || !r.endTime) continue;
      const ended = Date.parse(r.endTime);
      calls = foldCallEvent(
        calls,
        { callId: r.callId, stage: 'ended', at: Number.isNaN(ended) ? null : ended },
        this.clock.now(),
      ).calls;
      this.trace(e, 'pbx.call.endFromRecords', { callId: r.callId });
    }
    e.state = { ...e.state, pbxCalls: calls };
  }

  /**
   * Records that our PBX view of the user was true at `at` under feed `epoch` (taken when the read started, so a feed
   * lost during the read is never vouched for). Epoch 0 (no live feed) vouches for nothing.
   */
  pbxVerified(e: Entry, epoch: number, at: number): void {
    e.pbxFeedEpoch = epoch;
    e.pbxVerifiedAt = at;
  }

  /** Whether a resync must read this user's PBX, or the live feed already keeps our view of it current. */
  needsPbxRead(e: Entry, maxAgeMs: number): boolean {
    return (
      !e.state.pbx ||
      !this.pbxFeed.vouchesFor(e.pbxFeedEpoch, e.pbxVerifiedAt, this.clock.now(), maxAgeMs) ||
      // A call we have not heard of for a while may have lost its "ended" event: the read asks the call records.
      callsToCheck(e.state.pbxCalls ?? {}, this.clock.now()).length > 0
    );
  }

  /** Re-derives what we assert from the current state (switches or mapping changed, restart, reset). */
  reevaluate(e: Entry, next?: UserSyncState): void {
    const derived = applyPbxToTeams(next ?? e.state, this.ctx(e));
    // Unchanged (every user at a start with nothing to repair): no trace entry and no store write.
    if (derived !== e.state) this.update(e, derived, 'reevaluate', {});
    this.kick(e, 'teams', this.clock.now());
    this.kick(e, 'pbx', this.clock.now());
  }

  /** Reads one user's PBX presence (coalesced: one read in flight per user, one more if asked meanwhile). */
  async readPbx(e: Entry, receivedAt: number): Promise<void> {
    if (e.pbxReading) {
      e.pbxReadAgain = true;
      return;
    }
    e.pbxReading = true;
    this.tasks++;
    try {
      do {
        e.pbxReadAgain = false;
        try {
          await this.readPbxOnce(e, receivedAt);
        } catch (err) {
          const f = classify(err, this.log);
          this.fail(e, f.message, f.retry ? 'The next PBX event or resync will read it again.' : f.fix);
        }
      } while (e.pbxReadAgain && !this.stopped);
    } finally {
      e.pbxReading = false;
      this.done();
    }
  }

  /**
   * One read of the user's PBX presence, counted, observed (`receivedAt` defaults to when the answer came) and recorded
   * as verified under the feed epoch taken when the read started. Rejects when the read fails; the caller says why.
   */
  async readPbxOnce(e: Entry, receivedAt?: number): Promise<void> {
    const epoch = this.pbxFeed.current();
    const readAt = this.clock.now();
    let pbx: PbxStatus;
    try {
      pbx = await this.cloudlink.getPresence(e.user.pbxPrincipalId as string);
    } catch (err) {
      this.metrics.cloudlinkCall('getPresence', 'error');
      throw err;
    }
    this.metrics.cloudlinkCall('getPresence', 'ok');
    await this.settleQuietCalls(e);
    this.observePbx(e, pbx, receivedAt ?? this.clock.now());
    this.pbxVerified(e, epoch, readAt);
  }

  /** Queues Teams presence reads for users a notification named; reads go out in batches of up to 650. */
  requestTeamsReads(userIds: string[], receivedAt: number): void {
    for (const id of userIds)
      if (this.entries.has(id) && !this.pendingTeamsReads.has(id)) this.pendingTeamsReads.set(id, receivedAt);
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.tasks++;
    // Let every notification of this tick join the batch.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pumpReads();
      this.done();
    });
  }

  private pumpReads(): void {
    while (!this.stopped && this.fetches < MAX_FETCHES && this.pendingTeamsReads.size > 0) {
      const batch = [...this.pendingTeamsReads.entries()].slice(0, 650);
      for (const [id] of batch) this.pendingTeamsReads.delete(id);
      this.fetches++;
      this.tasks++;
      void this.readTeamsBatch(batch).finally(() => {
        this.fetches--;
        this.pumpReads();
        this.done();
      });
    }
  }

  private async readTeamsBatch(batch: [string, number][], attempt = 0): Promise<void> {
    try {
      const readAt = this.clock.now();
      const presences = await this.graph.getPresencesByUserId(batch.map(([id]) => id));
      const at = new Map(batch);
      for (const p of presences) this.observeTeams(p, at.get(p.userId) ?? this.clock.now(), false, readAt);
    } catch (err) {
      const f = classify(err, this.log);
      if (!f.retry) {
        for (const [id] of batch) {
          const e = this.entries.get(id);
          if (e) this.fail(e, f.message, f.fix);
        }
        return;
      }
      // Nothing is dropped: the ids wait and go again (the newest read wins anyway).
      this.tasks++;
      this.clock.setTimer(Math.max(f.afterMs ?? 0, backoffMs(attempt)), () => {
        this.done();
        for (const [id, t] of batch) if (!this.pendingTeamsReads.has(id)) this.pendingTeamsReads.set(id, t);
        this.pumpReads();
      });
    }
  }

  // ---------------- writes ----------------

  private kick(e: Entry, side: 'teams' | 'pbx', receivedAt: number): void {
    const s = e[side];
    const hasWork =
      side === 'teams'
        ? !!teamsWork(e.state, this.clock.now(), this.settings.renewAheadMs)
        : !!pbxWork(e.state);
    if (!hasWork) {
      if (side === 'teams' && !s.busy) this.scheduleRenewal(e);
      return;
    }
    // A refused write waits for its slow retry; an observation that changes nothing about it must not resend it now
    // (a changed write, a new presence to set, goes at once).
    if (s.cancelHeal && s.refused !== null && s.refused === this.workKey(e, side)) return;
    if (s.since === null) s.since = receivedAt;
    if (s.busy) {
      s.again = true;
      return;
    }
    if (s.cancelRetry) return; // waiting out a backoff; the retry will pick up the newest state
    void this.runWorker(e, side);
  }

  /** One worker per user per side: sends the newest wanted state until nothing is left to send. */
  private async runWorker(e: Entry, side: 'teams' | 'pbx'): Promise<void> {
    const s = e[side];
    const term = this.term;
    s.busy = true;
    this.tasks++;
    try {
      for (;;) {
        s.again = false;
        if (this.stopped || term !== this.term) return;
        const ok = side === 'teams' ? await this.writeTeams(e) : await this.writePbx(e);
        if (ok === 'retrying' || ok === 'failed') return;
        // A write went through: nothing refused is waiting any more.
        if (ok === 'written') s.refused = null;
        if (ok === 'nothing' && !s.again) {
          if (s.since !== null) {
            this.metrics.observeLatency(
              side === 'teams' ? 'toTeams' : 'fromTeams',
              this.clock.now() - s.since,
            );
            s.since = null;
          }
          return;
        }
      }
    } finally {
      s.busy = false;
      this.done();
    }
  }

  private async writeTeams(e: Entry): Promise<'written' | 'nothing' | 'retrying' | 'failed'> {
    const sentAt = this.clock.now();
    const work = teamsWork(e.state, sentAt, this.settings.renewAheadMs);
    if (!work) {
      this.scheduleRenewal(e);
      return 'nothing';
    }
    try {
      if (work.kind === 'set')
        await this.graph.setPresence(e.user.entraUserId, work.presence, isoDuration(this.settings.sessionMs));
      else await this.graph.clearPresence(e.user.entraUserId);
      e.teams.attempt = 0;
      e.lastError = null;
      this.update(
        e,
        teamsWritten(e.state, work, sentAt, this.settings.sessionMs, this.clock.now()),
        `teams.${work.kind}`,
        work.kind === 'set' ? { presence: teamsKey(work.presence) } : {},
        true,
      );
      return 'written';
    } catch (err) {
      return this.failWrite(e, 'teams', err);
    }
  }

  private async writePbx(e: Entry): Promise<'written' | 'nothing' | 'retrying' | 'failed'> {
    const work = pbxWork(e.state);
    if (!work) return 'nothing';
    try {
      const receipt = await this.cloudlink.setDnd(e.user.pbxPrincipalId as string, work.dnd, work.statusText);
      this.metrics.cloudlinkCall('setDnd', 'ok');
      e.pbx.attempt = 0;
      e.lastError = null;
      const written = pbxWritten(e.state, work, this.clock.now(), receipt.updatedOn);
      // The user's press on the phone landed after our write: the DND is theirs, and Teams shows it.
      const crossed = written.pbxAssertion === null && e.state.pbxAssertion !== null;
      this.update(
        e,
        crossed ? applyPbxToTeams(written, this.ctx(e)) : written,
        'pbx.setDnd',
        { ...work },
        true,
      );
      if (crossed) this.kick(e, 'teams', this.clock.now());
      return 'written';
    } catch (err) {
      this.metrics.cloudlinkCall('setDnd', 'error');
      return this.failWrite(e, 'pbx', err);
    }
  }

  private failWrite(e: Entry, side: 'teams' | 'pbx', err: unknown): 'retrying' | 'failed' {
    const s = e[side];
    if (err instanceof FencedWriteError) {
      // Not ours to send any more (fence.ts counted and logged it): no retry, no error on the user; the owner that
      // took over re-reads both sides and writes what is needed.
      s.since = null;
      return 'failed';
    }
    const f = classify(err, this.log);
    if (!f.retry) {
      s.since = null;
      s.cancelHeal?.();
      s.cancelHeal = null;
      if (!f.healAfterMs || this.stopped) {
        this.fail(e, f.message, f.fix, true);
        return 'failed';
      }
      // Once someone fixes the cause (consent, licence, secret), the write goes through without waiting for a change.
      this.fail(
        e,
        f.message,
        `${f.fix} Switchboard tries again every ${f.healAfterMs / 60_000} minutes.`,
        true,
      );
      s.refused = this.workKey(e, side);
      s.cancelHeal = this.clock.setTimer(f.healAfterMs, () => {
        s.cancelHeal = null;
        s.refused = null;
        if (!this.stopped && this.entries.get(e.user.entraUserId) === e) this.kick(e, side, this.clock.now());
      });
      return 'failed';
    }
    this.trace(e, `${side}.retry`, { reason: f.message, attempt: s.attempt });
    const delay = Math.max(f.afterMs ?? 0, backoffMs(s.attempt++));
    this.tasks++;
    s.cancelRetry = this.clock.setTimer(delay, () => {
      s.cancelRetry = null;
      this.done();
      if (!s.busy && !this.stopped) void this.runWorker(e, side);
    });
    return 'retrying';
  }

  /** The write a side would send now, as a comparable key (null: nothing to send). */
  private workKey(e: Entry, side: 'teams' | 'pbx'): string | null {
    const work =
      side === 'teams' ? teamsWork(e.state, this.clock.now(), this.settings.renewAheadMs) : pbxWork(e.state);
    return work ? JSON.stringify(work) : null;
  }

  private scheduleRenewal(e: Entry): void {
    e.cancelRenewal?.();
    e.cancelRenewal = null;
    const due = renewalDueAt(e.state, this.settings.renewAheadMs);
    if (due === null || this.stopped) return;
    e.cancelRenewal = this.clock.setTimer(due - this.clock.now(), () => {
      e.cancelRenewal = null;
      this.kick(e, 'teams', this.clock.now());
    });
  }

  /**
   * A resync read both sides of this user and carried out what they called for: that is a sync even when nothing
   * needed writing, and a read error from before is over (a refused write is cleared only by a write that lands).
   * Persisted only the first time (the "never synced" case) or when an error clears, so a 50,000-user resync does
   * not double its store writes; later values ride along with the next state change.
   */
  /** A resync (periodic, "Sync all", "Resync this user") tries refused writes again at once, as the rules promise. */
  retryRefusedWrites(e: Entry): void {
    for (const side of ['teams', 'pbx'] as const) {
      if (e[side].refused === null) continue;
      e[side].refused = null;
      this.kick(e, side, this.clock.now());
    }
  }

  markSynced(e: Entry, at: number): void {
    const first = e.lastSyncAt === null;
    e.lastSyncAt = at;
    const readErrorOver = e.lastError !== null && !e.lastError.write;
    if (readErrorOver) e.lastError = null;
    if (first || readErrorOver) this.persist(e);
  }

  // ---------------- persistence and trace ----------------

  private update(
    e: Entry,
    next: UserSyncState,
    kind: string,
    detail: Record<string, unknown>,
    synced = false,
  ): void {
    e.state = next;
    if (synced) e.lastSyncAt = this.clock.now();
    this.trace(e, kind, detail);
    this.persist(e);
  }

  fail(e: Entry, message: string, fix: string, write = false): void {
    e.lastError = { message, fix, write };
    this.metrics.error();
    this.trace(e, 'error', { message });
    this.persist(e);
  }

  trace(e: Entry, kind: string, detail: Record<string, unknown>): void {
    this.unsavedTrace.push({
      tenantId: this.settings.tenantId,
      entraUserId: e.user.entraUserId,
      at: this.clock.now(),
      kind,
      detail,
    });
    this.scheduleFlush();
  }

  private persist(e: Entry): void {
    this.unsaved.add(e);
    this.scheduleFlush();
  }

  /**
   * Store writes made in one turn of the event loop go out together, a transaction per SAVE_BATCH states and one per
   * SAVE_BATCH trace entries: a resync's Teams read of 650 users is observed in one turn and written in a few
   * transactions, not 1,300 single writes each with its own promise chain, and a user changed twice in a turn (its
   * observation and markSynced) is written once.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return; // a running flush takes what arrives meanwhile
    this.flushScheduled = true;
    this.tasks++;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.unsaved.size > 0 || this.unsavedTrace.length > 0) {
        const trace = this.unsavedTrace.splice(0, SAVE_BATCH);
        // diagnostics only: a failed trace write must not stop sync
        if (trace.length > 0)
          await this.store.appendTraces(trace).catch((err: unknown) => this.onStoreError(err, 'traces'));
        const batch: Entry[] = [];
        for (const e of this.unsaved) {
          batch.push(e);
          this.unsaved.delete(e);
          if (batch.length === SAVE_BATCH) break;
        }
        if (batch.length > 0) await this.saveStates(batch);
      }
    } finally {
      this.flushing = false;
      this.done();
    }
  }

  private async saveStates(batch: Entry[]): Promise<void> {
    for (const e of batch) e.state = plain(e.state);
    let versions: (number | null)[];
    try {
      versions = await this.store.putSyncStates(
        batch.map((e) => ({
          tenantId: this.settings.tenantId,
          entraUserId: e.user.entraUserId,
          state: e.state as unknown as Record<string, unknown>,
          lastSyncAt: e.lastSyncAt,
          lastError: e.lastError?.message ?? null,
          version: e.version,
        })),
      );
    } catch (err) {
      this.metrics.error(); // the user's next change writes the state again
      this.onStoreError(err, 'syncStates');
      return;
    }
    for (const [i, e] of batch.entries()) {
      const version = versions[i];
      if (version !== null) {
        e.version = version;
        continue;
      }
      // Another process wrote this user: this process holds the newer in-memory truth for its own writes, unless it
      // lost the lease (then the other process is the owner and its state stands).
      if (this.abandoned) continue;
      try {
        e.version = (await this.store.getSyncState(this.settings.tenantId, e.user.entraUserId))?.version ?? 0;
        this.unsaved.add(e);
      } catch (err) {
        this.metrics.error();
        this.onStoreError(err, 'syncStates');
      }
    }
  }

  // ---------------- lifecycle ----------------

  private done(): void {
    this.tasks--;
    if (this.tasks === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  /** Resolves once no write, read, retry wait or store write is pending. */
  idle(): Promise<void> {
    if (this.tasks === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once nothing is running right now (scheduled retries may still wait). */
  async settled(): Promise<void> {
    for (;;) {
      const busy =
        this.fetches > 0 ||
        this.pumpScheduled ||
        this.flushScheduled ||
        this.flushing ||
        [...this.entries.values()].some((e) => e.teams.busy || e.pbx.busy || e.pbxReading);
      if (!busy) return;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) {
      e.cancelRenewal?.();
      for (const s of [e.teams, e.pbx]) {
        s.cancelHeal?.();
        s.cancelHeal = null;
        if (s.cancelRetry) {
          s.cancelRetry();
          s.cancelRetry = null;
          this.done();
        }
      }
    }
  }

  /**
   * Halted for losing the sync lease (ownership.ts): stops like stop(), and drops what was not saved yet, which the
   * next owner's state supersedes.
   */
  abandon(): void {
    this.stop();
    this.abandoned = true;
    this.unsaved.clear();
    this.unsavedTrace = [];
  }

  /**
   * A new ownership term after a halt: what this process knew of users is forgotten (another process may have owned
   * them meanwhile; the store holds the newer truth, reloaded by loadUsers) and the engine runs again.
   */
  resume(): void {
    this.stop();
    this.term++;
    for (const e of this.entries.values()) e.cancelRenewal?.();
    this.entries.clear();
    this.byPbx.clear();
    this.pendingTeamsReads.clear();
    this.unsaved.clear();
    this.unsavedTrace = [];
    this.abandoned = false;
    this.stopped = false;
  }

  allEntries(): IterableIterator<Entry> {
    return this.entries.values();
  }
}

export type { Entry as EngineEntry };

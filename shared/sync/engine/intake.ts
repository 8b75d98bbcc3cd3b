import { said } from '../../api/texts/english';
import {
  callsToCheck,
  foldCallEvent,
  pbxCallState,
  pruneCalls,
  type CallEvent,
  type PbxCalls,
} from '../../domain/pbx-calls';
import type { PbxStatus, TeamsPresence } from '../../domain/presence';
import { applyPbxToTeams, observePbx, observeTeams, pbxWork, teamsWork } from '../../domain/sync-decision';
import type { UserSyncState } from '../../domain/sync-state';
import type { CloudLinkPort, PbxEvent } from '../../ports/cloudlink';
import type { SyncClock } from '../clock';
import type { SyncLog } from '../log';
import { classify } from '../errors';
import type { SyncMetrics } from '../metrics';
import type { PbxFeed } from '../pbx-feed';
import { plain, type Entry } from './entry';
import type { UserRegistry } from './registry';
import type { EngineRun, TaskCounter } from './tasks';
import type { EngineSettings, UserChanges } from './user-changes';
import type { WriteWorkers } from './write-workers';

/**
 * What the engine hears of both sides: Teams presence reads, PBX presence (events and reads) and call events, each
 * judged by shared/domain against what we know and assert; a change starts the write workers. Reads of the PBX go
 * through here too (one in flight per user), as do the call records that settle calls whose end was lost.
 */
export class Intake {
  constructor(
    private readonly settings: EngineSettings,
    private readonly cloudlink: CloudLinkPort,
    private readonly clock: SyncClock,
    private readonly metrics: SyncMetrics,
    private readonly tasks: TaskCounter,
    private readonly run: EngineRun,
    private readonly registry: UserRegistry,
    private readonly changes: UserChanges,
    private readonly workers: WriteWorkers,
    private readonly pbxFeed: PbxFeed,
    /** Where a bug that failed a read is reported (errors.ts: once per kind, as sync.bug). */
    private readonly log: SyncLog,
  ) {}

  /**
   * A Teams presence was read; `receivedAt` is when we first heard it changed; `readAt`: when the read that returned
   * `p` was sent, so a read after our clear is known not to show our session.
   */
  observeTeams(p: TeamsPresence, receivedAt: number, repair = false, readAt?: number): void {
    const e = this.registry.get(p.userId);
    if (!e) return;
    const ctx = this.changes.ctx(e);
    const before = e.state.teams;
    const { state, verdict } = observeTeams(e.state, { ...p, readAt }, ctx);
    if (verdict === 'stale') {
      // A notification older than what we know, arriving late, is worth a trace. Re-reading the very presence we know
      // (a resync or poll: the same sequenceNumber) is not: it must not cost a trace and a store write per user.
      if (p.sequenceNumber !== before?.sequenceNumber)
        this.changes.trace(e, 'teams.stale', { sequenceNumber: p.sequenceNumber ?? null });
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
    this.changes.update(e, next, `teams.${verdict}`, {
      availability: p.availability,
      activity: p.activity,
      sequenceNumber: p.sequenceNumber ?? null,
    });
    this.workers.kick(e, 'pbx', receivedAt);
    this.workers.kick(e, 'teams', receivedAt);
  }

  /**
   * A CloudLink webhook as the adapter read it: presence (DND, status text), a call's stage, or a call's end. Events
   * of users the engine does not sync are ignored.
   */
  async applyPbxEvent(change: PbxEvent, receivedAt: number): Promise<void> {
    const e = this.registry.byPbxPrincipal(change.principalId);
    if (!e) return;
    if (change.kind !== 'presence') {
      // Calls come from call events alone: folded per call id, no presentity read.
      const stage = change.kind === 'callEnded' ? 'ended' : change.stage;
      this.observeCall(e, { callId: change.callId, stage, at: change.at }, receivedAt);
      return;
    }
    const epoch = this.pbxFeed.current();
    try {
      if (!change.status) return await this.readPbx(e, receivedAt);
      // Webhooks arrive late, twice and out of order (CloudLink retries): the engine drops what is not newer than the
      // change it knows, our acknowledged DND write included (compared by CloudLink's own updatedOn).
      this.observePbx(e, change.status, receivedAt, change.at);
      this.pbxVerified(e, epoch, receivedAt);
    } catch (err) {
      // An event we could not apply leaves our view unverified: the next resync reads this user's PBX.
      this.pbxVerified(e, 0, receivedAt);
      this.changes.fail(
        e,
        said('sync.pbxEventFailed', { detail: err instanceof Error ? err.message : String(err) }),
        said('fix.nextResyncReadsPbx'),
      );
    }
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
    const { state, verdict } = observePbx(
      { ...e.state, pbxCalls: calls },
      pbx,
      this.changes.ctx(e),
      updatedOn,
    );
    if (verdict === 'stale') {
      this.changes.trace(e, 'pbx.stale', { updatedOn: new Date(updatedOn as number).toISOString() });
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
    this.changes.update(e, state, `pbx.${verdict}`, {
      callState: pbx.callState,
      dnd: pbx.dnd,
      statusText: pbx.statusText ?? null,
    });
    this.workers.kick(e, 'teams', receivedAt);
    this.workers.kick(e, 'pbx', receivedAt);
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
      if (verdict === 'stale')
        this.changes.trace(e, 'pbx.call.stale', { callId: event.callId, stage: event.stage });
      e.state = { ...e.state, pbxCalls: calls };
      return;
    }
    const pruned = pruneCalls(calls, now);
    const pbx = e.state.pbx;
    if (!pbx) {
      e.state = { ...e.state, pbxCalls: pruned };
      this.changes.persist(e);
      // A read already in flight applies these calls when it lands (observePbx folds in the calls of that moment).
      if (!e.pbxReading) void this.readPbx(e, receivedAt);
      return;
    }
    const callState = pbxCallState(pruned, now);
    const next = applyPbxToTeams(
      { ...e.state, pbxCalls: pruned, pbx: { ...pbx, callState, at: now } },
      this.changes.ctx(e),
    );
    this.changes.update(e, next, 'pbx.call', { callId: event.callId, stage: event.stage, callState });
    this.workers.kick(e, 'teams', receivedAt);
    this.workers.kick(e, 'pbx', receivedAt);
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
    const derived = applyPbxToTeams(next ?? e.state, this.changes.ctx(e));
    // Unchanged (every user at a start with nothing to repair): no trace entry and no store write.
    if (derived !== e.state) this.changes.update(e, derived, 'reevaluate', {});
    this.workers.kick(e, 'teams', this.clock.now());
    this.workers.kick(e, 'pbx', this.clock.now());
  }

  /** Reads one user's PBX presence (coalesced: one read in flight per user, one more if asked meanwhile). */
  async readPbx(e: Entry, receivedAt: number): Promise<void> {
    if (e.pbxReading) {
      e.pbxReadAgain = true;
      return;
    }
    e.pbxReading = true;
    this.tasks.begin();
    try {
      do {
        e.pbxReadAgain = false;
        try {
          await this.readPbxOnce(e, receivedAt);
        } catch (err) {
          const f = classify(err, this.log);
          this.changes.fail(e, f.message, f.retry ? said('fix.nextPbxEventOrResync') : f.fix);
        }
      } while (e.pbxReadAgain && !this.run.stopped);
    } finally {
      e.pbxReading = false;
      this.tasks.end();
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
      this.changes.trace(e, 'pbx.call.endFromRecords', { callId: r.callId });
    }
    e.state = { ...e.state, pbxCalls: calls };
  }
}

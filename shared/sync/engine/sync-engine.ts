import type { CodedText, Problem } from '../../api/contract';
import type { MappingTable, PhoneResetOutcome, UserSelection } from '../../api/contract';
import { DEFAULT_MAPPING } from '../../domain/mapping';
import type { TeamsPresence } from '../../domain/presence';
import { DEFAULT_SELECTION, directionsFor, type Directions } from '../../domain/selection';
import { callsDueForCheck } from '../../domain/pbx-calls';
import { ourPbxStatusTexts, resetAssertions } from '../../domain/sync-decision';
import type { UserSyncState } from '../../domain/sync-state';
import type { CloudLinkPort, PbxEvent } from '../../ports/cloudlink';
import type { GraphPort } from '../../ports/graph';
import type { Store } from '../../ports/store';
import type { SyncClock } from '../clock';
import type { SyncLog } from '../log';
import type { SyncMetrics } from '../metrics';
import { PbxFeed } from '../pbx-feed';
import { Intake } from './intake';
import { UserRegistry } from './registry';
import { SessionRenewals } from './renewals';
import { BatchedStoreWrites, type StoreWrite } from './store-writes';
import { EngineRun, TaskCounter } from './tasks';
import { TeamsReadBatcher } from './teams-reads';
import { UserChanges, type EngineSettings } from './user-changes';
import { WriteWorkers } from './write-workers';

export type { EngineSettings } from './user-changes';
export type { StoreWrite } from './store-writes';

/** What the engine holds of a user's sync, for their status. */
export interface UserSyncView {
  state: UserSyncState;
  lastSyncAt: number | null;
  lastError: Problem | null;
  /** Which directions sync for the user under the admin's selection and their own switches. */
  enabled: Directions;
}

/**
 * The engine core: users and their state (registry.ts), the intake of observations from both sides (intake.ts), Teams
 * reads batched (teams-reads.ts), the two write queues per user with retry and heal (write-workers.ts), session renewal
 * (renewals.ts), batched store writes (store-writes.ts) and the count of pending work (tasks.ts). Decisions come from
 * shared/domain. The rest of the sync layer names users by Entra id; what the engine holds of a user stays in here.
 */
export class SyncEngine {
  /** Whether CloudLink's presence events keep our PBX view current; the service starts and loses it. */
  readonly pbxFeed = new PbxFeed();
  private readonly run = new EngineRun();
  private readonly tasks = new TaskCounter();
  private readonly registry = new UserRegistry();
  private readonly writes: BatchedStoreWrites;
  private readonly changes: UserChanges;
  private readonly workers: WriteWorkers;
  private readonly intake: Intake;
  private readonly teamsReads: TeamsReadBatcher;

  constructor(
    private readonly settings: EngineSettings,
    graph: GraphPort,
    cloudlink: CloudLinkPort,
    private readonly store: Store,
    private readonly clock: SyncClock,
    metrics: SyncMetrics,
    private readonly mapping: () => MappingTable = () => DEFAULT_MAPPING,
    private readonly selection: () => UserSelection = () => DEFAULT_SELECTION,
    /** A store write failed (sync goes on; the state is written again at the user's next change): to be logged. */
    onStoreError: (err: unknown, what: StoreWrite) => void = () => undefined,
    /** Where a bug that failed a read or a write is reported (errors.ts: once per kind, as sync.bug). */
    log: SyncLog = { error: () => undefined, warn: () => undefined, info: () => undefined },
  ) {
    const { run, tasks, registry } = this;
    this.writes = new BatchedStoreWrites(settings.tenantId, store, clock, metrics, tasks, run, onStoreError);
    this.changes = new UserChanges(settings, clock, metrics, this.writes, mapping, selection);
    const renewals = new SessionRenewals(clock, settings.renewAheadMs, run);
    this.workers = new WriteWorkers(
      settings,
      graph,
      cloudlink,
      clock,
      metrics,
      tasks,
      run,
      registry,
      this.changes,
      renewals,
      log,
    );
    this.intake = new Intake(
      settings,
      cloudlink,
      clock,
      metrics,
      tasks,
      run,
      registry,
      this.changes,
      this.workers,
      this.pbxFeed,
      log,
    );
    this.teamsReads = new TeamsReadBatcher(
      graph,
      clock,
      tasks,
      run,
      {
        knows: (id) => registry.has(id),
        observe: (p, receivedAt, readAt) => this.intake.observeTeams(p, receivedAt, false, readAt),
        fail: (id, message, fix) => {
          const e = registry.get(id);
          if (e) this.changes.fail(e, message, fix);
        },
      },
      log,
    );
  }

  // ---------------- users ----------------

  /** (Re)loads users and their persisted state from the store; keeps in-memory state of users already known. */
  async loadUsers(): Promise<void> {
    const [users, states] = await Promise.all([
      this.store.listUsers(this.settings.tenantId),
      this.store.listSyncStates(this.settings.tenantId),
    ]);
    this.registry.load(users, states);
  }

  /** Whether the engine syncs this user (matched to a PBX user). */
  knows(entraUserId: string): boolean {
    return this.registry.has(entraUserId);
  }

  /** Users whose Teams presence we must watch: selected, matched, with Teams → PBX on. */
  watchedUserIds(): string[] {
    return [...this.registry.all()]
      .filter((e) => this.changes.ctx(e).directions.fromTeams)
      .map((e) => e.user.entraUserId);
  }

  /** The users the admin's selection syncs. */
  selectedUserIds(): string[] {
    return [...this.registry.all()].filter((e) => e.user.selected).map((e) => e.user.entraUserId);
  }

  syncedUserCount(): number {
    return [...this.registry.all()].filter((e) => e.user.selected).length;
  }

  /** In a call on either side as far as we know: our Teams session stands, or our phone DND does. */
  isHot(entraUserId: string): boolean {
    const e = this.registry.get(entraUserId);
    return !!e && (!!e.state.teamsSession || e.state.pbxAssertion?.dnd === true);
  }

  /** We still hold something for this user: a Teams session, a clear not yet sent, a PBX DND we set or are setting. */
  holdsAssertionsFor(entraUserId: string): boolean {
    const s = this.registry.get(entraUserId)?.state;
    return (
      !!s &&
      (!!s.teamsSession ||
        s.teamsClearPending ||
        !!(s.pbxAssertion && (s.pbxAssertion.dnd || !s.pbxAssertion.acknowledged)))
    );
  }

  /**
   * The users whose PBX a start reads before anything else: those we hold a Teams session, an unsent clear or an
   * unacknowledged DND write for (a call that ended while we were down must not leave a stale Busy behind), and the
   * selected users whose PBX view is older than `outageFrom`, when the start follows an outage (null: none known).
   */
  usersToReadAtStart(outageFrom: number | null): string[] {
    return [...this.registry.all()]
      .filter(
        (e) =>
          e.state.teamsSession ||
          e.state.teamsClearPending ||
          (e.state.pbxAssertion && !e.state.pbxAssertion.acknowledged) ||
          (outageFrom !== null && e.user.selected && (!e.state.pbx || e.state.pbx.at < outageFrom)),
      )
      .map((e) => e.user.entraUserId);
  }

  /** What the engine holds of the user's sync; undefined for a user it does not sync. */
  view(entraUserId: string): UserSyncView | undefined {
    const e = this.registry.get(entraUserId);
    if (!e) return undefined;
    return {
      state: e.state,
      lastSyncAt: e.lastSyncAt,
      lastError: e.lastError,
      enabled: directionsFor(this.selection(), e.user),
    };
  }

  /** Writes in flight or waiting out a backoff, and users waiting for a Teams read. */
  queueDepth(): number {
    let n = 0;
    for (const e of this.registry.all()) n += this.workers.queued(e);
    return n + this.teamsReads.waiting;
  }

  // ---------------- what both sides say ----------------

  /** A Teams presence was read; `receivedAt` is when we first heard it changed. */
  /** `readAt`: when the read that returned `p` was sent, so a read after our clear is known not to show our session. */
  observeTeams(p: TeamsPresence, receivedAt: number, repair = false, readAt?: number): void {
    this.intake.observeTeams(p, receivedAt, repair, readAt);
  }

  /** A CloudLink webhook as the adapter read it (intake.ts); events of users not synced are ignored. */
  applyPbxEvent(change: PbxEvent, receivedAt: number): Promise<void> {
    return this.intake.applyPbxEvent(change, receivedAt);
  }

  /** Queues Teams presence reads for users a notification named; reads go out in batches of up to 650. */
  requestTeamsReads(userIds: string[], receivedAt: number): void {
    this.teamsReads.request(userIds, receivedAt);
  }

  /** Reads one user's PBX presence (coalesced: one read in flight per user, one more if asked meanwhile). */
  readPbx(entraUserId: string, receivedAt: number): Promise<void> {
    const e = this.registry.get(entraUserId);
    return e ? this.intake.readPbx(e, receivedAt) : Promise.resolve();
  }

  /**
   * One read of the user's PBX presence, observed and recorded as verified. Rejects when the read fails; the caller
   * says why (see fail).
   */
  readPbxOnce(entraUserId: string, receivedAt?: number): Promise<void> {
    const e = this.registry.get(entraUserId);
    return e ? this.intake.readPbxOnce(e, receivedAt) : Promise.resolve();
  }

  /** Whether a resync must read this user's PBX, or the live feed already keeps our view of it current. */
  needsPbxRead(entraUserId: string, maxAgeMs: number): boolean {
    const e = this.registry.get(entraUserId);
    return !!e && this.intake.needsPbxRead(e, maxAgeMs);
  }

  /** Whether a resync reads the user's Teams presence: Teams → PBX is on, or we hold a Teams session to check. */
  watchesTeams(entraUserId: string): boolean {
    const e = this.registry.get(entraUserId);
    return !!e && (this.changes.ctx(e).directions.fromTeams || !!e.state.teamsSession);
  }

  /** Re-derives what we assert for every user from their current state (switches or mapping changed, a start). */
  reevaluateAll(): void {
    for (const e of this.registry.all()) this.intake.reevaluate(e);
  }

  /**
   * Gives back what we asserted for the user (our Teams session, a phone DND that is ours) and re-derives from what
   * both sides say; answers what it gave back (undefined for a user the engine does not sync).
   */
  /** The admin's reset, first step: every open call of the user is asked about in the call records at the next read. */
  checkCallsAtNextRead(entraUserId: string): void {
    const e = this.registry.get(entraUserId);
    if (e?.state.pbxCalls)
      this.intake.reevaluate(e, { ...e.state, pbxCalls: callsDueForCheck(e.state.pbxCalls, this.clock.now()) });
  }

  resetAssertions(entraUserId: string): PhoneResetOutcome | undefined {
    const e = this.registry.get(entraUserId);
    if (!e) return undefined;
    const { state, outcome } = resetAssertions(e.state, this.clock.now(), ourPbxStatusTexts(this.mapping()));
    this.intake.reevaluate(e, state);
    return outcome;
  }

  /** A resync (periodic, "Sync all", "Resync this user") tries refused writes again at once, as the rules promise. */
  retryRefusedWrites(entraUserId: string): void {
    const e = this.registry.get(entraUserId);
    if (e) this.workers.retryRefusedWrites(e);
  }

  /** A resync read both sides of the user and carried out what they called for (user-changes.ts). */
  markSynced(entraUserId: string, at: number): void {
    const e = this.registry.get(entraUserId);
    if (e) this.changes.markSynced(e, at);
  }

  /** Puts an error on the user's status (a read failed), with what fixes it. */
  fail(entraUserId: string, message: CodedText, fix: CodedText): void {
    const e = this.registry.get(entraUserId);
    if (e) this.changes.fail(e, message, fix);
  }

  // ---------------- lifecycle ----------------

  /** Resolves once no write, read, retry wait or store write is pending. */
  idle(): Promise<void> {
    return this.tasks.idle();
  }

  /** Resolves once nothing is running right now (scheduled retries may still wait). */
  async settled(): Promise<void> {
    for (;;) {
      const busy =
        this.teamsReads.busy() ||
        this.writes.busy() ||
        [...this.registry.all()].some((e) => this.workers.writing(e) || e.pbxReading);
      if (!busy) return;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  stop(): void {
    this.run.stopped = true;
    for (const e of this.registry.all()) this.workers.stop(e);
  }

  /**
   * Halted for losing the sync lease (ownership.ts): stops like stop(), and drops what was not saved yet, which the
   * next owner's state supersedes.
   */
  abandon(): void {
    this.stop();
    this.run.abandoned = true;
    this.writes.dropUnsaved();
  }

  /**
   * A new ownership term after a halt: what this process knew of users is forgotten (another process may have owned
   * them meanwhile; the store holds the newer truth, reloaded by loadUsers) and the engine runs again.
   */
  resume(): void {
    this.stop();
    this.run.term++;
    this.registry.clear();
    this.teamsReads.clear();
    this.writes.dropUnsaved();
    this.run.abandoned = false;
    this.run.stopped = false;
  }
}

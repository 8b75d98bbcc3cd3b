import type { CodedText } from '../../api/contract';
import { codedProblem } from '../stored-problem';
import type { MappingTable, UserSelection } from '../../api/contract';
import { directionsFor } from '../../domain/selection';
import type { DecisionContext } from '../../domain/sync-decision';
import type { UserSyncState } from '../../domain/sync-state';
import type { SyncClock } from '../clock';
import type { SyncMetrics } from '../metrics';
import type { Entry } from './entry';
import type { BatchedStoreWrites } from './store-writes';

export interface EngineSettings {
  tenantId: string;
  sessionMs: number;
  renewAheadMs: number;
  settleMs: number;
}

/**
 * How a change to a user is recorded: the new state, a trace entry saying why, the error the user's status shows,
 * and the store write that keeps it. Also the context the domain decides in (the admin's mapping and switches, now).
 */
export class UserChanges {
  constructor(
    private readonly settings: EngineSettings,
    private readonly clock: SyncClock,
    private readonly metrics: SyncMetrics,
    private readonly writes: BatchedStoreWrites,
    private readonly mapping: () => MappingTable,
    private readonly selection: () => UserSelection,
  ) {}

  ctx(e: Entry): DecisionContext {
    return {
      table: this.mapping(),
      directions: directionsFor(this.selection(), e.user),
      now: this.clock.now(),
      sessionMs: this.settings.sessionMs,
      settleMs: this.settings.settleMs,
    };
  }

  update(e: Entry, next: UserSyncState, kind: string, detail: Record<string, unknown>, synced = false): void {
    e.state = next;
    if (synced) e.lastSyncAt = this.clock.now();
    this.writes.trace(e, kind, detail);
    this.writes.persist(e);
  }

  fail(e: Entry, message: CodedText, fix: CodedText, write = false): void {
    const problem = codedProblem(message, fix);
    e.lastError = { ...problem, write };
    this.metrics.error();
    this.writes.trace(e, 'error', { message: problem.message });
    this.writes.persist(e);
  }

  trace(e: Entry, kind: string, detail: Record<string, unknown>): void {
    this.writes.trace(e, kind, detail);
  }

  persist(e: Entry): void {
    this.writes.persist(e);
  }

  /**
   * A resync read both sides of this user and carried out what they called for: that is a sync even when nothing
   * needed writing, and a read error from before is over (a refused write is cleared only by a write that lands).
   * Persisted only the first time (the "never synced" case) or when an error clears, so a 50,000-user resync does
   * not double its store writes; later values ride along with the next state change.
   */
  markSynced(e: Entry, at: number): void {
    const first = e.lastSyncAt === null;
    e.lastSyncAt = at;
    const readErrorOver = e.lastError !== null && !e.lastError.write;
    if (readErrorOver) e.lastError = null;
    if (first || readErrorOver) this.writes.persist(e);
  }
}

import { storedProblemText } from '../stored-problem';
import type { Store, TraceEntry } from '../../ports/store';
import type { SyncClock } from '../clock';
import type { SyncMetrics } from '../metrics';
import { plain, type Entry } from './entry';
import type { EngineRun, TaskCounter } from './tasks';

/** Which batched store write failed (see SyncDeps.onStoreError). */
export type StoreWrite = 'syncStates' | 'traces';

/** Sync states (and trace entries) written per store transaction. */
const SAVE_BATCH = 500;

/**
 * The engine's writes to the store: users whose state changed and trace entries, gathered and written in batches.
 * A failed write does not stop sync (the user's next change writes the state again); it is reported.
 */
export class BatchedStoreWrites {
  /** Users whose state changed since it was last written, and trace entries not yet written (see flush). */
  private readonly unsaved = new Set<Entry>();
  private unsavedTrace: TraceEntry[] = [];
  private flushScheduled = false;
  private flushing = false;

  constructor(
    private readonly tenantId: string,
    private readonly store: Store,
    private readonly clock: SyncClock,
    private readonly metrics: SyncMetrics,
    private readonly tasks: TaskCounter,
    private readonly run: EngineRun,
    /** A store write failed (sync goes on; the state is written again at the user's next change): to be logged. */
    private readonly onStoreError: (err: unknown, what: StoreWrite) => void,
  ) {}

  trace(e: Entry, kind: string, detail: Record<string, unknown>): void {
    this.unsavedTrace.push({
      tenantId: this.tenantId,
      entraUserId: e.user.entraUserId,
      at: this.clock.now(),
      kind,
      detail,
    });
    this.scheduleFlush();
  }

  persist(e: Entry): void {
    this.unsaved.add(e);
    this.scheduleFlush();
  }

  /** A flush is scheduled or running. */
  busy(): boolean {
    return this.flushScheduled || this.flushing;
  }

  /** What was not written yet is dropped (the next owner's state supersedes it, or the engine starts afresh). */
  dropUnsaved(): void {
    this.unsaved.clear();
    this.unsavedTrace = [];
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
    this.tasks.begin();
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
      this.tasks.end();
    }
  }

  private async saveStates(batch: Entry[]): Promise<void> {
    for (const e of batch) e.state = plain(e.state);
    let versions: (number | null)[];
    try {
      versions = await this.store.putSyncStates(
        batch.map((e) => ({
          tenantId: this.tenantId,
          entraUserId: e.user.entraUserId,
          state: e.state as unknown as Record<string, unknown>,
          lastSyncAt: e.lastSyncAt,
          lastError: e.lastError ? storedProblemText(e.lastError) : null,
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
      if (this.run.abandoned) continue;
      try {
        e.version = (await this.store.getSyncState(this.tenantId, e.user.entraUserId))?.version ?? 0;
        this.unsaved.add(e);
      } catch (err) {
        this.metrics.error();
        this.onStoreError(err, 'syncStates');
      }
    }
  }
}

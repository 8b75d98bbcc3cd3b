import type { CodedText } from '../../api/contract';
import type { TeamsPresence } from '../../domain/presence';
import type { GraphPort } from '../../ports/graph';
import { eventStamp, type SyncClock } from '../clock';
import type { SyncLog } from '../log';
import { backoffMs, classify } from '../errors';
import type { EngineRun, TaskCounter } from './tasks';

/** Teams presence reads run this many batches at once; the rate limiter paces them. */
const MAX_FETCHES = 4;
/** Users named in one getPresencesByUserId request (Graph's limit). */
const BATCH = 650;

/** Where the reads' answers go: the engine's intake, and the users' errors when a read is refused. */
export interface TeamsReadSink {
  /** Whether the engine syncs this user (reads are asked only for them). */
  knows(entraUserId: string): boolean;
  observe(p: TeamsPresence, receivedAt: number, readAt: number): void;
  fail(entraUserId: string, message: CodedText, fix: CodedText): void;
}

/**
 * Teams presence reads asked for by notifications: every id named in one turn of the event loop joins one batch of up
 * to 650, at most MAX_FETCHES batches are in flight, and a batch that fails for a passing reason goes again after a
 * backoff (nothing is dropped; the newest read wins anyway).
 */
export class TeamsReadBatcher {
  private readonly pending = new Map<string, number>();
  private fetches = 0;
  private pumpScheduled = false;

  constructor(
    private readonly graph: GraphPort,
    private readonly clock: SyncClock,
    private readonly tasks: TaskCounter,
    private readonly run: EngineRun,
    private readonly sink: TeamsReadSink,
    /** Where a bug that failed a read is reported (errors.ts: once per kind, as sync.bug). */
    private readonly log: SyncLog,
  ) {}

  /** Queues reads of these users; `receivedAt` is when we heard they changed. */
  request(userIds: string[], receivedAt: number): void {
    for (const id of userIds)
      if (this.sink.knows(id) && !this.pending.has(id)) this.pending.set(id, receivedAt);
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.tasks.begin();
    // Let every notification of this tick join the batch.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
      this.tasks.end();
    });
  }

  /** Users waiting for a read. */
  get waiting(): number {
    return this.pending.size;
  }

  /** A read is in flight or about to be sent. */
  busy(): boolean {
    return this.fetches > 0 || this.pumpScheduled;
  }

  /** Forgets the users waiting (a new ownership term). */
  clear(): void {
    this.pending.clear();
  }

  private pump(): void {
    while (!this.run.stopped && this.fetches < MAX_FETCHES && this.pending.size > 0) {
      const batch = [...this.pending.entries()].slice(0, BATCH);
      for (const [id] of batch) this.pending.delete(id);
      this.fetches++;
      this.tasks.begin();
      void this.readBatch(batch).finally(() => {
        this.fetches--;
        this.pump();
        this.tasks.end();
      });
    }
  }

  private async readBatch(batch: [string, number][], attempt = 0): Promise<void> {
    try {
      const readAt = eventStamp(this.clock);
      const presences = await this.graph.getPresencesByUserId(batch.map(([id]) => id));
      const at = new Map(batch);
      for (const p of presences) this.sink.observe(p, at.get(p.userId) ?? this.clock.now(), readAt);
    } catch (err) {
      const f = classify(err, this.log);
      if (!f.retry) {
        for (const [id] of batch) this.sink.fail(id, f.message, f.fix);
        return;
      }
      // Nothing is dropped: the ids wait and go again (the newest read wins anyway).
      this.tasks.begin();
      this.clock.setTimer(Math.max(f.afterMs ?? 0, backoffMs(attempt)), () => {
        this.tasks.end();
        for (const [id, t] of batch) if (!this.pending.has(id)) this.pending.set(id, t);
        this.pump();
      });
    }
  }
}

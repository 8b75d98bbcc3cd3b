import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PbxEvent, PbxWebhookReading } from '../ports/cloudlink';
import type { InboxItem, InboxListener, SyncInbox } from '../ports/sync-inbox';
import type { SyncClock } from './clock';
import type { SyncLog } from './log';
import type { OwnerCallPayload } from './owner-calls';
import type { GraphNotification } from './webhooks';

/** What the owner does with each row: the same entry points a webhook posted to the owner itself reaches. */
export interface InboxTarget {
  onGraphNotifications(items: GraphNotification[]): Promise<void>;
  onPbxEvent(event: PbxEvent | null): Promise<void>;
  /** The CloudLink adapter's reader, for rows an earlier version stored as the raw post. */
  readWebhook(body: unknown): PbxWebhookReading;
  /** Runs an admin call on the engine; resolves its JSON answer. */
  runCall(call: OwnerCallPayload, progress: (done: number, total: number) => void): Promise<unknown>;
}

export interface InboxDrainSettings {
  tenantId: string;
  inbox: SyncInbox;
  clock: SyncClock;
  log: SyncLog;
  /** This drain's name on the calls it claims (default host/pid/random). */
  holder?: string;
  /** The fallback poll: a lost NOTIFY, a LISTEN connection being made again, SQLite (default 3 s). */
  pollMs?: number;
  /** Finished calls are kept this long for their callers, then deleted (default 1 h). */
  keepFinishedMs?: number;
  /** Rows read per round trip (default 100). */
  batch?: number;
  /** A running call's progress is written at most this often (default 1 s). */
  progressWriteMs?: number;
}

/**
 * The owner's side of the sync inbox (issue 12): applies what other processes received, in arrival order, through
 * the engine's own entry points, and deletes each applied event. Woken by LISTEN/NOTIFY on PostgreSQL, and by a poll
 * every few seconds whatever the store (a NOTIFY is lost while the LISTEN connection is down). A new owner drains at
 * start whatever the old one left, so nothing posted while ownership moved is lost; an event whose owner died while
 * applying it is applied again by the next one (at least once: the engine tolerates a repeated event).
 * Admin calls are claimed and run beside the drain (a "Sync all" takes minutes; events must not wait behind it).
 */
export class InboxDrain {
  readonly holder: string;
  private running = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private cancelPoll: (() => void) | null = null;
  private listener: InboxListener | null = null;
  private readonly calls = new Set<Promise<void>>();
  private polls = 0;

  constructor(
    private readonly s: InboxDrainSettings,
    private readonly target: InboxTarget,
  ) {
    this.holder = s.holder ?? `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.schedulePoll();
    await this.kick();
  }

  /** Stops listening and polling; a drain in progress finishes its current row. Calls running go on to their end. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelPoll?.();
    this.cancelPoll = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
    await this.draining?.catch(() => undefined);
  }

  /** Drains now, or right after the drain in progress (a row may have landed after it read the inbox). */
  kick(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        await this.drainAll();
      } while (this.again && this.running);
    })().finally(() => (this.draining = null));
    return this.draining;
  }

  /** Resolves when every admin call this drain started has finished (tests, shutdown). */
  async callsDone(): Promise<void> {
    while (this.calls.size > 0) await Promise.allSettled([...this.calls]);
  }

  private async listen(): Promise<void> {
    const { inbox, tenantId, log } = this.s;
    if (!inbox.listen || this.listener) return;
    try {
      this.listener = await inbox.listen(
        (t) => {
          if (t === tenantId) void this.kick();
        },
        (err) =>
          log.warn(
            { err, tenantId, event: 'inbox.listenLost' },
            'the LISTEN connection for the sync inbox was lost; connecting again (the poll covers the gap)',
          ),
      );
    } catch (err) {
      log.warn(
        { err, tenantId, event: 'inbox.listenFailed' },
        'could not LISTEN for the sync inbox; trying again at the next poll (the poll covers the gap)',
      );
    }
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.cancelPoll = this.s.clock.setTimer(this.s.pollMs ?? 3000, () => {
      void (async () => {
        await this.listen();
        await this.kick();
        if (++this.polls % 20 === 0) await this.prune();
      })().finally(() => this.schedulePoll());
    });
  }

  private async drainAll(): Promise<void> {
    const { inbox, tenantId, log } = this.s;
    const batch = this.s.batch ?? 100;
    const tried = new Set<number>();
    while (this.running) {
      let items: InboxItem[];
      try {
        items = await inbox.next(tenantId, this.holder, batch);
      } catch (err) {
        log.error(
          { err, tenantId, event: 'inbox.drainFailed' },
          'could not read the sync inbox; the next poll tries again',
        );
        return;
      }
      // Calls another drain holds (and that this one could not take) would come back forever: stop there.
      const fresh = items.filter((i) => !tried.has(i.id));
      if (fresh.length === 0) return;
      const applied: number[] = [];
      for (const item of fresh) {
        if (!this.running) break;
        tried.add(item.id);
        if (item.kind === 'call') {
          await this.startCall(item);
          continue;
        }
        await this.apply(item);
        applied.push(item.id);
      }
      try {
        await inbox.remove(tenantId, applied);
      } catch (err) {
        // Applied but not deleted: they are applied again next time (the engine tolerates a repeat).
        log.error(
          { err, tenantId, event: 'inbox.removeFailed', count: applied.length },
          'could not delete applied events from the sync inbox',
        );
        return;
      }
      if (items.length < batch) return;
    }
  }

  private async apply(item: InboxItem): Promise<void> {
    const { tenantId, log } = this.s;
    try {
      if (item.kind === 'graph') {
        const items = item.payload.items;
        if (Array.isArray(items)) await this.target.onGraphNotifications(items as GraphNotification[]);
      } else if (item.kind === 'cloudlink') {
        // The standby stored the event as the adapter read it; a row of an earlier version holds the raw post.
        if ('pbx' in item.payload) await this.target.onPbxEvent(item.payload.pbx as PbxEvent | null);
        else if (item.payload.event !== undefined) {
          const reading = this.target.readWebhook(item.payload.event);
          if (reading.ok) await this.target.onPbxEvent(reading.event);
        }
      }
    } catch (err) {
      // One event that cannot be applied must not hold up the ones behind it; the next resync repairs its user.
      log.error(
        { err, tenantId, event: 'inbox.applyFailed', requestId: item.id, kind: item.kind },
        'could not apply an event handed over by another process; it is dropped',
      );
    }
  }

  private async startCall(item: InboxItem): Promise<void> {
    const { inbox, tenantId, log, clock } = this.s;
    const stale = item.state === 'running' ? item.claimedBy : null;
    let claimed: boolean;
    try {
      claimed = await inbox.claim(tenantId, item.id, this.holder, stale);
    } catch (err) {
      log.error(
        { err, tenantId, event: 'inbox.claimFailed', requestId: item.id },
        'could not claim an admin call from the sync inbox',
      );
      return;
    }
    if (!claimed) return;
    const call = item.payload as unknown as OwnerCallPayload;
    log.info(
      { tenantId, event: 'inbox.callStarted', requestId: item.id, op: call.op, takenOverFrom: stale },
      'running an admin call handed over by another process',
    );
    let lastWrite = 0;
    const progress = (done: number, total: number) => {
      const now = clock.now();
      if (now - lastWrite < (this.s.progressWriteMs ?? 1000) && done < total) return;
      lastWrite = now;
      void inbox.progress(tenantId, item.id, done, total).catch(() => undefined);
    };
    // Through a promise, so a call that throws before it returns one fails into its row like any other.
    const run = Promise.resolve()
      .then(() => this.target.runCall(call, progress))
      .then(
        (result) => inbox.finish(tenantId, item.id, 'done', result, clock.now()),
        (err: unknown) => {
          log.warn(
            { err, tenantId, event: 'inbox.callFailed', requestId: item.id, op: call.op },
            'an admin call handed over by another process failed',
          );
          const message = err instanceof Error ? err.message : String(err);
          return inbox.finish(tenantId, item.id, 'failed', { message }, clock.now());
        },
      )
      .catch((err: unknown) =>
        log.error(
          { err, tenantId, event: 'inbox.finishFailed', requestId: item.id },
          'could not record the end of an admin call in the sync inbox',
        ),
      )
      .finally(() => this.calls.delete(run));
    this.calls.add(run);
  }

  private async prune(): Promise<void> {
    const { inbox, tenantId, log, clock } = this.s;
    try {
      const removed = await inbox.prune(tenantId, clock.now() - (this.s.keepFinishedMs ?? 3_600_000));
      if (removed > 0)
        log.info(
          { tenantId, event: 'inbox.pruned', removed },
          'finished admin calls deleted from the sync inbox',
        );
    } catch (err) {
      log.warn({ err, tenantId, event: 'inbox.pruneFailed' }, 'could not prune the sync inbox');
    }
  }
}

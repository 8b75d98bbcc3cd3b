import type { SyncInbox } from '../ports/sync-inbox';
import type { SyncClock } from './clock';
import type { SyncLog } from './log';
import { INBOX_CAP } from './webhook-handoff';

/** The admin calls a standby hands to the owner: they need the engine, which only the owner runs. */
export type OwnerCallOp = 'resyncAll' | 'resyncUser' | 'resetPhoneStatus' | 'refreshUsers';

export interface OwnerCallPayload {
  op: OwnerCallOp;
  /** resyncUser, resetPhoneStatus: the Entra user id; resyncAll: its options. */
  userId?: string;
  options?: Record<string, unknown>;
}

/**
 * A call handed to the owner did not finish within the time its caller may wait; the owner still runs it. The API
 * answers 202 with `requestId`.
 */
export class SyncQueuedError extends Error {
  constructor(
    readonly tenantId: string,
    readonly requestId: number,
    readonly op: OwnerCallOp,
  ) {
    super(
      'The Switchboard process that runs the sync has the request and works on it; it did not finish within the ' +
        'time this answer waits. Look again in a moment.',
    );
    this.name = 'SyncQueuedError';
  }
}

export interface OwnerCallSettings {
  tenantId: string;
  inbox: SyncInbox;
  clock: SyncClock;
  log: SyncLog;
  /** How often the caller reads the call's row for progress and the result (default 250 ms). */
  pollMs?: number;
}

/**
 * A standby's side of an admin call (issue 12): writes the call to the sync inbox (the owner claims it, runs it on its
 * engine and writes progress and the result to the row) and reads the row until it is finished, or until `waitMs`.
 */
export class OwnerCalls {
  constructor(private readonly s: OwnerCallSettings) {}

  async call(
    payload: OwnerCallPayload,
    wait: { waitMs: number | null; progress?: (done: number, total: number) => void },
  ): Promise<unknown> {
    const { tenantId, inbox, clock, log } = this.s;
    let id: number;
    try {
      id = await inbox.enqueue(tenantId, 'call', { ...payload }, clock.now(), INBOX_CAP);
    } catch (err) {
      log.error(
        { err, tenantId, event: 'inbox.enqueueFailed', kind: 'call', op: payload.op },
        'could not hand an admin call to the process that runs the sync',
      );
      throw err;
    }
    log.info(
      { tenantId, event: 'inbox.callQueued', requestId: id, op: payload.op },
      'admin call handed to the process that runs the sync',
    );
    const deadline = wait.waitMs === null ? Infinity : clock.now() + wait.waitMs;
    let seen = '';
    for (;;) {
      await clock.sleep(this.s.pollMs ?? 250);
      const item = await inbox.get(tenantId, id).catch((err: unknown) => {
        log.warn(
          { err, tenantId, event: 'inbox.readFailed', requestId: id },
          'could not read the state of an admin call from the store; reading again',
        );
        return null;
      });
      if (item === undefined) throw new Error(`The request ${id} is no longer in the store.`);
      if (item) {
        const progress = `${item.done}/${item.total}`;
        if (progress !== seen && item.total > 0) wait.progress?.(item.done, item.total);
        seen = progress;
        if (item.state === 'done') return item.result;
        if (item.state === 'failed') {
          const message = (item.result as { message?: unknown } | null)?.message;
          throw new Error(typeof message === 'string' ? message : 'The sync process could not do this.');
        }
      }
      if (clock.now() >= deadline) throw new SyncQueuedError(tenantId, id, payload.op);
    }
  }
}

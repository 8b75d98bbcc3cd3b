/**
 * The sync inbox (issue 12): where a process that does not run a tenant's sync leaves what the owner must do, so a
 * webhook or an admin call may land on any process. Rows are worked in arrival order (their id).
 *   graph      one Graph post's notifications whose clientState the receiving process checked
 *   cloudlink  one CloudLink event whose webhook key the receiving process checked
 *   call       an admin call that needs the engine ("Sync all", a user's resync, reset phone, refresh users); the
 *              owner claims it, writes its progress and result, and the caller reads them from here
 */
export type InboxKind = 'graph' | 'cloudlink' | 'call';

export type InboxState = 'pending' | 'running' | 'done' | 'failed';

export interface InboxItem {
  id: number;
  tenantId: string;
  kind: InboxKind;
  payload: Record<string, unknown>;
  receivedAt: number;
  state: InboxState;
  /** The drain (one per owner process) that claimed a call. */
  claimedBy: string | null;
  done: number;
  total: number;
  /** A finished call's answer (JSON), or its error message when it failed. */
  result: unknown;
  finishedAt: number | null;
}

/** The tenant already has `cap` rows waiting: the owner has been gone (or stuck) for long. */
export class InboxFullError extends Error {
  constructor(
    readonly tenantId: string,
    readonly cap: number,
  ) {
    super(`the sync inbox of tenant ${tenantId} holds ${cap} unprocessed rows`);
    this.name = 'InboxFullError';
  }
}

/** Wakes the owner when any process adds a row (PostgreSQL LISTEN on one dedicated connection). */
export interface InboxListener {
  close(): Promise<void>;
}

export interface SyncInbox {
  /**
   * Appends a row and wakes the listeners (PostgreSQL NOTIFY, in the same statement). Rejects with InboxFullError,
   * writing nothing, when the tenant already has `cap` rows pending or running.
   */
  enqueue(
    tenantId: string,
    kind: InboxKind,
    payload: Record<string, unknown>,
    receivedAt: number,
    cap: number,
  ): Promise<number>;
  /**
   * Up to `limit` rows to work on, oldest first: pending ones, and calls claimed by another drain than `holder`
   * (they were left running by an owner that is gone).
   */
  next(tenantId: string, holder: string, limit: number): Promise<InboxItem[]>;
  /** Deletes applied rows. */
  remove(tenantId: string, ids: number[]): Promise<void>;
  /** Marks a call running for `holder`; false if another drain claimed it since it was read. */
  claim(tenantId: string, id: number, holder: string, staleHolder: string | null): Promise<boolean>;
  progress(tenantId: string, id: number, done: number, total: number): Promise<void>;
  finish(tenantId: string, id: number, state: 'done' | 'failed', result: unknown, at: number): Promise<void>;
  get(tenantId: string, id: number): Promise<InboxItem | undefined>;
  /** Deletes the tenant's finished calls older than `before`; resolves how many. */
  prune(tenantId: string, before: number): Promise<number>;
  /** Rows pending or running (the health view and the cap). */
  depth(tenantId: string): Promise<number>;
  /**
   * Calls `onWake(tenantId)` whenever any process enqueues, over one dedicated connection that reconnects by itself
   * (`onError` hears each loss). Absent where only one process uses the store (SQLite): polling is enough there.
   */
  listen?(onWake: (tenantId: string) => void, onError: (err: Error) => void): Promise<InboxListener>;
}

/**
 * What the adapters tell the sync layer about each outside call, so the engine can meter, throttle and count without
 * knowing any adapter: the types live on the port side, the adapters produce them.
 */

/** What one HTTP attempt ended with. status 0: no HTTP answer (network failure or timeout). */
export interface AttemptOutcome {
  status: number;
  durationMs: number;
  retryAfterMs?: number;
  /** 0 for the first attempt. */
  attempt: number;
  /** True when the adapter tries again after this attempt (the log says "retrying", not "failed"). */
  willRetry: boolean;
  requestId?: string;
}

/** One attempt's outcome, tagged with the operation. */
export interface OperationOutcome<Op> extends AttemptOutcome {
  op: Op;
}

/** Presence calls share their own tenant-wide throttling budget in Graph, so the engine meters them apart. */
export type GraphRequestKind = 'presence' | 'other';

/** One Graph HTTP attempt, for metrics and logs. */
export type GraphOutcome = OperationOutcome<string>;

/** One CloudLink HTTP attempt, for metrics and logs. */
export type CloudLinkOutcome = OperationOutcome<string>;

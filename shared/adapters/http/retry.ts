import type { NetworkFailure } from '../../ports/network-failure';
import type { AttemptOutcome, OperationOutcome } from '../../ports/outcomes';

/**
 * Retries for calls to cloud APIs (Graph, CloudLink): 429 waits as long as the service asks (Retry-After), 5xx and
 * network failures back off exponentially with jitter, and everything is bounded so a caller never hangs. The
 * helper knows nothing of any one service; it hands back the last response and the caller turns it into its own
 * typed error.
 */

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step; doubles per retry. */
  baseDelayMs?: number;
  /** Largest backoff step. */
  maxDelayMs?: number;
  /**
   * The longest Retry-After waited in line. A longer one is handed back at once, so the caller can reschedule the
   * work instead of holding a request (and a queue) for minutes.
   */
  maxRetryAfterMs?: number;
  /** Per-attempt time limit; a timed-out attempt counts as a network failure. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Which thrown errors are worth another attempt; by default fetch's network failures and timeouts. */
  isRetriableError?: (err: unknown) => boolean;
  /** The service's id of one answer (Graph's request-id, CloudLink's correlation id), for the logs. */
  requestIdOf?: (response: Response) => string | undefined;
}

export const DEFAULTS = {
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 30_000,
} as const;

const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After is either delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The network failure an error from fetch stands for, or undefined when it is something else. fetch (undici) rejects
 * with `TypeError('fetch failed')` carrying the socket error as its cause when the connection fails, and
 * AbortSignal.timeout aborts with a TimeoutError. Any other TypeError (a bad URL, a header we built wrong, a bug in a
 * token provider) is ours to fix, so it is not a network failure and is never retried as one. Checked by name and
 * message, not instanceof: fetch's errors may come from another realm (a test VM, a worker).
 */
export function networkFailureOf(err: unknown): NetworkFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, message, cause } = err as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError') return { kind: 'timeout' };
  if (name === 'AbortError') return { kind: 'connection' };
  if (name !== 'TypeError' || message !== 'fetch failed') return undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return { kind: 'connection', ...(typeof code === 'string' && { cause: code }) };
}

/** Whether fetch failed for want of a connection or an answer in time (see networkFailureOf). */
export function isNetworkError(err: unknown): boolean {
  return networkFailureOf(err) !== undefined;
}

/** Exponential step with "equal jitter": at least half the step, so retries never bunch up at zero. */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Calls `send` until it yields a final answer: a non-retriable response, a retriable one once retries run out (or
 * whose Retry-After is too long to wait), or, for network failures, the last error is thrown. Any other error
 * `send` throws ends the loop at once.
 */
export async function sendWithRetry(
  send: (signal: AbortSignal) => Promise<Response>,
  options: RetryOptions,
  onAttempt?: (outcome: AttemptOutcome) => void,
): Promise<Response> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const baseDelayMs = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;

  for (let attempt = 0; ; attempt++) {
    const started = now();
    const lastChance = attempt >= options.maxRetries;
    let response: Response;
    try {
      response = await send(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      // Not an HTTP failure (say, the token provider refused): nothing a retry here would fix.
      if (!(options.isRetriableError ?? isNetworkError)(err)) throw err;
      onAttempt?.({ attempt, status: 0, durationMs: now() - started, willRetry: !lastChance });
      if (lastChance) throw err;
      await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs, random));
      continue;
    }
    const retryAfterMs = RETRIABLE_STATUS.has(response.status)
      ? parseRetryAfter(response.headers.get('retry-after'), now())
      : undefined;
    const willRetry =
      RETRIABLE_STATUS.has(response.status) &&
      !lastChance &&
      !(retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs);
    const requestId = options.requestIdOf?.(response);
    onAttempt?.({
      attempt,
      status: response.status,
      durationMs: now() - started,
      willRetry,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
      ...(requestId !== undefined && { requestId }),
    });
    if (!willRetry) return response;
    // Drain the body so the connection can be reused for the retry.
    await response.arrayBuffer().catch(() => undefined);
    await sleep(retryAfterMs ?? backoffDelay(attempt, baseDelayMs, maxDelayMs, random));
  }
}

/** The retry knobs an adapter exposes in its own options and hands through unchanged. */
export type RetryTuning = Partial<
  Pick<
    RetryOptions,
    'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'timeoutMs' | 'sleep' | 'random'
  >
>;

/** The retry options for an adapter's tuning: three retries unless it says otherwise. */
export function retryPolicyOf(tuning: RetryTuning): RetryOptions {
  const { maxRetries = 3, baseDelayMs, maxDelayMs, maxRetryAfterMs, timeoutMs, sleep, random } = tuning;
  return { maxRetries, baseDelayMs, maxDelayMs, maxRetryAfterMs, timeoutMs, sleep, random };
}

/** Adapts an adapter's metrics hook to the retry helper's per-attempt callback. */
export function reportAttemptsAs<Op>(
  op: Op,
  sink?: (o: OperationOutcome<Op>) => void,
): (o: AttemptOutcome) => void {
  return (o) =>
    sink?.({
      op,
      status: o.status,
      durationMs: o.durationMs,
      attempt: o.attempt,
      willRetry: o.willRetry,
      ...(o.retryAfterMs !== undefined && { retryAfterMs: o.retryAfterMs }),
      ...(o.requestId !== undefined && { requestId: o.requestId }),
    });
}

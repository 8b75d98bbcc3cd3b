import type { OperationOutcome } from '../../shared/ports/outcomes';
import type { Logger } from '../../shared/platform/logger';

/**
 * One structured log line for every outbound call that failed or is retried: service, operation, status, the
 * service's error code and request id, retry-after, attempt, tenant. Throttling and refusals at warn, giving up at
 * error. Never a token or a secret: only what the outcome and the typed error carry.
 */
export type OutboundService = 'graph' | 'cloudlink';

/** A retried attempt: the call goes on, so this is a warning, not a failure yet. */
export function logRetriedAttempt(
  logger: Logger,
  service: OutboundService,
  tenantId: string,
  outcome: OperationOutcome<string>,
): void {
  if (!outcome.willRetry) return;
  logger.warn(
    {
      tenantId,
      service,
      operation: outcome.op,
      status: outcome.status,
      attempt: outcome.attempt + 1,
      retryAfterMs: outcome.retryAfterMs,
      requestId: outcome.requestId,
      event: outcome.status === 429 ? 'outbound.throttled' : 'outbound.retry',
    },
    outcome.status === 0
      ? `${service} ${outcome.op} got no answer; retrying`
      : `${service} ${outcome.op} answered ${outcome.status}; retrying`,
  );
}

/** A call that ended in the service's error after its retries: a refusal (4xx) at warn, giving up at error. */
export function logFailedCall(
  logger: Logger,
  service: OutboundService,
  tenantId: string,
  op: string,
  error: { status: number; code: string; requestId?: string; retryAfterMs?: number },
): void {
  const gaveUp = error.status === 0 || error.status === 429 || error.status >= 500;
  const fields = {
    tenantId,
    service,
    operation: op,
    status: error.status,
    code: error.code,
    requestId: error.requestId,
    retryAfterMs: error.retryAfterMs,
    event: gaveUp ? 'outbound.gaveUp' : 'outbound.refused',
  };
  if (gaveUp)
    logger.error(fields, `${service} ${op} failed after its retries (${error.status} ${error.code})`);
  else logger.warn(fields, `${service} ${op} was refused (${error.status} ${error.code})`);
}

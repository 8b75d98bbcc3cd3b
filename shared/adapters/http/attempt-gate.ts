import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A check that runs right before every HTTP attempt made on behalf of one call: the first try, each retry after a
 * backoff or Retry-After, and the resend after a refused token. The sync layer puts its presence writes behind the
 * ownership fence this way (shared/sync/fence.ts): a write admitted once and then held up (throttled, retried, or the
 * whole process frozen) is checked again at the moment it would leave, not only when it was first asked for.
 *
 * Adapters call `checkAttemptGate()` immediately before `fetch`; outside `withAttemptGate` it does nothing. The check
 * throws to refuse the attempt, and the retry loop passes that error straight back (it is not a network error).
 */
const gate = new AsyncLocalStorage<() => void>();

export function withAttemptGate<T>(check: () => void, work: () => Promise<T>): Promise<T> {
  return gate.run(check, work);
}

export function checkAttemptGate(): void {
  gate.getStore()?.();
}

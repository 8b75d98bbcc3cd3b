import type { GraphError, MonitorCredentials } from '../../ports/graph';
import type { GraphOutcome, GraphRequestKind } from '../../ports/outcomes';

export interface GraphAdapterOptions {
  /** The Graph host, e.g. https://graph.microsoft.com; requests go to `${baseUrl}/v1.0/...`. */
  baseUrl: string;
  /**
   * The app's client id: the sessionId of the presence session the app owns on each user. A function is read on
   * every write, so a client id the admin saves is used by the next one.
   */
  clientId: string | (() => string);
  /** An application token for https://graph.microsoft.com (cached by the provider). */
  getAppToken: () => Promise<string>;
  /** A delegated token of a presence monitor account (presence subscriptions accept nothing else). */
  getMonitorToken: (monitor: MonitorCredentials) => Promise<string>;
  /** Awaited before every attempt: the engine's tenant-wide rate limiter. */
  beforeRequest?: (kind: GraphRequestKind) => Promise<void>;
  onOutcome?: (outcome: GraphOutcome) => void;
  /** Every call that ends in a GraphError (after its retries), with Graph's error code and request id. */
  onFailure?: (op: string, error: GraphError) => void;
  /** Drops a token Graph answered 401 (revoked or rotated early) from the provider's cache; the call is tried once more. */
  forgetToken?: (token: string) => void;
  /** Retries after the first attempt for 429, 5xx and network failures (default 3). */
  maxRetries?: number;
  /** Backoff and time limits; defaults in shared/adapters/http/retry.ts. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

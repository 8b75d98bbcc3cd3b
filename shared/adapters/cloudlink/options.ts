import type { CloudLinkError } from '../../ports/cloudlink';
import type { CloudLinkOutcome } from '../../ports/outcomes';

export interface CloudLinkAdapterOptions {
  /** Template with `{service}`, e.g. https://{service}.api.mitel.io/2017-09-01 (CLOUDLINK_API_BASE). */
  apiBase: string;
  accountId: string;
  clientId: string;
  /**
   * The client secret, or a function read before every token request so that a secret the admin saves is used by the
   * next request (a token issued under another secret is then dropped).
   */
  clientSecret: string | (() => string);
  /** The X-Mitel-App value CloudLink requires on every call (CLOUDLINK_APP_ID), e.g. `switchboard/1.0`. */
  appId: string;
  /** The applicationId of webhook subscriptions: a GUID the integration picks; defaults to the client id. */
  applicationId?: string;
  /** Retries after the first attempt for 429, 5xx and network failures (default 3). */
  maxRetries?: number;
  /** Backoff and time limits; defaults in shared/adapters/http/retry.ts. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The clock that judges token expiry (tests pass the emulator's). */
  now?: () => number;
  onOutcome?: (outcome: CloudLinkOutcome) => void;
  /** Every call that ends in a CloudLinkError (after its retries), with CloudLink's code and correlation id. */
  onFailure?: (op: string, error: CloudLinkError) => void;
}

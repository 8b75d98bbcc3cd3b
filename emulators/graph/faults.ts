import { GraphFailure } from './errors';

/**
 * Test-set misbehaviour of the emulated Graph: added latency, a rate of 503/504 answers (some with Retry-After, as
 * Graph sends under load), or an exact number of failures for deterministic tests. Plus the request log that tests
 * and the benchmark read to count Graph calls.
 */

export interface FaultSettings {
  /** Added to every /v1.0 request, in real milliseconds. */
  latencyMs: number;
  /** Share of /v1.0 requests (0..1) that fail with 503 or 504. */
  errorRate: number;
  /** The next N requests fail with this status (and Retry-After, when given). */
  failNext?: { count: number; status: 503 | 504 | 500; retryAfterSeconds?: number };
}

export const NO_FAULTS: FaultSettings = { latencyMs: 0, errorRate: 0 };

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** emulator clock time */
  at: number;
  appId?: string;
  userId?: string;
  requestId: string;
  /** Set on sub-requests of a $batch: the batch's request-id. */
  batchRequestId?: string;
}

const MAX_LOG = 100_000;

export class Faults {
  private settings: FaultSettings = { ...NO_FAULTS };
  private readonly log: RequestLogEntry[] = [];

  set(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  reset(): void {
    this.settings = { ...NO_FAULTS };
  }

  get(): FaultSettings {
    return { ...this.settings, failNext: this.settings.failNext && { ...this.settings.failNext } };
  }

  async delay(): Promise<void> {
    if (this.settings.latencyMs > 0) await new Promise((r) => setTimeout(r, this.settings.latencyMs));
  }

  /** Throws the injected failure for this request, if any. */
  maybeFail(): void {
    const next = this.settings.failNext;
    if (next && next.count > 0) {
      next.count -= 1;
      throw unavailable(next.status, next.retryAfterSeconds);
    }
    if (this.settings.errorRate > 0 && Math.random() < this.settings.errorRate) {
      const status = Math.random() < 0.5 ? 503 : 504;
      throw unavailable(status, Math.random() < 0.5 ? 1 + Math.floor(Math.random() * 5) : undefined);
    }
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  clearRequests(): void {
    this.log.length = 0;
  }
}

function unavailable(status: number, retryAfterSeconds?: number): GraphFailure {
  const headers: Record<string, string> = retryAfterSeconds
    ? { 'Retry-After': String(retryAfterSeconds) }
    : {};
  if (status === 504)
    return new GraphFailure(
      504,
      'GatewayTimeout',
      'The gateway did not receive a timely response from the upstream service.',
      headers,
    );
  if (status === 500)
    return new GraphFailure(500, 'InternalServerError', 'An internal server error occurred.', headers);
  return new GraphFailure(
    503,
    'ServiceUnavailable',
    'The service is temporarily unavailable. Please retry later.',
    headers,
  );
}

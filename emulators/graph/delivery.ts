import type { Clock } from '../common/clock';

/**
 * Posting notifications to subscribers the way Graph does: a 2xx within 3 s acknowledges; a slower or failed answer
 * is retried with exponential backoff (Graph keeps trying for up to 4 hours). An endpoint that answers slowly or
 * fails too often is first delayed (more than 10% bad answers in 10 minutes: notifications wait 10 s) and then
 * dropped (more than 15%: notifications are discarded for 10 minutes). Timeouts and backoff run on real time,
 * because the subscriber is a real HTTP server; the health window runs on the emulator clock.
 */

export interface DeliveryOptions {
  /** How long a subscriber may take to answer with 2xx. Default 3000. */
  timeoutMs: number;
  /** First retry delay; doubles each time. Default 5000. */
  retryBaseMs: number;
  /** Total retry horizon (real time). Default 4 h. */
  retryHorizonMs: number;
  /** Extra wait for an endpoint marked slow. Default 10000. */
  slowEndpointDelayMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 3000,
  retryBaseMs: 5000,
  retryHorizonMs: 4 * 3600_000,
  slowEndpointDelayMs: 10_000,
};

export type DeliveryKind = 'change' | 'lifecycle';
export type DeliveryOutcome = 'acknowledged' | 'slow' | 'failed' | 'dropped';

export interface DeliveryRecord {
  id: number;
  subscriptionId: string;
  kind: DeliveryKind;
  url: string;
  attempt: number;
  /** emulator clock time of the attempt */
  at: number;
  outcome: DeliveryOutcome;
  status?: number;
  durationMs?: number;
  body: unknown;
}

const HEALTH_WINDOW_MS = 10 * 60_000;
const MIN_SAMPLES = 10;
const DELAY_RATIO = 0.1;
const DROP_RATIO = 0.15;
const MAX_RECORDS = 20_000;

interface Health {
  samples: { at: number; bad: boolean }[];
  droppedUntil?: number;
}

export class Deliverer {
  private readonly records: DeliveryRecord[] = [];
  private readonly health = new Map<string, Health>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private options: DeliveryOptions,
  ) {}

  configure(options: Partial<DeliveryOptions>): void {
    this.options = { ...this.options, ...options };
  }

  list(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  reset(): void {
    this.records.length = 0;
    this.health.clear();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const a of this.inflight) a.abort();
  }

  /** State of an endpoint now: 'ok', 'delayed' or 'dropped'. */
  endpointState(url: string): 'ok' | 'delayed' | 'dropped' {
    const h = this.health.get(url);
    if (!h) return 'ok';
    const now = this.clock.now();
    if (h.droppedUntil !== undefined && now < h.droppedUntil) return 'dropped';
    h.samples = h.samples.filter((s) => now - s.at < HEALTH_WINDOW_MS);
    if (h.samples.length < MIN_SAMPLES) return 'ok';
    const ratio = h.samples.filter((s) => s.bad).length / h.samples.length;
    if (ratio > DROP_RATIO) {
      h.droppedUntil = now + HEALTH_WINDOW_MS;
      h.samples = [];
      return 'dropped';
    }
    return ratio > DELAY_RATIO ? 'delayed' : 'ok';
  }

  /** Sends one notification body; resolves when the first attempt settles (retries continue in the background). */
  deliver(subscriptionId: string, kind: DeliveryKind, url: string, body: unknown): Promise<void> {
    const state = this.endpointState(url);
    if (state === 'dropped') {
      this.record({ subscriptionId, kind, url, attempt: 1, outcome: 'dropped', body });
      return Promise.resolve();
    }
    if (state === 'delayed') {
      return new Promise((resolve) => this.later(this.options.slowEndpointDelayMs, () => void this.attempt(subscriptionId, kind, url, body, 1).then(resolve)));
    }
    return this.attempt(subscriptionId, kind, url, body, 1);
  }

  private async attempt(subscriptionId: string, kind: DeliveryKind, url: string, body: unknown, attempt: number): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.inflight.add(abort);
    const started = Date.now();
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs);
    let outcome: DeliveryOutcome;
    let status: number | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      outcome = res.status >= 200 && res.status < 300 ? 'acknowledged' : 'failed';
    } catch {
      outcome = abort.signal.aborted ? 'slow' : 'failed';
    } finally {
      clearTimeout(timer);
      this.inflight.delete(abort);
    }
    if (this.closed) return;
    this.record({ subscriptionId, kind, url, attempt, outcome, status, durationMs: Date.now() - started, body });
    this.sample(url, outcome !== 'acknowledged');
    if (outcome === 'acknowledged') return;
    const delay = this.options.retryBaseMs * 2 ** (attempt - 1);
    const elapsed = this.options.retryBaseMs * (2 ** (attempt - 1) - 1);
    if (elapsed + delay > this.options.retryHorizonMs) return;
    this.later(delay, () => void this.attempt(subscriptionId, kind, url, body, attempt + 1));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private sample(url: string, bad: boolean): void {
    let h = this.health.get(url);
    if (!h) {
      h = { samples: [] };
      this.health.set(url, h);
    }
    h.samples.push({ at: this.clock.now(), bad });
  }

  private record(r: Omit<DeliveryRecord, 'id' | 'at'>): void {
    this.records.push({ ...r, id: this.nextId++, at: this.clock.now() });
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
  }
}

import type { Clock } from '../common/clock';
import { latencySampler, type LatencyModel, type LatencySample } from '../common/latency';

/**
 * Posting notifications to subscribers the way Graph documents it for webhooks:
 * - an HTTP client with a 3 s timeout; no 2xx in time means the notification is resent, with backoff, for up to
 *   4 hours;
 * - an answer later than 2900 ms counts as slow (even when it is a 2xx in time), as does a failure;
 * - once an endpoint has had 100 notifications in the current 10-minute window, 10% or more slow answers flag it
 *   slow: its notifications wait 10 minutes; 15% or more and its notifications are dropped. The window is flushed
 *   every 10 minutes.
 * Timeouts and backoff run on real time, because the subscriber is a real HTTP server; the 10-minute window runs on
 * the emulator clock.
 */

export interface DeliveryOptions {
  /** How long a subscriber may take to answer with 2xx. Default 3000. */
  timeoutMs: number;
  /** First retry delay; doubles each time. Default 5000. */
  retryBaseMs: number;
  /** Total retry horizon (real time). Default 4 h. */
  retryHorizonMs: number;
  /** Extra wait for an endpoint flagged slow. Default 10 minutes. */
  slowEndpointDelayMs: number;
  /** Time between a change and its first delivery attempt (Graph: under 10 s on average). Default 0. */
  latencyMs: number;
  /**
   * Instead of `latencyMs`, a distribution of that time for change notifications, which may also lose some
   * (`graphPresence`: the documented behaviour). Lifecycle notifications use `latencyMs`.
   */
  latency?: LatencyModel;
  /** Seed for `latency`, so a run replays. Default 1. */
  latencySeed?: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 3000,
  retryBaseMs: 5000,
  retryHorizonMs: 4 * 3600_000,
  slowEndpointDelayMs: 10 * 60_000,
  latencyMs: 0,
};

export type DeliveryKind = 'change' | 'lifecycle';
/** `lost`: never sent, as Graph sometimes does (the latency model); `dropped`: the endpoint was flagged too slow. */
export type DeliveryOutcome = 'acknowledged' | 'slow' | 'failed' | 'dropped' | 'lost';

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
  /** How long the notification waited before its first attempt (endpoint marked slow, configured latency). */
  delayedMs?: number;
  body: unknown;
}

const HEALTH_WINDOW_MS = 10 * 60_000;
const MIN_SAMPLES = 100;
const SLOW_AFTER_MS = 2900;
const DELAY_RATIO = 0.1;
const DROP_RATIO = 0.15;
const MAX_RECORDS = 20_000;

interface Health {
  windowStart: number;
  total: number;
  slow: number;
}

export class Deliverer {
  private readonly records: DeliveryRecord[] = [];
  private readonly health = new Map<string, Health>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private nextId = 1;
  private closed = false;

  private sampleLatency: (() => LatencySample) | null = null;

  constructor(
    private readonly clock: Clock,
    private options: DeliveryOptions,
  ) {
    this.configure({});
  }

  configure(options: Partial<DeliveryOptions>): void {
    this.options = { ...this.options, ...options };
    const { latency, latencySeed } = this.options;
    this.sampleLatency = latency ? latencySampler(latency, latencySeed ?? 1) : null;
  }

  /** Time before the first attempt at a notification, or `lost` when this one is never sent. */
  private latencyOf(kind: DeliveryKind): LatencySample {
    return kind === 'change' && this.sampleLatency ? this.sampleLatency() : this.options.latencyMs;
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

  /** State of an endpoint now: 'ok', 'delayed' (flagged slow) or 'dropped'. */
  endpointState(url: string): 'ok' | 'delayed' | 'dropped' {
    const h = this.window(url);
    if (h.total < MIN_SAMPLES) return 'ok';
    const ratio = h.slow / h.total;
    if (ratio >= DROP_RATIO) return 'dropped';
    return ratio >= DELAY_RATIO ? 'delayed' : 'ok';
  }

  /** The endpoint's counts in the current 10-minute window (a new window starts empty). */
  private window(url: string): Health {
    const now = this.clock.now();
    let h = this.health.get(url);
    if (!h || now - h.windowStart >= HEALTH_WINDOW_MS) {
      h = { windowStart: now, total: 0, slow: 0 };
      this.health.set(url, h);
    }
    return h;
  }

  /** Sends one notification body; resolves when the first attempt settles (retries continue in the background). */
  deliver(subscriptionId: string, kind: DeliveryKind, url: string, body: unknown): Promise<void> {
    const state = this.endpointState(url);
    if (state === 'dropped') {
      this.record({ subscriptionId, kind, url, attempt: 1, outcome: 'dropped', body });
      return Promise.resolve();
    }
    const latency = this.latencyOf(kind);
    if (latency === 'lost') {
      this.record({ subscriptionId, kind, url, attempt: 0, outcome: 'lost', body });
      return Promise.resolve();
    }
    const delayedMs = (state === 'delayed' ? this.options.slowEndpointDelayMs : 0) + Math.round(latency);
    if (delayedMs > 0) {
      return new Promise((resolve) =>
        this.later(
          delayedMs,
          () => void this.attempt(subscriptionId, kind, url, body, 1, delayedMs).then(resolve),
        ),
      );
    }
    return this.attempt(subscriptionId, kind, url, body, 1);
  }

  private async attempt(
    subscriptionId: string,
    kind: DeliveryKind,
    url: string,
    body: unknown,
    attempt: number,
    delayedMs?: number,
  ): Promise<void> {
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
    const durationMs = Date.now() - started;
    this.record({ subscriptionId, kind, url, attempt, outcome, status, durationMs, delayedMs, body });
    this.sample(url, outcome !== 'acknowledged' || durationMs > SLOW_AFTER_MS);
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

  private sample(url: string, slow: boolean): void {
    const h = this.window(url);
    h.total += 1;
    if (slow) h.slow += 1;
  }

  private record(r: Omit<DeliveryRecord, 'id' | 'at'>): void {
    this.records.push({ ...r, id: this.nextId++, at: this.clock.now() });
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
  }
}

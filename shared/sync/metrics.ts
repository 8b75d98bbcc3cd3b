import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthView } from '../api/contract';

export type Direction = 'toTeams' | 'fromTeams';

/** Seconds; from a few ms (engine only) to a minute (throttled, Graph's own delivery delay). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HOUR = 3_600_000;

/** What a tenant's running sync service reports on demand (gauges read at scrape time). */
export interface SyncGaugeSources {
  queueDepth: () => number;
  subscriptions: () => Record<string, number>;
}

const NO_SOURCES: SyncGaugeSources = { queueDepth: () => 0, subscriptions: () => ({}) };

/**
 * The process's sync metrics: one Registry that bot/ serves at /metrics, every series labelled with its `tenant`.
 * The label stays bounded because only open tenants have series: a tenant gets its handle (`forTenant`) when its
 * runtime opens and `release()` removes every series it made when the runtime closes or the tenant is offboarded.
 * Single-tenant mode has one tenant here; a test or the benchmark may keep a sink of its own.
 */
export class SyncMetricsSink {
  readonly registry = new Registry();
  /** @internal the tenant handles write these directly. */
  readonly latency: Histogram<'tenant' | 'direction'>;
  readonly graphCalls: Counter<'tenant' | 'op' | 'outcome'>;
  readonly cloudlinkCalls: Counter<'tenant' | 'op' | 'outcome'>;
  readonly cloudlinkAttempts: Counter<'tenant' | 'op' | 'outcome'>;
  readonly throttleWaits: Counter<'tenant'>;
  readonly fencedWrites: Counter<'tenant' | 'op'>;
  private readonly open = new Map<string, SyncMetrics>();

  constructor() {
    const registers = [this.registry];
    this.latency = new Histogram({
      name: 'switchboard_sync_latency_seconds',
      help: 'From a change observed on one side to its write acknowledged on the other',
      labelNames: ['tenant', 'direction'],
      buckets: BUCKETS,
      registers,
    });
    this.graphCalls = new Counter({
      name: 'switchboard_graph_calls_total',
      help: 'Graph HTTP attempts by operation and outcome (HTTP status, or network)',
      labelNames: ['tenant', 'op', 'outcome'],
      registers,
    });
    this.cloudlinkCalls = new Counter({
      name: 'switchboard_cloudlink_calls_total',
      help: 'CloudLink calls by operation and outcome',
      labelNames: ['tenant', 'op', 'outcome'],
      registers,
    });
    this.cloudlinkAttempts = new Counter({
      name: 'switchboard_cloudlink_attempts_total',
      help: 'CloudLink HTTP attempts by operation and outcome (HTTP status, or network), retries included',
      labelNames: ['tenant', 'op', 'outcome'],
      registers,
    });
    this.throttleWaits = new Counter({
      name: 'switchboard_graph_throttle_waits_total',
      help: "Graph calls that waited for the tenant's presence rate limiter or a Retry-After",
      labelNames: ['tenant'],
      registers,
    });
    this.fencedWrites = new Counter({
      name: 'switchboard_sync_fenced_writes_total',
      help: 'Outbound writes not sent because this process could no longer be sure it owned the tenant sync',
      labelNames: ['tenant', 'op'],
      registers,
    });
    const open = this.open;
    new Gauge({
      name: 'switchboard_sync_queue_depth',
      help: 'Users with a write waiting or in flight, both sides',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const [tenant, m] of open) this.set({ tenant }, m.sources.queueDepth());
      },
    });
    new Gauge({
      name: 'switchboard_subscriptions',
      help: 'Presence monitors by subscription state',
      labelNames: ['tenant', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [tenant, m] of open)
          for (const [state, n] of Object.entries(m.sources.subscriptions())) this.set({ tenant, state }, n);
      },
    });
  }

  /** The tenant's handle; one at a time per tenant (a second open of the same tenant is a bug of the caller). */
  forTenant(tenantId: string, now: () => number): SyncMetrics {
    if (this.open.has(tenantId)) throw new Error(`sync metrics of tenant ${tenantId} are already open`);
    const handle = new SyncMetrics(this, tenantId, now, () => this.open.delete(tenantId));
    this.open.set(tenantId, handle);
    return handle;
  }

  /** The tenants that have series now. */
  tenants(): string[] {
    return [...this.open.keys()].sort();
  }
}

/**
 * One tenant's sync metrics, written by its engine and budget. The same figures are kept in plain form for the admin
 * API's health view, which must be answerable synchronously.
 */
export class SyncMetrics {
  sources: SyncGaugeSources = NO_SOURCES;
  private readonly raw: Record<Direction, number[]> = {
    toTeams: new Array(BUCKETS.length + 1).fill(0),
    fromTeams: new Array(BUCKETS.length + 1).fill(0),
  };
  private readonly errorTimes: number[] = [];
  private readonly throttleTimes: number[] = [];
  /** Every labelled series this tenant made, so release() can remove exactly those. */
  private readonly series = new Map<string, () => void>();
  private released = false;

  constructor(
    private readonly sink: SyncMetricsSink,
    readonly tenantId: string,
    private readonly now: () => number,
    private readonly forget: () => void,
  ) {}

  /** The registry holding this tenant's series (shared with the process's other tenants). */
  get registry(): Registry {
    return this.sink.registry;
  }

  /** The running sync service's gauges; a rebuilt service (another CloudLink account) attaches its own. */
  attach(sources: SyncGaugeSources): void {
    this.sources = sources;
  }

  detach(sources: SyncGaugeSources): void {
    if (this.sources === sources) this.sources = NO_SOURCES;
  }

  observeLatency(direction: Direction, ms: number): void {
    if (this.released) return;
    const s = Math.max(0, ms) / 1000;
    const labels = { tenant: this.tenantId, direction };
    this.track('latency', labels, () => this.sink.latency.remove(labels));
    this.sink.latency.observe(labels, s);
    const i = BUCKETS.findIndex((b) => s <= b);
    this.raw[direction][i === -1 ? BUCKETS.length : i]++;
  }

  graphCall(op: string, status: number): void {
    if (status === 429) this.throttleTimes.push(this.now());
    if (status === 0 || status >= 500) this.errorTimes.push(this.now());
    this.count(this.sink.graphCalls, 'graph', { op, outcome: status === 0 ? 'network' : String(status) });
  }

  /** One HTTP attempt: a 429 the adapter then waited out still shows here (and in the throttling figures). */
  cloudlinkAttempt(op: string, status: number): void {
    if (status === 429) this.throttleTimes.push(this.now());
    this.count(this.sink.cloudlinkAttempts, 'clAttempt', {
      op,
      outcome: status === 0 ? 'network' : String(status),
    });
  }

  cloudlinkCall(op: string, outcome: string): void {
    if (outcome !== 'ok') this.errorTimes.push(this.now());
    this.count(this.sink.cloudlinkCalls, 'clCall', { op, outcome });
  }

  throttled(): void {
    this.throttleTimes.push(this.now());
    this.count(this.sink.throttleWaits, 'throttle', {});
  }

  fencedWrite(op: string): void {
    this.count(this.sink.fencedWrites, 'fenced', { op });
  }

  error(): void {
    this.errorTimes.push(this.now());
  }

  /**
   * Removes every series of the tenant from the registry and stops counting: called when the tenant's runtime closes
   * (shutdown, offboarding), so /metrics never carries a tenant this process no longer serves.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const remove of this.series.values()) remove();
    this.series.clear();
    this.sources = NO_SOURCES;
    this.forget();
  }

  health(secretExpiresAt: string | null): HealthView {
    const cutoff = this.now() - HOUR;
    prune(this.errorTimes, cutoff);
    prune(this.throttleTimes, cutoff);
    return {
      latency: (['toTeams', 'fromTeams'] as const).map((direction) => {
        const counts = this.raw[direction];
        let cumulative = 0;
        const buckets = BUCKETS.map((le, i) => ({ le, count: (cumulative += counts[i]) }));
        const total = cumulative + counts[BUCKETS.length];
        return {
          direction,
          buckets,
          p50: quantile(buckets, total, 0.5),
          p95: quantile(buckets, total, 0.95),
          p99: quantile(buckets, total, 0.99),
        };
      }),
      queueDepth: this.sources.queueDepth(),
      errorsLastHour: this.errorTimes.length,
      subscriptions: this.sources.subscriptions(),
      throttledWaitsLastHour: this.throttleTimes.length,
      secretExpiresAt,
    };
  }

  private count<L extends string>(
    counter: Counter<'tenant' | L>,
    kind: string,
    labels: Partial<Record<L, string>>,
  ): void {
    if (this.released) return;
    const all = { tenant: this.tenantId, ...labels } as Partial<Record<'tenant' | L, string>>;
    this.track(kind, all, () => counter.remove(all));
    counter.inc(all);
  }

  private track(kind: string, labels: Record<string, string | undefined>, remove: () => void): void {
    const key = `${kind}\n${Object.values(labels).join('\n')}`;
    if (!this.series.has(key)) this.series.set(key, remove);
  }
}

function prune(times: number[], cutoff: number): void {
  let drop = 0;
  while (drop < times.length && times[drop] < cutoff) drop++;
  times.splice(0, drop);
}

/** The upper bound of the bucket holding the q-quantile (seconds); null with no samples. */
function quantile(buckets: { le: number; count: number }[], total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = q * total;
  return buckets.find((b) => b.count >= rank)?.le ?? Infinity;
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthView } from '../api/contract';

export type Direction = 'toTeams' | 'fromTeams';

/** Seconds; from a few ms (engine only) to a minute (throttled, Graph's own delivery delay). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HOUR = 3_600_000;

/**
 * The engine's metrics, on a Registry of its own that bot/ serves at /metrics. The same figures are kept in plain
 * form for the admin API's health view, which must be answerable synchronously.
 */
export class SyncMetrics {
  readonly registry = new Registry();
  private readonly latency: Histogram<'direction'>;
  private readonly graphCalls: Counter<'op' | 'outcome'>;
  private readonly cloudlinkCalls: Counter<'op' | 'outcome'>;
  private readonly cloudlinkAttempts: Counter<'op' | 'outcome'>;
  private readonly throttleWaits: Counter;
  private readonly raw: Record<Direction, number[]> = {
    toTeams: new Array(BUCKETS.length + 1).fill(0),
    fromTeams: new Array(BUCKETS.length + 1).fill(0),
  };
  private readonly errorTimes: number[] = [];
  private readonly throttleTimes: number[] = [];

  constructor(
    private readonly now: () => number,
    sources: { queueDepth: () => number; subscriptions: () => Record<string, number> },
  ) {
    this.latency = new Histogram({
      name: 'switchboard_sync_latency_seconds',
      help: 'From a change observed on one side to its write acknowledged on the other',
      labelNames: ['direction'],
      buckets: BUCKETS,
      registers: [this.registry],
    });
    this.graphCalls = new Counter({
      name: 'switchboard_graph_calls_total',
      help: 'Graph HTTP attempts by operation and outcome (HTTP status, or network)',
      labelNames: ['op', 'outcome'],
      registers: [this.registry],
    });
    this.cloudlinkCalls = new Counter({
      name: 'switchboard_cloudlink_calls_total',
      help: 'CloudLink calls by operation and outcome',
      labelNames: ['op', 'outcome'],
      registers: [this.registry],
    });
    this.cloudlinkAttempts = new Counter({
      name: 'switchboard_cloudlink_attempts_total',
      help: 'CloudLink HTTP attempts by operation and outcome (HTTP status, or network), retries included',
      labelNames: ['op', 'outcome'],
      registers: [this.registry],
    });
    this.throttleWaits = new Counter({
      name: 'switchboard_graph_throttle_waits_total',
      help: 'Graph calls that waited for the tenant-wide rate limiter or a Retry-After',
      registers: [this.registry],
    });
    new Gauge({
      name: 'switchboard_sync_queue_depth',
      help: 'Users with a write waiting or in flight, both sides',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'switchboard_subscriptions',
      help: 'Presence monitors by subscription state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(sources.subscriptions())) this.set({ state }, n);
      },
    });
    this.sources = sources;
  }

  private readonly sources: { queueDepth: () => number; subscriptions: () => Record<string, number> };

  observeLatency(direction: Direction, ms: number): void {
    const s = Math.max(0, ms) / 1000;
    this.latency.observe({ direction }, s);
    const i = BUCKETS.findIndex((b) => s <= b);
    this.raw[direction][i === -1 ? BUCKETS.length : i]++;
  }

  graphCall(op: string, status: number): void {
    this.graphCalls.inc({ op, outcome: status === 0 ? 'network' : String(status) });
    if (status === 429) this.throttleTimes.push(this.now());
    if (status === 0 || status >= 500) this.errorTimes.push(this.now());
  }

  /** One HTTP attempt: a 429 the adapter then waited out still shows here (and in the throttling figures). */
  cloudlinkAttempt(op: string, status: number): void {
    this.cloudlinkAttempts.inc({ op, outcome: status === 0 ? 'network' : String(status) });
    if (status === 429) this.throttleTimes.push(this.now());
  }

  cloudlinkCall(op: string, outcome: string): void {
    this.cloudlinkCalls.inc({ op, outcome });
    if (outcome !== 'ok') this.errorTimes.push(this.now());
  }

  throttled(): void {
    this.throttleWaits.inc();
    this.throttleTimes.push(this.now());
  }

  error(): void {
    this.errorTimes.push(this.now());
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

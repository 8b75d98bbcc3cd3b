import type { CloudLinkOutcome, GraphOutcome, GraphRequestKind } from '../ports/outcomes';
import { systemSyncClock, type SyncClock } from './clock';
import { SyncMetricsSink, type SyncMetrics } from './metrics';
import { RateLimiter } from './rate-limiter';
import { RequestWindow } from './read-budget';

export interface TenantBudgetOptions {
  tenantId: string;
  clock?: SyncClock;
  /** Graph presence calls per second across the tenant (default 50: Graph's 1,500 per 30 s per app per tenant). */
  graphRatePerSecond?: number;
  /**
   * Paces resync PBX reads of the CloudLink account to this many a second. CloudLink publishes no rate numbers;
   * unset, the reads rely on the CloudLink adapter's 429/Retry-After handling alone.
   */
  pbxReadsPerSecond?: number;
  /** The process's metrics sink; default a private one (a test, the benchmark). */
  sink?: SyncMetricsSink;
}

/**
 * Graph's throttling budget is per app per tenant: one token bucket for the tenant's presence calls, paused for the
 * whole tenant by a 429's Retry-After, and the window of presence requests sent that hybrid reads spend the spare of.
 */
export class GraphBudget {
  readonly limiter: RateLimiter;
  /** Every Graph presence request of the tenant, counted as it is let through the limiter. */
  readonly presenceRequests: RequestWindow;

  constructor(
    clock: SyncClock,
    ratePerSecond: number,
    private readonly metrics: SyncMetrics,
  ) {
    this.limiter = new RateLimiter(clock, ratePerSecond, () => metrics.throttled());
    this.presenceRequests = new RequestWindow(() => clock.now());
  }

  /** The Graph adapter's `beforeRequest`: presence calls wait for the tenant's bucket; others are throttled apart. */
  beforeRequest(kind: GraphRequestKind): Promise<void> {
    if (kind !== 'presence') return Promise.resolve();
    return this.limiter.acquire().then(() => this.presenceRequests.record());
  }

  /** The Graph adapter's `onOutcome`: counts the attempt; a 429 pauses the tenant's bucket for its Retry-After. */
  outcome(outcome: GraphOutcome): void {
    this.metrics.graphCall(outcome.op, outcome.status);
    if (outcome.status === 429) this.limiter.pauseFor(outcome.retryAfterMs ?? 1000);
  }
}

/** CloudLink's limits are per account: the pacing of resync PBX reads, and the count of every attempt. */
export class CloudLinkBudget {
  /** Shared by every resync of the account, so an on-demand one and the periodic one add up to the rate. */
  readonly pbxReads: RateLimiter | undefined;

  constructor(
    readonly accountId: string | null,
    clock: SyncClock,
    pbxReadsPerSecond: number | undefined,
    private readonly metrics: SyncMetrics,
  ) {
    this.pbxReads = pbxReadsPerSecond ? new RateLimiter(clock, pbxReadsPerSecond) : undefined;
  }

  /** The CloudLink adapter's `onOutcome`: every attempt is counted, so 429s waited out still show. */
  outcome(outcome: CloudLinkOutcome): void {
    this.metrics.cloudlinkAttempt(outcome.op, outcome.status);
  }
}

/**
 * One tenant's budgets and metrics, built first by the composition root and handed to the adapters (their
 * beforeRequest/onOutcome) and to the sync service (SyncDeps.budget), so no adapter reaches into the service. It lives
 * as long as the tenant is served: the sync service may be rebuilt (another CloudLink account) without resetting
 * Graph's bucket, and `release()` removes the tenant's metric series when it stops being served.
 */
export class TenantBudget {
  readonly tenantId: string;
  readonly metrics: SyncMetrics;
  readonly graph: GraphBudget;
  private account: CloudLinkBudget;

  constructor(private readonly options: TenantBudgetOptions) {
    this.tenantId = options.tenantId;
    const clock = options.clock ?? systemSyncClock;
    this.metrics = (options.sink ?? new SyncMetricsSink()).forTenant(options.tenantId, () => clock.now());
    this.graph = new GraphBudget(clock, options.graphRatePerSecond ?? 50, this.metrics);
    this.account = new CloudLinkBudget(null, clock, options.pbxReadsPerSecond, this.metrics);
  }

  /** The CloudLink account's budget now. */
  get cloudlink(): CloudLinkBudget {
    return this.account;
  }

  /** A CloudLink account linked (or another one): its own budget from now on; the same account keeps its budget. */
  useCloudLinkAccount(accountId: string): CloudLinkBudget {
    if (this.account.accountId !== accountId)
      this.account = new CloudLinkBudget(
        accountId,
        this.options.clock ?? systemSyncClock,
        this.options.pbxReadsPerSecond,
        this.metrics,
      );
    return this.account;
  }

  /** The tenant is no longer served here: its series leave /metrics. */
  release(): void {
    this.metrics.release();
  }
}

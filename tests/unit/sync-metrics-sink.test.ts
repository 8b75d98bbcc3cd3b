import { SyncMetricsSink } from '../../shared/sync/metrics';
import { TenantBudget } from '../../shared/sync/tenant-budget';
import { VirtualClock } from '../support/virtual-clock';

/**
 * The process-wide sync metrics (shared/sync/metrics.ts) and the tenant budget that writes to them: what a Prometheus
 * scrape of one process serving two tenants shows, and that a tenant that stops being served leaves nothing behind.
 */
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

const tenantsIn = (text: string) => [...new Set([...text.matchAll(/tenant="([^"]+)"/g)].map((m) => m[1]))].sort();

describe('the sync metrics sink', () => {
  it("keeps each tenant's series under its own label, gauges read from the tenant's running service", async () => {
    const sink = new SyncMetricsSink();
    const clock = new VirtualClock();
    const a = new TenantBudget({ tenantId: A, clock, sink });
    const b = new TenantBudget({ tenantId: B, clock, sink });
    a.graph.outcome({ op: 'setPresence', status: 200, durationMs: 5, attempt: 0, willRetry: false });
    a.graph.outcome({ op: 'setPresence', status: 200, durationMs: 5, attempt: 0, willRetry: false });
    b.graph.outcome({ op: 'setPresence', status: 429, durationMs: 5, attempt: 0, willRetry: true });
    a.metrics.observeLatency('toTeams', 120);
    b.metrics.attach({ queueDepth: () => 3, subscriptions: () => ({ active: 2 }) });
    const text = await sink.registry.metrics();
    expect(text).toContain(`switchboard_graph_calls_total{tenant="${A}",op="setPresence",outcome="200"} 2`);
    expect(text).toContain(`switchboard_graph_calls_total{tenant="${B}",op="setPresence",outcome="429"} 1`);
    expect(text).not.toContain(`switchboard_graph_calls_total{tenant="${A}",op="setPresence",outcome="429"}`);
    expect(text).toContain(`switchboard_sync_latency_seconds_count{tenant="${A}",direction="toTeams"} 1`);
    expect(text).toContain(`switchboard_sync_queue_depth{tenant="${B}"} 3`);
    expect(text).toContain(`switchboard_sync_queue_depth{tenant="${A}"} 0`);
    expect(text).toContain(`switchboard_subscriptions{tenant="${B}",state="active"} 2`);
    expect(sink.tenants()).toEqual([A, B]);
  });

  it("removes a released tenant's series, keeps the other's, and ignores the released tenant's late counts", async () => {
    const sink = new SyncMetricsSink();
    const clock = new VirtualClock();
    const a = new TenantBudget({ tenantId: A, clock, sink });
    const b = new TenantBudget({ tenantId: B, clock, sink });
    for (const budget of [a, b]) {
      budget.graph.outcome({ op: 'getPresencesByUserId', status: 503, durationMs: 5, attempt: 0, willRetry: true });
      budget.cloudlink.outcome({ op: 'setDnd', status: 200, durationMs: 5, attempt: 0, willRetry: false });
      budget.metrics.cloudlinkCall('setDnd', 'ok');
      budget.metrics.fencedWrite('setPresence');
      budget.metrics.throttled();
      budget.metrics.observeLatency('fromTeams', 40);
      budget.metrics.attach({ queueDepth: () => 1, subscriptions: () => ({ active: 1 }) });
    }
    expect(tenantsIn(await sink.registry.metrics())).toEqual([A, B]);

    a.release();
    // A call that was in flight when the tenant closed answers afterwards: it must not bring the tenant back.
    a.graph.outcome({ op: 'setPresence', status: 200, durationMs: 5, attempt: 0, willRetry: false });
    a.metrics.observeLatency('toTeams', 10);
    const text = await sink.registry.metrics();
    expect(tenantsIn(text)).toEqual([B]);
    expect(text).toContain(`switchboard_sync_fenced_writes_total{tenant="${B}",op="setPresence"} 1`);
    expect(text).toContain(`switchboard_cloudlink_attempts_total{tenant="${B}",op="setDnd",outcome="200"} 1`);
    expect(sink.tenants()).toEqual([B]);

    // The tenant onboarded again later starts from nothing.
    const again = new TenantBudget({ tenantId: A, clock, sink });
    again.graph.outcome({ op: 'setPresence', status: 200, durationMs: 5, attempt: 0, willRetry: false });
    expect(await sink.registry.metrics()).toContain(
      `switchboard_graph_calls_total{tenant="${A}",op="setPresence",outcome="200"} 1`,
    );
  });

  it('refuses a second open handle of one tenant (two runtimes of one tenant in a process is a bug)', () => {
    const sink = new SyncMetricsSink();
    new TenantBudget({ tenantId: A, sink });
    expect(() => new TenantBudget({ tenantId: A, sink })).toThrow(/already open/);
  });
});

describe('the tenant budget', () => {
  it("pauses only its own tenant's Graph presence bucket for a 429's Retry-After", async () => {
    const sink = new SyncMetricsSink();
    const clock = new VirtualClock();
    const busy = new TenantBudget({ tenantId: A, clock, sink });
    const quiet = new TenantBudget({ tenantId: B, clock, sink });
    busy.graph.outcome({
      op: 'setPresence',
      status: 429,
      durationMs: 5,
      retryAfterMs: 10_000,
      attempt: 0,
      willRetry: true,
    });
    let busyWent = false;
    let quietWent = false;
    void busy.graph.beforeRequest('presence').then(() => (busyWent = true));
    void quiet.graph.beforeRequest('presence').then(() => (quietWent = true));
    await clock.advance(100, 10);
    expect(quietWent).toBe(true);
    expect(busyWent).toBe(false);
    // Directory and subscription calls are throttled apart by Graph: the presence pause does not hold them.
    await expect(busy.graph.beforeRequest('other')).resolves.toBeUndefined();
    await clock.advance(10_000, 100);
    expect(busyWent).toBe(true);
    const text = await sink.registry.metrics();
    expect(text).toContain(`switchboard_graph_throttle_waits_total{tenant="${A}"} 1`);
    expect(text).not.toContain(`switchboard_graph_throttle_waits_total{tenant="${B}"}`);
  });

  it('gives a newly linked CloudLink account its own read pacing, and keeps it for the same account', () => {
    const budget = new TenantBudget({ tenantId: A, pbxReadsPerSecond: 5 });
    const first = budget.useCloudLinkAccount('account-1');
    expect(budget.useCloudLinkAccount('account-1')).toBe(first);
    const second = budget.useCloudLinkAccount('account-2');
    expect(second).not.toBe(first);
    expect(second.pbxReads).not.toBe(first.pbxReads);
    expect(budget.cloudlink).toBe(second);
  });
});

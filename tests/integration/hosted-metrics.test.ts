import type { DemoUser, SeededCompany } from '../../emulators/seed/demo';
import { DEFAULT_PRESENCE_LIMIT } from '../../emulators/graph/throttling';
import { linkAndMonitor, onboard, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * Issue 16's per-tenant limits and metrics on one hosted server with two customer tenants, Northwind and Fabrikam, on
 * real time against the emulators: /metrics carries each tenant's sync series under its own `tenant` label and no
 * other; Graph throttling Northwind (the emulator's per-app-per-tenant presence limit) pauses Northwind's budget only,
 * so a Fabrikam phone call reaches Teams at once; offboarding Northwind takes its series off /metrics.
 */
const METRICS_TOKEN = 'metrics-token-for-hosted-tests';
let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;

beforeAll(async () => {
  world = await startHostedWorld({ users: 6, env: { METRICS_BEARER_TOKEN: METRICS_TOKEN } });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  for (const company of [northwind, fabrikam]) {
    await onboard(world, company);
    await linkAndMonitor(world, company);
  }
  await eventually(() => {
    for (const company of [northwind, fabrikam]) expect(watched(company).length).toBeGreaterThan(1);
  }, 15_000);
  // Signed in to Teams, so a phone call shows there as In a call.
  for (const company of [northwind, fabrikam])
    for (const u of watched(company)) world.emulators.graph.control.teams(u.entraId, 'signIn', 'desktop');
}, 60_000);
afterAll(async () => {
  world?.emulators.graph.control.setThrottleLimit(DEFAULT_PRESENCE_LIMIT);
  await world?.close();
});

/** The company's staff its presence monitor watches (the users the tenant's sync holds). */
function watched(company: SeededCompany): DemoUser[] {
  const sub = world.emulators.graph.control
    .subscriptions()
    .find((s) => s.tenantId === company.tenantId && !s.paused && s.userIds.length > 0);
  return company.users.filter((u) => !u.isAdmin && sub?.userIds.includes(u.entraId));
}
const teams = (u: DemoUser) => world.emulators.graph.control.presence(u.entraId);
/** Graph presence writes at the emulator for the company's people, by answer status. */
const presenceWrites = (company: SeededCompany, status?: number) => {
  const ids = new Set(company.users.map((u) => u.entraId));
  return world.emulators.graph.control
    .requests()
    .filter((r) => {
      const user = /^\/users\/([^/]+)\/presence\/setPresence$/.exec(r.path)?.[1];
      return user !== undefined && ids.has(decodeURIComponent(user));
    })
    .filter((r) => status === undefined || r.status === status);
};

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${world.app.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const samples: Sample[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's samples for one tenant whose labels include `labels`. */
function sum(samples: Sample[], name: string, tenantId: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && s.labels.tenant === tenantId)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

const tenantsIn = (samples: Sample[]) =>
  [...new Set(samples.map((s) => s.labels.tenant).filter((t) => t !== undefined))].sort();

describe('hosted per-tenant metrics and budgets', () => {
  it("labels each tenant's sync series with its own tenant, and only the served tenants", async () => {
    const calls = [northwind, fabrikam].map((company) => {
      const person = watched(company)[0]!;
      return { person, call: world.emulators.cloudlink.pbx.placeCall('+4930555000', person.principalId) };
    });
    await eventually(() => {
      for (const { person } of calls) expect(teams(person)).toMatchObject({ activity: 'InACall' });
    }, 15_000);
    for (const { call } of calls) world.emulators.cloudlink.pbx.hangUp(call.callId);
    await eventually(() => {
      for (const { person } of calls) expect(teams(person).activity).not.toBe('InACall');
    }, 15_000);

    await eventually(async () => {
      const samples = await scrape();
      expect(tenantsIn(samples)).toEqual([northwind.tenantId, fabrikam.tenantId].sort());
      for (const company of [northwind, fabrikam]) {
        const id = company.tenantId;
        // Each tenant's writes are counted under its own label: exactly what Graph received for its people.
        expect(sum(samples, 'switchboard_graph_calls_total', id, { op: 'setPresence', outcome: '200' })).toBe(
          presenceWrites(company, 200).length,
        );
        expect(
          sum(samples, 'switchboard_sync_latency_seconds_count', id, { direction: 'toTeams' }),
        ).toBeGreaterThanOrEqual(1);
        expect(sum(samples, 'switchboard_subscriptions', id, { state: 'active' })).toBe(1);
        expect(samples.some((s) => s.name === 'switchboard_sync_queue_depth' && s.labels.tenant === id)).toBe(
          true,
        );
      }
    }, 5_000);
  });

  it("a tenant throttled by Graph does not slow another tenant's writes or spend its budget", async () => {
    const before = await scrape();
    const fabrikamWaitsBefore = sum(before, 'switchboard_graph_throttle_waits_total', fabrikam.tenantId);
    // Graph's presence limit per app per tenant, made small: Northwind's burst below runs past it, Fabrikam's one
    // write stays well inside its own (setting the limit starts every tenant's window afresh).
    world.emulators.graph.control.setThrottleLimit({ requests: 3, windowMs: 30_000 });
    const busy = watched(northwind);
    expect(busy.length).toBeGreaterThan(3);
    const busyCalls = busy.map((u) => world.emulators.cloudlink.pbx.placeCall('+4930555001', u.principalId));
    await eventually(() => expect(presenceWrites(northwind, 429).length).toBeGreaterThan(0), 15_000);

    // Northwind is throttled now; a Fabrikam phone call reaches Teams at once all the same.
    const quiet = watched(fabrikam)[1]!;
    const placedAt = Date.now();
    const quietCall = world.emulators.cloudlink.pbx.placeCall('+4930555002', quiet.principalId);
    await eventually(() => expect(teams(quiet)).toMatchObject({ activity: 'InACall' }), 10_000, 20);
    const quietMs = Date.now() - placedAt;
    const northwindWaiting = busy.filter((u) => teams(u).activity !== 'InACall');
    // Graph's Retry-After holds Northwind's writes for up to the 30 s window; Fabrikam's went at once.
    expect(quietMs).toBeLessThan(5_000);
    expect(northwindWaiting.length).toBeGreaterThan(0);
    expect(presenceWrites(fabrikam, 429)).toEqual([]);

    const during = await scrape();
    expect(
      sum(during, 'switchboard_graph_calls_total', northwind.tenantId, { outcome: '429' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sum(during, 'switchboard_graph_calls_total', fabrikam.tenantId, { outcome: '429' })).toBe(0);
    expect(sum(during, 'switchboard_graph_throttle_waits_total', fabrikam.tenantId)).toBe(fabrikamWaitsBefore);

    // The throttled tenant is slowed, not broken: once Graph's window frees up, its writes land.
    world.emulators.graph.control.setThrottleLimit(DEFAULT_PRESENCE_LIMIT);
    await eventually(() => {
      for (const u of busy) expect(teams(u)).toMatchObject({ activity: 'InACall' });
    }, 45_000, 250);
    for (const c of [...busyCalls, quietCall]) world.emulators.cloudlink.pbx.hangUp(c.callId);
  }, 90_000);

  it("offboarding a tenant takes its series off /metrics and leaves the other tenant's", async () => {
    await world.app.store.tenantRegistry().offboard(northwind.tenantId, Date.now(), 'operator:test');
    // Closed at the next registry refresh; the runtime says so once it has stopped.
    const closed = (l: Record<string, unknown>) => l.event === 'tenant.closed' && l.tenantId === northwind.tenantId;
    await eventually(() => expect(world.lines.some(closed)).toBe(true), 10_000);
    const samples = await scrape();
    expect(tenantsIn(samples)).toEqual([fabrikam.tenantId]);
    expect(sum(samples, 'switchboard_graph_calls_total', fabrikam.tenantId)).toBeGreaterThan(0);
    expect(sum(samples, 'switchboard_subscriptions', fabrikam.tenantId, { state: 'active' })).toBe(1);
  });
});

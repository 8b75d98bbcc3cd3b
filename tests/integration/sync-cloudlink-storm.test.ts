import type { ApiCallRecord } from '../../emulators/cloudlink/gate';
import { startRunningSyncWorld, startSyncWorld, type SyncWorld } from './sync-harness';

/**
 * CloudLink answering 429 (its rate limit, or injected with Retry-After) while PBX and Teams changes and a resync go
 * on: no call is repeated before its Retry-After has passed, nothing is lost (both sides end right for every user),
 * and the throttling shows in the metrics the admin and Prometheus read.
 */
jest.setTimeout(60_000);

describe('CloudLink 429 storms against the emulators', () => {
  let w: SyncWorld;
  afterEach(async () => w?.close());

  async function world(users: number, extra: Parameters<typeof startSyncWorld>[0] = {}) {
    w = await startRunningSyncWorld({ users, ...extra });
    return w;
  }
  const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
  const pbxOf = (i: number) => w.emulators.cloudlink.pbx.presentity(w.pbxIds[i]);
  const presentityCalls = () =>
    w.emulators.cloudlink.control.calls.filter((c) => c.path.includes('/presentities/'));
  /** Pairs every 429 with the next call to the same resource, which must not come before `retryAfterMs`. */
  function earlyRetries(calls: ApiCallRecord[], retryAfterMs: (c: ApiCallRecord) => number) {
    const early: string[] = [];
    calls.forEach((c, i) => {
      if (c.status !== 429) return;
      const next = calls.slice(i + 1).find((n) => n.path === c.path && n.method === c.method);
      if (next && next.at - c.at < retryAfterMs(c))
        early.push(`${c.method} ${c.path} after ${next.at - c.at} ms`);
    });
    return early;
  }
  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = (await w.service.metrics.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
    return values
      .filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
      .reduce((sum, v) => sum + v.value, 0);
  }

  it('DND writes answered 429 with Retry-After: each waits it out, then every DND lands', async () => {
    await world(8);
    w.emulators.cloudlink.control.failNext({
      status: 429,
      count: 8,
      pathIncludes: '/presentities/',
      retryAfterSeconds: 5,
    });
    for (const p of w.people) w.emulators.graph.control.setManualStatus(p.id, 'DoNotDisturb', 'DoNotDisturb');
    await w.eventually(() => {
      for (let i = 0; i < 8; i++)
        expect(pbxOf(i)).toMatchObject({ status: 'dnd', reason: 'Do not disturb in Teams' });
    }, 15_000);
    const calls = presentityCalls().filter((c) => c.method === 'PUT');
    expect(calls.filter((c) => c.status === 429)).toHaveLength(8);
    expect(earlyRetries(calls, () => 5000)).toEqual([]);
    // One accepted write per user: waiting did not turn into duplicate writes.
    expect(calls.filter((c) => c.status === 200)).toHaveLength(8);
    expect(await metricValue('switchboard_cloudlink_calls_total', { op: 'setDnd', outcome: 'error' })).toBe(
      8,
    );
    expect(await metricValue('switchboard_cloudlink_calls_total', { op: 'setDnd', outcome: 'ok' })).toBe(8);
    expect(w.service.health().errorsLastHour).toBeGreaterThanOrEqual(8);
    expect((await w.service.statusOf(w.people[0].id)).problem).toBeNull();
  });

  /**
   * Drift the resync must find: DNDs whose webhooks never reached us, next to PBX calls (which reach us as call
   * events; a resync reading their users' presence must leave them Busy, presence saying nothing of calls).
   */
  async function driftUnseen() {
    const calls = Array.from({ length: 15 }, (_, i) =>
      w.emulators.cloudlink.pbx.placeCall('+4930123', w.pbxIds[i]),
    );
    await w.eventually(() =>
      expect(w.people.slice(0, 15).map((_, i) => rightInTeams(i))).not.toContain(false),
    );
    await w.run(w.service.idle());
    w.dropCloudLinkWebhooks = true;
    for (let i = 15; i < 20; i++) w.emulators.cloudlink.pbx.setDnd(w.pbxIds[i], true, 'Lunch');
    return calls;
  }
  /** Whether user i shows in Teams what its PBX says (call: Busy; user's DND: DoNotDisturb; else no call session). */
  function rightInTeams(i: number): boolean {
    const p = presence(i);
    if (i < 15) return p.availability === 'Busy' && p.activity === 'InACall';
    if (i < 20) return p.availability === 'DoNotDisturb';
    return p.activity !== 'InACall';
  }
  const USERS = 40;

  it('an unpaced resync under a low rate limit: reads wait out Retry-After; those CloudLink still refuses are named', async () => {
    await world(USERS, { cloudlinkRetries: 3 });
    const calls = await driftUnseen();
    w.emulators.cloudlink.control.setRateLimit({ limit: 10, windowMs: 1000 });
    const before = presentityCalls().length;
    await w.run(w.service.resyncAll(undefined, { readEveryPbx: true }));
    const reads = presentityCalls().slice(before);
    expect(reads.filter((c) => c.status === 429).length).toBeGreaterThan(0);
    // The emulator's window is a second: its Retry-After is 1 s, and no read of the same user comes sooner.
    expect(earlyRetries(reads, () => 1000)).toEqual([]);
    // A user whose every attempt was refused is not silently skipped: their status says so and what happens next.
    const lastStatus = (i: number) => reads.filter((c) => c.path.endsWith(`/${w.pbxIds[i]}`)).at(-1)?.status;
    await w.run(w.service.idle());
    const refused: number[] = [];
    for (let i = 0; i < USERS; i++) {
      const problem = (await w.service.statusOf(w.people[i].id)).problem;
      if (lastStatus(i) === 429) {
        refused.push(i);
        expect(problem).toEqual({
          message: 'resync could not read the PBX: CloudLink is throttling',
          fix: 'The next resync tries again.',
          messageText: {
            code: 'sync.resyncPbxReadFailed',
            params: { reason: { code: 'sync.throttled', params: { system: 'CloudLink' } } },
          },
          fixText: { code: 'fix.nextResync' },
        });
      } else {
        expect(problem).toBeNull();
        expect(rightInTeams(i)).toBe(true);
      }
    }
    expect(refused.length).toBeLessThan(USERS);
    expect(
      await metricValue('switchboard_cloudlink_calls_total', { op: 'getPresence', outcome: 'error' }),
    ).toBe(refused.length);
    // Every 429, including those the adapter waited out and then got through, shows as an attempt.
    const throttledReads = reads.filter((c) => c.status === 429).length;
    expect(throttledReads).toBeGreaterThan(refused.length);
    expect(
      await metricValue('switchboard_cloudlink_attempts_total', { op: 'getPresence', outcome: '429' }),
    ).toBe(throttledReads);
    // Nothing is lost: once CloudLink lets up, the next (periodic) resync repairs every user.
    w.emulators.cloudlink.control.setRateLimit({ limit: 200, windowMs: 1000 });
    await w.run(w.service.resyncAll(undefined, { readEveryPbx: true }));
    await w.eventually(() => expect(w.people.map((_, i) => rightInTeams(i))).not.toContain(false));
    // The PBX side is the users' own doing: we wrote nothing there, their DNDs and texts stand.
    for (let i = 15; i < 20; i++) expect(pbxOf(i)).toMatchObject({ status: 'dnd', reason: 'Lunch' });
    expect(w.emulators.cloudlink.control.calls.filter((c) => c.method === 'PUT')).toEqual([]);
    calls.forEach((c) => w.emulators.cloudlink.pbx.hangUp(c.callId));
  });

  it('paced below the limit (pbxReadsPerSecond), the same resync meets no 429 and repairs everyone at once', async () => {
    await world(USERS, { cloudlinkRetries: 3, budget: { pbxReadsPerSecond: 8 } });
    const calls = await driftUnseen();
    await w.clock.advance(1000, 100); // start-up calls (tokens, user list, subscription) used this second's window
    w.emulators.cloudlink.control.setRateLimit({ limit: 10, windowMs: 1000 });
    const before = w.emulators.cloudlink.control.calls.length;
    const readsBefore = await metricValue('switchboard_cloudlink_calls_total', {
      op: 'getPresence',
      outcome: 'ok',
    });
    const started = w.clock.now();
    await w.run(w.service.resyncAll(undefined, { readEveryPbx: true }));
    const reads = w.emulators.cloudlink.control.calls.slice(before);
    expect(reads.filter((c) => c.status === 429)).toEqual([]);
    expect(reads.filter((c) => c.method === 'GET' && c.path.includes('/presentities/'))).toHaveLength(USERS);
    expect(w.clock.now() - started).toBeGreaterThanOrEqual(((USERS - 8) / 8) * 1000 - 100); // paced, not bunched
    await w.eventually(() => expect(w.people.map((_, i) => rightInTeams(i))).not.toContain(false));
    for (let i = 0; i < USERS; i++) expect((await w.service.statusOf(w.people[i].id)).problem).toBeNull();
    expect(await metricValue('switchboard_cloudlink_calls_total', { op: 'getPresence', outcome: 'ok' })).toBe(
      readsBefore + USERS,
    );
    w.emulators.cloudlink.control.setRateLimit({ limit: 200, windowMs: 1000 });
    calls.forEach((c) => w.emulators.cloudlink.pbx.hangUp(c.callId));
  });
});

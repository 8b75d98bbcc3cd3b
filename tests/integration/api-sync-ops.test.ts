import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany, type DemoUser } from '../../emulators/seed/demo';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { eventually as eventuallyWithin, freePort } from './real-time';

/**
 * The server as main.ts composes it (notifications mode, real adapters and sync service) against the emulators, seen
 * from outside: Prometheus scraping /metrics with METRICS_BEARER_TOKEN, the admin page's health view, the admin's
 * "reset phone status" button, and CLOUDLINK_READS_PER_SECOND reaching the resync.
 */
jest.setTimeout(30_000);

const METRICS_TOKEN = randomBytes(24).toString('hex');
/** Beyond the seeded staff, so a deep resync reads enough phones to outrun CloudLink's 200/s without pacing. */
const EXTRA_PHONES = 400;
/** This file's waits default to 8 s: some steps run a whole resync of the demo company behind them. */
const eventually = (check: () => void | Promise<void>, timeoutMs = 8000) =>
  eventuallyWithin(check, timeoutMs);

/** The value of one Prometheus sample (summed over series matching `labels`); NaN when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      found = true;
      sum += Number(m[3]);
    }
  }
  return found ? sum : NaN;
}

describe('sync operations through the composed server', () => {
  let emulators: Emulators;
  let company: DemoCompany;
  let app: RunningSwitchboard;
  let adminToken: string;
  let userToken: string;
  let staff: DemoUser[];

  const http = async (method: string, path: string, authorization?: string, body?: unknown) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        ...(authorization ? { Authorization: authorization } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
    return { status: res.status, text, body: json as any, headers: res.headers };
  };
  const presence = (u: DemoUser) => emulators.graph.control.presence(u.entraId);
  const phone = (u: DemoUser) => emulators.cloudlink.pbx.presentity(u.principalId);

  beforeAll(async () => {
    emulators = await startEmulators();
    const port = await freePort();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: `http://127.0.0.1:${port}`,
      users: 16,
      callsPerUser: 0,
    });
    const domain = company.users[0].mail.split('@')[1];
    for (let i = 0; i < EXTRA_PHONES; i++) {
      const mail = `phone${i}@${domain}`;
      emulators.directory.addUser(company.tenantId, {
        userPrincipalName: mail,
        mail,
        displayName: `Phone ${i}`,
      });
      emulators.cloudlink.pbx.addUser(company.cloudlink.accountId, {
        name: `Phone ${i}`,
        email: mail,
        extension: String(5000 + i),
      });
    }
    const config = loadConfig({
      PORT: String(port),
      STORE_URL: 'sqlite::memory:',
      LOG_LEVEL: 'silent',
      METRICS_BEARER_TOKEN: METRICS_TOKEN,
      // Notifications alone: the repairs below are for when Graph's notifications stall, which hybrid mode's own
      // reads would otherwise mend before the admin gets to them (tests/integration/sync-hybrid-reads.test.ts).
      SYNC_MODE: 'notifications',
    });
    app = await startSwitchboard(
      config,
      {
        ...demoTenantLink(company, emulators, 'switchboard-ops-test'),
        botAuth: { kind: 'playground' },
        secretKey: Buffer.alloc(32, 5),
        appVersion: '0.0.0-test',
        tabDir: 'tests/integration/bot-tab-fixture',
      },
      silentLogger(),
    );
    const admin = company.users.find((u) => u.isAdmin)!;
    staff = company.users.filter((u) => !u.isAdmin);
    const mint = (u: DemoUser) =>
      emulators.entra.mintTeamsSsoToken({
        tenantId: company.tenantId,
        userId: u.entraId,
        clientId: company.clientId,
      });
    adminToken = `Bearer ${await mint(admin)}`;
    userToken = `Bearer ${await mint(staff[0])}`;
    for (const u of staff) emulators.graph.control.teams(u.entraId, 'signIn', 'desktop');
    await eventually(() =>
      expect(emulators.graph.control.subscriptions().filter((s) => !s.paused).length).toBeGreaterThan(0),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await emulators?.close();
  });

  describe('/metrics and the health view after real sync activity', () => {
    beforeAll(async () => {
      // PBX → Teams for eight people at once (more than the Graph limiter's burst, so some calls wait their turn) …
      const calls = staff
        .slice(0, 8)
        .map((u) => emulators.cloudlink.pbx.placeCall('+4930555000', u.principalId));
      await eventually(() => {
        for (const u of staff.slice(0, 8)) expect(presence(u)).toMatchObject({ activity: 'InACall' });
      });
      // … and Teams → PBX for one.
      emulators.graph.control.teams(staff[8].entraId, 'startCall');
      await eventually(() =>
        expect(phone(staff[8])).toMatchObject({ status: 'dnd', reason: 'In a Teams call' }),
      );
      calls.forEach((c) => emulators.cloudlink.pbx.hangUp(c.callId));
      emulators.graph.control.teams(staff[8].entraId, 'endCall');
      await eventually(() => {
        expect(phone(staff[8]).status).not.toBe('dnd');
        for (const u of staff.slice(0, 8)) expect(presence(u).activity).not.toBe('InACall');
      });
    });

    it('refuses a scrape without the metrics token, with a wrong one, or with a user sign-in', async () => {
      for (const auth of [
        undefined,
        'Bearer wrong-token',
        `Basic ${METRICS_TOKEN}`,
        userToken,
        `Bearer ${METRICS_TOKEN}x`,
      ]) {
        const res = await http('GET', '/metrics', auth);
        expect(res.status).toBe(401);
        expect(res.text).not.toMatch(/switchboard_/);
      }
    });

    it('serves every metric issue 3 names, non-zero where activity happened, with no user identifiers', async () => {
      await app.sync!.idle(); // every write above acknowledged, so the queue gauge reads what an idle service has
      const res = await http('GET', '/metrics', `Bearer ${METRICS_TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const t = res.text;
      // Per-direction latency histograms.
      expect(
        sample(t, 'switchboard_sync_latency_seconds_count', { direction: 'toTeams' }),
      ).toBeGreaterThanOrEqual(8);
      expect(
        sample(t, 'switchboard_sync_latency_seconds_count', { direction: 'fromTeams' }),
      ).toBeGreaterThanOrEqual(2);
      expect(sample(t, 'switchboard_sync_latency_seconds_bucket', { direction: 'toTeams', le: '+Inf' })).toBe(
        sample(t, 'switchboard_sync_latency_seconds_count', { direction: 'toTeams' }),
      );
      expect(sample(t, 'switchboard_sync_latency_seconds_sum', { direction: 'toTeams' })).toBeGreaterThan(0);
      // Queue depth (a gauge; nothing is queued once the writes above are acknowledged).
      expect(sample(t, 'switchboard_sync_queue_depth')).toBe(0);
      // Graph and CloudLink calls by outcome.
      expect(
        sample(t, 'switchboard_graph_calls_total', { op: 'setPresence', outcome: '200' }),
      ).toBeGreaterThanOrEqual(8);
      expect(
        sample(t, 'switchboard_graph_calls_total', { op: 'clearPresence', outcome: '200' }),
      ).toBeGreaterThanOrEqual(8);
      expect(
        sample(t, 'switchboard_cloudlink_calls_total', { op: 'setDnd', outcome: 'ok' }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        sample(t, 'switchboard_cloudlink_calls_total', { op: 'subscribe', outcome: 'ok' }),
      ).toBeGreaterThanOrEqual(1);
      // Throttling waits: eight writes at once are more than the limiter's burst of five.
      expect(sample(t, 'switchboard_graph_throttle_waits_total')).toBeGreaterThan(0);
      // Subscriptions by state.
      expect(sample(t, 'switchboard_subscriptions', { state: 'active' })).toBeGreaterThanOrEqual(1);
      // Every sync series names the one tenant this process serves (the label hosted mode tells tenants apart by).
      const syncLines = t.split('\n').filter((l) => /^switchboard_(sync|graph|cloudlink|subscriptions)/.test(l));
      expect(syncLines.length).toBeGreaterThan(0);
      for (const line of syncLines) expect(line).toContain(`tenant="${company.tenantId}"`);
      for (const u of company.users) {
        expect(t).not.toContain(u.entraId);
        expect(t).not.toContain(u.mail);
        expect(t).not.toContain(u.principalId);
      }
    });

    it('the admin API reads the same figures; other callers may not', async () => {
      const health = await http('GET', '/api/admin/health', adminToken);
      expect(health.status).toBe(200);
      const toTeams = health.body.latency.find((l: { direction: string }) => l.direction === 'toTeams');
      expect(toTeams.buckets.at(-1).count).toBeGreaterThanOrEqual(8);
      expect(toTeams.p99).toEqual(expect.any(Number));
      expect(health.body.subscriptions.active).toBeGreaterThanOrEqual(1);
      expect(health.body.throttledWaitsLastHour).toBeGreaterThan(0);
      expect(health.body.queueDepth).toEqual(expect.any(Number));
      expect((await http('GET', '/api/admin/health', userToken)).status).toBe(403);
      expect((await http('GET', '/api/admin/health')).status).toBe(401);
      expect((await http('GET', '/api/admin/health', `Bearer ${METRICS_TOKEN}`)).status).toBe(401);
    });

    it('/healthz stays open and says only whether the server is up', async () => {
      const res = await http('GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', version: '0.0.0-test' });
    });
  });

  describe("the admin's reset phone status, as the tab calls it", () => {
    const reset = (u: DemoUser, token = adminToken) =>
      http('POST', `/api/admin/users/${u.entraId}/reset-phone`, token);

    it('clears a Busy a lost PBX event left behind, and re-reads the phone', async () => {
      const u = staff[9];
      const call = emulators.cloudlink.pbx.placeCall('+4930555111', u.principalId);
      await eventually(() =>
        expect(presence(u)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
      );
      // CloudLink silently drops our webhook subscription: the call's end never reaches us.
      emulators.cloudlink.control.loseSubscriptions(company.cloudlink.accountId);
      emulators.cloudlink.pbx.hangUp(call.callId);
      await new Promise((r) => setTimeout(r, 500));
      expect(presence(u)).toMatchObject({ activity: 'InACall' }); // stale

      const res = await reset(u);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ pbx: { callState: 'idle', dnd: false }, problem: null });
      // The call records show the call finished: it ended (and our Busy with it) before anything had to be forgotten.
      expect(res.body.reset).toMatchObject({ callsForgotten: 0 });
      await eventually(() => expect(presence(u).activity).not.toBe('InACall'));
      expect(emulators.graph.control.sessions(u.entraId).filter((s) => s.kind === 'app')).toEqual([]);
    });

    it("takes back a DND we set whose reason is gone, and keeps the user's own DND, shown in Teams again", async () => {
      const [ours, theirs] = [staff[10], staff[11]];
      // The periodic resync notices the webhook subscription the test above lost, and subscribes again.
      await app.sync!.resyncAll();
      emulators.graph.control.teams(ours.entraId, 'joinMeeting');
      await eventually(() => expect(phone(ours)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }));
      emulators.cloudlink.pbx.setDnd(theirs.principalId, true, 'Lunch');
      // Graph's notifications stall: the meeting's end is not delivered to us.
      emulators.graph.control.configureDelivery({ latencyMs: 10 * 60_000 });
      emulators.graph.control.teams(ours.entraId, 'leaveMeeting');
      await new Promise((r) => setTimeout(r, 500));
      expect(phone(ours)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }); // stale

      const res = await reset(ours);
      expect(res.status).toBe(200);
      expect(res.body.problem).toBeNull();
      await eventually(() => {
        expect(phone(ours).status).toBe('available');
        expect(presence(ours).availability).toBe('Available');
      });

      expect(res.body.reset).toEqual({
        teamsSessionCleared: false,
        phoneDndCleared: { statusText: 'In a meeting' },
        phoneDndKept: null,
        callsForgotten: 0,
      });

      // The user's own phone DND is never ours to take back; reset re-derives their Teams DND from it.
      await eventually(() => expect(presence(theirs)).toMatchObject({ availability: 'DoNotDisturb' }));
      const kept = await reset(theirs);
      expect(kept.status).toBe(200);
      expect(kept.body.reset).toMatchObject({ phoneDndCleared: null, phoneDndKept: { statusText: 'Lunch' } });
      await eventually(() => expect(presence(theirs)).toMatchObject({ availability: 'DoNotDisturb' }));
      expect(phone(theirs)).toMatchObject({ status: 'dnd', reason: 'Lunch' });
      emulators.graph.control.configureDelivery({ latencyMs: 0 });
    });

    // While reset's "DND off" is in flight, the resync read still sees our old DND: it is ours being taken back, never
    // the user's (rule 4), so Teams must not show DoNotDisturb even for a moment.
    it("taking back our DND never shows it in Teams as the user's DoNotDisturb", async () => {
      const u = staff[12];
      emulators.graph.control.configureDelivery({ latencyMs: 0 });
      emulators.graph.control.teams(u.entraId, 'joinMeeting');
      await eventually(() => expect(phone(u)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }));
      const mark = emulators.graph.control.requests().length;
      expect((await reset(u)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
      const writes = emulators.graph.control
        .requests()
        .slice(mark)
        .filter((r) => r.path.includes(`/users/${u.entraId}/presence/setPresence`));
      expect(writes).toEqual([]);
    });

    // Left behind by another process (two engines feeding each other, an earlier install): this process never
    // asserted it, but its text is one Switchboard writes, so the admin's repair takes it back and says so.
    it('takes back a DND Switchboard left on the phone from another process, and says what it cleared', async () => {
      const u = staff[13];
      emulators.cloudlink.pbx.setDnd(u.principalId, true, 'Presenting');
      await eventually(() => expect(presence(u)).toMatchObject({ availability: 'DoNotDisturb' }));
      const res = await reset(u);
      expect(res.status).toBe(200);
      expect(res.body.reset).toMatchObject({
        phoneDndCleared: { statusText: 'Presenting' },
        phoneDndKept: null,
      });
      await eventually(() => expect(phone(u).status).toBe('available'));
      await eventually(() => expect(presence(u).availability).not.toBe('DoNotDisturb'));
    });

    it('is for admins only, and for users Switchboard knows', async () => {
      expect((await reset(staff[0], userToken)).status).toBe(403);
      expect((await http('POST', `/api/admin/users/${staff[0].entraId}/reset-phone`)).status).toBe(401);
      expect((await http('POST', '/api/admin/users/not-a-user/reset-phone', adminToken)).status).toBe(404);
    });
  });

  it('CLOUDLINK_READS_PER_SECOND (default 150) paces a deep resync: zero 429s from a CloudLink allowing 200/s', async () => {
    const before = emulators.cloudlink.control.calls.length;
    const started = Date.now();
    const job = await http('POST', '/api/admin/resync-all', adminToken, { readEveryPbx: true });
    expect(job.status).toBe(202);
    let done: { state: string; summary?: string } = job.body;
    await eventually(async () => {
      done = (await http('GET', `/api/admin/jobs/${job.body.jobId}`, adminToken)).body;
      expect(done.state).not.toBe('running');
    }, 20_000);
    const seconds = (Date.now() - started) / 1000;
    const calls = emulators.cloudlink.control.calls.slice(before);
    const reads = calls.filter((c) => c.method === 'GET' && c.path.includes('/presentities/'));
    expect(done).toMatchObject({ state: 'succeeded', summary: expect.stringMatching(/every phone read/) });
    expect(reads.length).toBeGreaterThanOrEqual(EXTRA_PHONES);
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    // Paced at 150 a second (a burst of 15 first), not as fast as 32 reads in flight would go.
    expect(seconds).toBeGreaterThanOrEqual((reads.length - 15) / 150 - 0.1);
  });
});

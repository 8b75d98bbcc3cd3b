import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { startConnector, type Connector } from './bot-harness';

/**
 * The whole server as main.ts composes it, against the three emulators with the seeded demo company: real
 * adapters, the real sync service, SSO tokens from the Entra emulator. Polling mode, so no webhook URL is needed.
 */
describe('the composed server against the emulators', () => {
  let emulators: Emulators;
  let company: DemoCompany;
  let app: RunningSwitchboard;
  let adminToken: string;
  let userToken: string;
  let connector: Connector;

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] },
    };
  };
  const waitForJob = async (jobId: string) => {
    for (let i = 0; i < 100; i++) {
      const job = (await api('GET', `/api/admin/jobs/${jobId}`, adminToken)).body;
      if (job.state !== 'running') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job did not finish');
  };

  beforeAll(async () => {
    connector = await startConnector();
    emulators = await startEmulators();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: 'http://127.0.0.1:3978',
      users: 8,
      callsPerUser: 12,
    });
    const config = loadConfig({
      PORT: '0',
      STORE_URL: 'sqlite::memory:',
      SYNC_MODE: 'polling',
      LOG_LEVEL: 'silent',
    });
    app = await startSwitchboard(
      config,
      {
        ...demoTenantLink(company, emulators, 'switchboard-test'),
        botAuth: { kind: 'playground' },
        secretKey: Buffer.alloc(32, 3),
        appVersion: '0.0.0-test',
        tabDir: 'tests/integration/bot-tab-fixture',
      },
      silentLogger(),
    );
    const admin = company.users.find((u) => u.isAdmin)!;
    const user = company.users.find((u) => !u.isAdmin && !u.mfaRequired)!;
    adminToken = await emulators.entra.mintTeamsSsoToken({
      tenantId: company.tenantId,
      userId: admin.entraId,
      clientId: company.clientId,
    });
    userToken = await emulators.entra.mintTeamsSsoToken({
      tenantId: company.tenantId,
      userId: user.entraId,
      clientId: company.clientId,
    });
  });
  afterAll(async () => {
    await app?.close();
    await emulators?.close();
    await connector?.close();
  });

  it('without METRICS_BEARER_TOKEN, /metrics does not exist, even for a signed-in admin; /healthz stays open', async () => {
    expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
    const res = await fetch(`${app.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/switchboard_/);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it('shows a user their PBX call history and their sync status', async () => {
    const calls = await api('GET', '/api/me/calls?top=5', userToken);
    expect(calls.status).toBe(200);
    expect(calls.body.items).toHaveLength(5);
    // 12 calls seeded: more pages follow, reached with the opaque cursor alone (it carries the page size).
    expect(calls.body.nextCursor).toEqual(expect.any(String));
    const next = await api(
      'GET',
      `/api/me/calls?cursor=${encodeURIComponent(calls.body.nextCursor as string)}`,
      userToken,
    );
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(5);
    const ids = (page: typeof calls) => page.body.items!.map((c) => JSON.stringify(c));
    expect(ids(next).filter((c) => ids(calls).includes(c))).toEqual([]);
    const status = await api('GET', '/api/me/sync', userToken);
    expect(status.status).toBe(200);
    expect(status.body.enabled).toEqual({ toTeams: true, fromTeams: true });
  });

  it("gives admins the matched users, one user's diagnostics, and the monitors", async () => {
    const users = await api('GET', '/api/admin/users', adminToken);
    expect(users.body.items!.filter((u) => u.matched)).toHaveLength(8);
    const someone = company.users[3]!;
    const diagnostics = await api('GET', `/api/admin/users/${someone.entraId}/diagnostics`, adminToken);
    expect(diagnostics.status).toBe(200);
    expect(diagnostics.body.user).toMatchObject({
      upn: someone.userPrincipalName,
      extension: someone.extension,
      pbxPrincipalId: someone.principalId,
    });
    expect(diagnostics.body.teamsRaw).toMatchObject({ availability: expect.any(String) });
    const monitors = await api('GET', '/api/admin/monitors', adminToken);
    expect(monitors.body).toMatchObject({ syncedUsers: 8, needed: 1 });
    expect(monitors.body.items).toHaveLength(2);
    expect((await api('GET', `/api/admin/users/${someone.entraId}/diagnostics`, userToken)).status).toBe(403);
  });

  it('runs the configuration check with progress: each step named, failures and warnings with their fix', async () => {
    const started = await api('POST', '/api/admin/check', adminToken);
    expect(started.status).toBe(202);
    const job = await waitForJob(String(started.body.jobId));
    const steps = job.steps as { id: string; state: string; fix?: string }[];
    expect(steps.map((s) => s.id)).toEqual([
      'token',
      'permissions',
      'monitors',
      'subscriptions',
      'notificationUrl',
      'cloudlink',
      'secretExpiry',
      'adminNotices',
      'callHistoryLink',
    ]);
    expect(steps.find((s) => s.id === 'token')!.state).toBe('passed');
    expect(steps.find((s) => s.id === 'cloudlink')!.state).toBe('passed');
    expect(steps.find((s) => s.id === 'subscriptions')!.state).toBe('skipped');
    // the demo's secret expires in 20 days: inside the 30-day warning window
    expect(steps.find((s) => s.id === 'secretExpiry')).toMatchObject({
      state: 'warning',
      fix: expect.stringMatching(/new client secret/),
      // The same sentences by code, so a German tab words them in German; the date as a date, not English text.
      detailText: {
        code: 'check.secretExpiresInDays',
        params: { date: { date: expect.any(String) }, days: 20 },
      },
      fixText: { code: 'check.fix.newSecret' },
    });
    // No admin has named a channel for admin notices yet: problem reports would reach nobody.
    expect(steps.find((s) => s.id === 'adminNotices')).toMatchObject({
      state: 'warning',
      fixText: { code: 'check.fix.adminNotices' },
    });
    // The demo's missed-call notices open its host page; only a real deployment needs TEAMS_APP_ID.
    expect(steps.find((s) => s.id === 'callHistoryLink')).toMatchObject({ state: 'skipped' });
    expect(job).toMatchObject({ state: 'succeeded', done: 9, total: 9 });
    // One step fails here (the notification URL names a port nothing answers on), and the two warnings after it.
    expect(steps.find((s) => s.id === 'notificationUrl')).toMatchObject({
      state: 'failed',
      detailText: { code: 'check.urlFailed' },
    });
    expect(job.summaryText).toEqual({
      code: 'check.summary.failedAndWarnings',
      params: { failed: 1, total: 9, warnings: 2 },
    });
    expect(job.summary).toBe('1 of 9 checks failed; each names its fix. Also 2 warnings.');
  });

  it('resyncs everyone as a job with progress', async () => {
    const started = await api('POST', '/api/admin/resync-all', adminToken);
    expect(started.status).toBe(202);
    const job = await waitForJob(String(started.body.jobId));
    expect(job).toMatchObject({ kind: 'resyncAll', state: 'succeeded', done: 8, total: 8 });
    expect(job.summary).toMatch(/^8 of 8 users resynced/);
    expect(job.summaryText).toMatchObject({
      code: expect.stringMatching(/^resync\.summary/),
      params: { done: 8 },
    });

    // The admin can insist on reading every phone; a body that is not the documented shape is refused.
    const deep = await api('POST', '/api/admin/resync-all', adminToken, { readEveryPbx: true });
    expect(deep.status).toBe(202);
    const deepJob = await waitForJob(String(deep.body.jobId));
    expect(deepJob).toMatchObject({ state: 'succeeded', done: 8, total: 8 });
    expect(deepJob.summary).toMatch(/every phone read/);
    const bad = await api('POST', '/api/admin/resync-all', adminToken, { readEveryPbx: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toMatch(/readEveryPbx/);
  });

  it('applies a new user selection at once', async () => {
    const blocked = company.users[4]!;
    const selection = {
      mode: 'allWithBlockList',
      blockList: [blocked.userPrincipalName],
      groupId: null,
      allowList: [],
      sendToTeams: true,
      getFromTeams: true,
    };
    expect((await api('PUT', '/api/admin/selection', adminToken, selection)).status).toBe(200);
    const users = await api(
      'GET',
      `/api/admin/users?q=${encodeURIComponent(blocked.userPrincipalName)}`,
      adminToken,
    );
    expect(users.body.items![0]).toMatchObject({ upn: blocked.userPrincipalName, selected: false });
  });

  it('saves only mapping tables the sync engine can follow, and says what is wrong with the others', async () => {
    const saved = (await api('GET', '/api/admin/mapping', adminToken)).body;
    const withRow = (row: Record<string, unknown>, pbxRow?: Record<string, unknown>) => ({
      teamsToPbx: [...(saved.teamsToPbx as unknown[]), row],
      pbxToTeams: pbxRow ? [pbxRow] : saved.pbxToTeams,
    });
    const refusals = [
      // a pair setPresence refuses: every PBX call would fail to show
      [
        withRow(
          { availability: 'Away', activity: 'Away', dnd: 'off', statusText: null },
          {
            pbxState: 'connected',
            teams: { availability: 'Busy', activity: 'Busy' },
          },
        ),
        /Teams accepts only/,
      ],
      // a typo in the activity: the row would never match
      [
        withRow({ availability: 'Busy', activity: 'InAMeting', dnd: 'on', statusText: 'Meeting' }),
        /not a Teams activity/,
      ],
      [
        withRow({ availability: 'Bussy', activity: '*', dnd: 'on', statusText: 'x' }),
        /not a Teams availability/,
      ],
      // longer than the phone shows
      [withRow({ availability: 'Busy', activity: 'Busy', dnd: 'on', statusText: 'x'.repeat(65) }), /64/],
      // no row for a phone state: its calls would stop showing in Teams, and the page had nothing to choose from
      [{ teamsToPbx: saved.teamsToPbx, pbxToTeams: [] }, /PBX ringing has no row/],
      [
        {
          teamsToPbx: saved.teamsToPbx,
          pbxToTeams: (saved.pbxToTeams as { pbxState: string }[]).filter((r) => r.pbxState !== 'dnd'),
        },
        /PBX dnd has no row/,
      ],
    ] as const;
    for (const [table, why] of refusals) {
      const res = await api('PUT', '/api/admin/mapping', adminToken, table);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toMatch(why);
    }
    expect((await api('GET', '/api/admin/mapping', adminToken)).body).toEqual(saved);

    const good = withRow({ availability: 'Busy', activity: 'Busy', dnd: 'on', statusText: 'x'.repeat(64) });
    expect((await api('PUT', '/api/admin/mapping', adminToken, good)).status).toBe(200);
    expect((await api('GET', '/api/admin/mapping', adminToken)).body).toEqual(good);
  });
  it('tells a user who opted in about a missed call from an accepted CloudLink webhook, and ignores forged posts', async () => {
    const user = company.users[2]!;
    await app.store.putConversation({
      tenantId: company.tenantId,
      key: `user:${user.entraId}`,
      reference: {
        serviceUrl: connector.url,
        channelId: 'msteams',
        conversation: { id: 'a:personal' },
        bot: { id: 'bot' },
      },
      updatedAt: 0,
    });
    await app.store.putUserSettings(company.tenantId, user.entraId, { missedCallNotice: true });
    const event = {
      topic: 'platform-api-media',
      method: 'DELETE',
      subject: `/2017-09-01/endpoints/${user.principalId}/calls/call-1`,
      content: {
        callId: 'call-1',
        principalId: user.principalId,
        direction: 'inbound',
        state: 'disconnected',
        cause: 'callNotAnswer',
        from: '+4930999',
        fromName: 'Max Muster',
        to: user.extension,
        toName: user.displayName,
        createdOn: '2026-11-23T09:00:00.000Z',
      },
    };
    const post = (key: string) =>
      fetch(`${app.baseUrl}/api/notifications/cloudlink?key=${encodeURIComponent(key)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(event),
      });
    expect((await post('guessed-key')).status).toBeGreaterThanOrEqual(400);
    expect((await post(app.sync!.cloudLinkWebhookKey)).status).toBeLessThan(300);
    for (let i = 0; i < 40 && connector.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    // The stored chat names no time zone: the time is UTC and says so (bot-channel.test.ts has the local-time case).
    expect(connector.sent.map((s) => s.body.text)).toEqual([
      expect.stringMatching(
        /^You missed a call from Max Muster \(\+4930999\) at Nov 23, 2026, 9:00\sAM UTC\.$/,
      ),
    ]);
  });
});

import { bobOnThePhone, call, startHarness, type Harness } from './bot-harness';

const SECRET_TOKEN =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IiLCJ0aWQiOiJ4In0.c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw';
const MONITOR_PASSWORD = 'Monitor-Password-123!';
const WEBHOOK_KEY = 'k3y-0f-the-cloudlink-webhook';

/** Problem reports from the tab: stored with diagnostics, scrubbed, sent to admins, triaged, reporter told. */
describe('problem reports over the API', () => {
  let h: Harness;
  let bob: string;
  let alice: string;

  beforeAll(async () => {
    h = await startHarness();
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    alice = await h.sso(h.fx.contoso, h.fx.users.alice);
    const reference = (conversationId: string) => ({
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      conversation: { id: conversationId, tenantId: h.fx.contoso },
      bot: { id: 'switchboard-bot', name: 'Switchboard' },
    });
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: 'admins',
      reference: reference('19:admins@thread.tacv2'),
      updatedAt: 0,
    });
    await h.store.putConversation({
      tenantId: h.fx.contoso,
      key: `user:${h.fx.users.bob}`,
      reference: reference('a:bob-personal'),
      updatedAt: 0,
    });
    await h.store.putUsers([bobOnThePhone(h)]);
    // what the sync engine wrote to Bob's trace, secrets and all (e.g. a logged request)
    await h.store.appendTrace({
      tenantId: h.fx.contoso,
      entraUserId: h.fx.users.bob,
      at: h.fx.clock.now(),
      kind: 'pbx.webhook',
      detail: {
        url: `https://switchboard.example/api/notifications/cloudlink?key=${WEBHOOK_KEY}`,
        headers: { authorization: `Bearer ${SECRET_TOKEN}` },
        monitor: { username: 'monitor@contoso.example', password: MONITOR_PASSWORD },
        note: `client_secret=${'s3cr3t-value'}`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stores a report with diagnostics, without any secret, and tells the admins with a card to act on', async () => {
    const preview = await call(
      h,
      'GET',
      '/api/me/reports/diagnostics-preview?clientType=desktop&clientVersion=25.1',
      bob,
    );
    expect(preview.status).toBe(200);
    const created = await call(h, 'POST', '/api/me/reports', bob, {
      category: 'presence',
      description: `My presence is stuck. Here is what the console said: Authorization: Bearer ${SECRET_TOKEN}`,
      includeDiagnostics: true,
      client: { type: 'desktop', version: '25.1', locale: 'de-DE' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'new', source: 'tab', reporterName: 'Bob Agent' });

    const stored = await h.store.getReport(h.fx.contoso, created.body.reportId);
    const diagnostics = stored!.diagnostics!;
    expect(diagnostics).toMatchObject({
      client: { type: 'desktop', version: '25.1', locale: 'de-DE' },
      appVersion: '9.9.9-test',
      source: 'tab',
      user: { entraUserId: h.fx.users.bob, pbxPrincipalId: 'p-bob', extension: '201' },
      syncState: { teams: { availability: 'Available' } },
      configurationCheck: 'not run since the server started',
    });
    expect((diagnostics.trace as unknown[]).length).toBe(1);
    expect((diagnostics.correlationIds as string[])[0]).toBe(created.headers.get('x-request-id'));
    const everything =
      JSON.stringify(stored) + JSON.stringify(h.connector.sent) + JSON.stringify(preview.body);
    for (const secret of [SECRET_TOKEN, MONITOR_PASSWORD, WEBHOOK_KEY, 's3cr3t-value'])
      expect(everything).not.toContain(secret);
    expect(stored!.description).toContain('[removed]');

    const toAdmins = h.connector.sent.find((s) =>
      s.path.includes(encodeURIComponent('19:admins@thread.tacv2')),
    );
    expect(toAdmins).toBeDefined();
    const card = (
      toAdmins!.body.attachments as { contentType: string; content: { actions: { title: string }[] } }[]
    )[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.actions.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Ask for more']);
  });

  it('lets an admin triage a report and tells the reporter', async () => {
    const list = await call(h, 'GET', '/api/admin/reports?status=new', alice);
    expect(list.status).toBe(200);
    const id = list.body.items[0].reportId as string;
    const before = h.connector.sent.length;
    const res = await call(h, 'PATCH', `/api/admin/reports/${id}`, alice, {
      status: 'needsInfo',
      note: 'Which phone do you use?',
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('needsInfo');
    expect(res.body.history.map((e: { status: string }) => e.status)).toEqual(['new', 'needsInfo']);
    const told = h.connector.sent.slice(before).find((s) => s.path.includes('a%3Abob-personal'));
    expect(String(told?.body.text)).toMatch(/waits for more information from you.*Which phone do you use\?/s);
    const mine = await call(h, 'GET', '/api/me/reports', bob);
    expect(mine.body.items[0].status).toBe('needsInfo');
  });

  it('refuses a report without a description, naming the field', async () => {
    const res = await call(h, 'POST', '/api/me/reports', bob, {
      category: 'presence',
      description: '  ',
      includeDiagnostics: false,
      client: { type: 'web' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/description/);
  });

  it("keeps tenants apart: another tenant's admin neither sees nor changes these reports", async () => {
    const carolUser = h.fx.directory.findUser(h.fx.fabrikam, h.fx.users.fabrikamUser)!;
    carolUser.appRoles[h.fx.fabrikamApp.clientId] = ['Switchboard.Admin'];
    const carol = await h.sso(h.fx.fabrikam, h.fx.users.fabrikamUser);
    const contosoReport = (await h.store.listReports(h.fx.contoso))[0]!;
    const theirs = await call(h, 'GET', '/api/admin/reports', carol);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items).toEqual([]);
    expect((await call(h, 'GET', `/api/admin/reports/${contosoReport.reportId}`, carol)).status).toBe(404);
    const patch = await call(h, 'PATCH', `/api/admin/reports/${contosoReport.reportId}`, carol, {
      status: 'resolved',
    });
    expect(patch.status).toBe(404);
    expect((await h.store.getReport(h.fx.contoso, contosoReport.reportId))!.status).toBe('needsInfo');
    expect((await call(h, 'GET', '/api/me/reports', carol)).body.items).toEqual([]);
  });

  it('runs the configuration check as a job with progress, and a later report carries its summary', async () => {
    const started = await call(h, 'POST', '/api/admin/check', alice);
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 20 && job.state === 'running'; i++)
      job = (await call(h, 'GET', `/api/admin/jobs/${job.jobId}`, alice)).body;
    expect(job).toMatchObject({ kind: 'configurationCheck', state: 'succeeded', done: 2, total: 2 });
    expect(job.steps[1]).toMatchObject({
      id: 'cloudlink',
      state: 'failed',
      fix: 'Check the CloudLink account id.',
    });
    const report = await call(h, 'POST', '/api/me/reports', bob, {
      category: 'other',
      description: 'after the check',
      includeDiagnostics: true,
      client: { type: 'web' },
    });
    const stored = await h.store.getReport(h.fx.contoso, report.body.reportId);
    expect(stored!.diagnostics!.configurationCheck).toMatchObject({
      state: 'succeeded',
      failed: ['cloudlink'],
    });
    // jobs are per tenant too
    const carol = await h.sso(h.fx.fabrikam, h.fx.users.fabrikamUser);
    expect((await call(h, 'GET', `/api/admin/jobs/${job.jobId}`, carol)).status).toBe(404);
  });

  it('flags every monitor "update required" when the admin links another app registration, and never echoes secrets', async () => {
    await h.store.putMonitor({
      tenantId: h.fx.contoso,
      monitorId: 'm1',
      username: 'monitor@contoso.example',
      passwordSealed: 'v1:x:y:z',
      passwordExpiresAt: null,
      state: 'active',
      subscriptionId: 's1',
      subscriptionExpiresAt: null,
      userIds: [],
      clientState: null,
      lastError: null,
      updatedAt: 0,
      adminVersion: 0,
    });
    const first = await call(h, 'PUT', '/api/admin/tenant', alice, {
      clientId: h.fx.switchboard.clientId,
      clientSecret: 'first-secret-value',
    });
    expect(first.status).toBe(200);
    expect(JSON.stringify(first.body)).not.toContain('first-secret-value');
    expect(first.body.clientSecretSet).toBe(true);
    expect((await h.store.getMonitor(h.fx.contoso, 'm1'))!.state).toBe('active');
    const changed = await call(h, 'PUT', '/api/admin/tenant', alice, {
      clientId: '0c0c0c0c-0000-4000-8000-00000000000c',
    });
    expect(changed.body.clientSecretSet).toBe(false);
    expect((await h.store.getMonitor(h.fx.contoso, 'm1'))!.state).toBe('updateRequired');
    const stored = await h.store.getTenant(h.fx.contoso);
    expect(JSON.stringify(stored)).not.toContain('first-secret-value');
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startSwitchboard, type Environment, type RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { loadConfig } from '../../shared/config/load';
import { createLogger, LogTap } from '../../shared/platform/logger';
import { eventually, freePort } from './real-time';

/**
 * Day two of a real tenant, against the emulated Entra ID, Graph and CloudLink: what the admin saves on the tenant
 * link page is what the next request uses, without a restart, and a restart keeps it. The environment describes
 * the tenant the way an operator's first start does (the demo's "replace" policy is not used here), and at first
 * it carries no CloudLink link at all: the admin enters that on the page.
 */

const DAY = 86_400_000;
/** Polls of the admin API stay under the server's per-caller rate limit (10 a second). */
const API_POLL_MS = 300;

interface World {
  emulators: Emulators;
  company: DemoCompany;
  storeUrl: string;
  port: number;
  logLines: Record<string, unknown>[];
  app?: RunningSwitchboard;
  adminToken: string;
}

let world: World;
let dir: string;

function environment(w: World, overrides: Partial<Environment> = {}): Environment {
  const link = demoTenantLink(w.company, w.emulators, 'switchboard-day-two');
  return {
    ...link,
    cloudlink: undefined,
    linkPolicy: 'seed',
    botAuth: { kind: 'playground' },
    secretKey: Buffer.alloc(32, 9),
    appVersion: '0.0.0-day-two',
    tabDir: 'tests/integration/bot-tab-fixture',
    ...overrides,
  };
}

async function start(w: World, overrides: Partial<Environment> = {}): Promise<RunningSwitchboard> {
  const config = loadConfig({
    PORT: String(w.port),
    STORE_URL: w.storeUrl,
    LOG_LEVEL: 'debug',
    CLOUDLINK_API_BASE: w.company.cloudlink.apiBase,
    CLOUDLINK_APP_ID: 'switchboard-day-two',
    DEMO_CALL_INTERVAL_MS: '0',
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) w.logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const tap = new LogTap();
  w.app = await startSwitchboard(config, environment(w, overrides), createLogger('debug', sink, tap), tap);
  return w.app;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${world.app!.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${world.adminToken}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs the configuration check as the admin does and resolves its steps when the job is done. */
async function configurationCheck(): Promise<{ id: string; state: string; detail?: string; fix?: string }[]> {
  const started = await api('POST', '/api/admin/check');
  expect(started.status).toBeLessThan(300);
  let steps: { id: string; state: string; detail?: string; fix?: string }[] = [];
  await eventually(
    async () => {
      const job = await api('GET', `/api/admin/jobs/${started.body.jobId}`);
      expect(job.body.state).toBe('succeeded');
      steps = job.body.steps;
    },
    20_000,
    API_POLL_MS,
  );
  return steps;
}

async function expectPbxCallShowsInTeams(caller: number, callee: number): Promise<void> {
  const { emulators, company } = world;
  const [a, b] = [company.users[caller]!, company.users[callee]!];
  const call = emulators.cloudlink.pbx.placeCall(a.principalId, b.principalId);
  await eventually(
    () =>
      expect(emulators.graph.control.presence(a.entraId)).toMatchObject({
        availability: 'Busy',
        activity: 'InACall',
      }),
    10_000,
  );
  emulators.cloudlink.pbx.hangUp(call.callId);
  await eventually(
    () => expect(emulators.graph.control.presence(a.entraId)).not.toMatchObject({ activity: 'InACall' }),
    10_000,
  );
}

function switchboardApp() {
  return world.emulators.directory.tenant(world.company.tenantId)!.apps.get(world.company.clientId)!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'day-two-'));
  const emulators = await startEmulators();
  const port = await freePort();
  const company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 6,
    callsPerUser: 1,
  });
  world = {
    emulators,
    company,
    storeUrl: `sqlite:${join(dir, 'switchboard.sqlite')}`,
    port,
    logLines: [],
    adminToken: await emulators.entra.mintTeamsSsoToken({
      tenantId: company.tenantId,
      userId: company.users.find((u) => u.isAdmin)!.entraId,
      clientId: company.clientId,
    }),
  };
  await start(world);
}, 60_000);

afterAll(async () => {
  await world?.app?.close();
  await world?.emulators.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('day two: the tenant link the admin saves is the one in use', () => {
  it('warns at start that without TEAMS_APP_ID a missed-call notice cannot open the Calls tab in Teams', () => {
    // Read before any test below clears the lines: this is the first start's log.
    expect(world.logLines).toContainEqual(
      expect.objectContaining({ level: 40, event: 'config.teamsAppIdMissing' }),
    );
  });

  it('starts presence sync when CloudLink is entered only on the admin page, and keeps it across a restart', async () => {
    // Without CloudLink there is nothing to sync: the monitor page says so rather than failing later.
    expect(
      (await api('POST', '/api/admin/monitors', { username: 'm@x.example', password: 'p' })).body,
    ).toMatchObject({
      error: { code: 'tenant_not_linked' },
    });
    const cl = world.company.cloudlink;
    const saved = await api('PUT', '/api/admin/tenant', {
      cloudlink: { accountId: cl.accountId, clientId: cl.clientId, clientSecret: cl.clientSecret },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.cloudlink).toMatchObject({ accountId: cl.accountId, clientSecretSet: true });
    // The sync runs now: monitors can be managed, and a phone call reaches Teams.
    const monitors = await api('GET', '/api/admin/monitors');
    expect(monitors.status).toBe(200);
    await eventually(
      async () => {
        const view = await api('GET', '/api/admin/monitors');
        expect(view.body.items.map((m: { state: string }) => m.state)).toContain('active');
      },
      10_000,
      API_POLL_MS,
    );
    await expectPbxCallShowsInTeams(0, 1);
    // The log says what the sync layer did: both CloudLink subscriptions and the monitors' Graph subscriptions.
    for (const topic of ['platform-api-presence', 'platform-api-media'])
      expect(world.logLines).toContainEqual(
        expect.objectContaining({ level: 30, event: 'cloudlink.subscriptionCreated', topic }),
      );
    expect(world.logLines).toContainEqual(
      expect.objectContaining({
        level: 30,
        event: 'graph.subscriptionCreated',
        tenantId: world.company.tenantId,
      }),
    );
    expect(world.logLines).toContainEqual(
      expect.objectContaining({
        event: 'config.changed',
        keys: expect.arrayContaining(['cloudlink.accountId']),
      }),
    );

    // A restart with the same environment (still no CLOUDLINK_*) keeps the link the admin saved.
    await world.app!.close();
    await start(world);
    expect((await api('GET', '/api/admin/tenant')).body.cloudlink).toMatchObject({ accountId: cl.accountId });
    await expectPbxCallShowsInTeams(1, 2);
  }, 60_000);

  it('uses a rotated Entra secret from the next token request, after the old one is deleted in Entra', async () => {
    const app = switchboardApp();
    const oldSecret = world.company.clientSecret;
    const newSecret = randomBytes(30).toString('base64url');
    app.secrets.push({ id: randomUUID(), value: newSecret, expiresAt: Date.now() + 365 * DAY });
    expect((await api('PUT', '/api/admin/tenant', { clientSecret: newSecret })).status).toBe(200);
    // The admin deletes the old secret in Entra, as the rotation guide says.
    app.secrets = app.secrets.filter((s) => s.value !== oldSecret);
    const tokenCallsBefore = world.emulators.entra.tokenRequests.length;
    await expectPbxCallShowsInTeams(2, 3);
    const since = world.emulators.entra.tokenRequests.slice(tokenCallsBefore);
    expect(since.filter((r) => r.grantType === 'client_credentials').map((r) => r.status)).toEqual([200]);
    const steps = await configurationCheck();
    // Graph's validation handshake reaches this server's webhook (the token comes back), whatever Entra says.
    expect(steps.find((s) => s.id === 'notificationUrl')).toMatchObject({ state: 'passed' });
    expect(steps.find((s) => s.id === 'token')).toMatchObject({ state: 'passed' });

    // The next start still has the deleted secret in its environment: the saved one wins, and the log says so.
    await world.app!.close();
    world.logLines.length = 0;
    await start(world);
    await expectPbxCallShowsInTeams(3, 0);
    expect(world.logLines).toContainEqual(
      expect.objectContaining({ event: 'config.environmentIgnored', keys: ['CLIENT_SECRET'] }),
    );
    expect(JSON.stringify(world.logLines)).not.toContain(newSecret);
    expect(JSON.stringify(world.logLines)).not.toContain(oldSecret);
  }, 60_000);

  it('says which saved secret Entra refused, on the health page and in the configuration check, with the fix', async () => {
    const good = switchboardApp().secrets[0]!.value;
    expect((await api('PUT', '/api/admin/tenant', { clientSecret: 'typed-wrong' })).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const steps = await configurationCheck();
    // Graph's validation handshake reaches this server's webhook (the token comes back), whatever Entra says.
    expect(steps.find((s) => s.id === 'notificationUrl')).toMatchObject({ state: 'passed' });
    expect(steps.find((s) => s.id === 'token')).toMatchObject({
      state: 'failed',
      detail: `The secret saved on ${today} was refused by Entra: AADSTS7000215.`,
      fix: expect.stringMatching(
        /^Switchboard's app secret was refused by Entra ID: create a new client secret/,
      ),
    });
    const health = await api('GET', '/api/admin/health');
    expect(health.body.credentialProblems).toEqual([
      expect.objectContaining({
        service: 'entra',
        code: 'AADSTS7000215',
        message: `The secret saved on ${today} was refused by Entra: AADSTS7000215.`,
        // By code too, so a German tab says it in German; the date a date, Entra's code as Entra gave it.
        messageText: {
          code: 'secret.refusedSavedOn',
          params: {
            date: { date: expect.stringMatching(new RegExp(`^${today}T`)) },
            system: 'Entra',
            code: 'AADSTS7000215',
          },
        },
        fixText: { code: 'fix.signIn.appCredentials' },
      }),
    ]);
    expect(steps.find((s) => s.id === 'token')).toMatchObject({
      detailText: { code: 'secret.refusedSavedOn' },
      fixText: { code: 'fix.signIn.appCredentials' },
    });
    expect(world.logLines).toContainEqual(
      expect.objectContaining({ service: 'entra', status: 401, code: 'AADSTS7000215', level: 50 }),
    );
    expect(JSON.stringify(world.logLines)).not.toContain('typed-wrong');
    // The admin reads the same line on the admin page, without a shell.
    await eventually(
      async () =>
        expect((await api('GET', '/api/admin/problems?limit=20')).body.items).toContainEqual(
          expect.objectContaining({
            level: 'error',
            message: "Entra ID refused the app's secret",
            detail: expect.objectContaining({ service: 'entra', status: 401, code: 'AADSTS7000215' }),
          }),
        ),
      5000,
      API_POLL_MS,
    );

    // While it stands, the sync's Graph calls (a phone call to carry, every second) do not each ask Entra again:
    // the refusal is held, so Entra sees no storm of refused requests and the log no storm of error lines.
    const { emulators, company } = world;
    const refusedRequests = () =>
      emulators.entra.tokenRequests.filter((r) => r.grantType === 'client_credentials' && r.status === 401)
        .length;
    const [refusedBefore, linesBefore] = [refusedRequests(), world.logLines.length];
    const call = emulators.cloudlink.pbx.placeCall(
      company.users[0]!.principalId,
      company.users[2]!.principalId,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    emulators.cloudlink.pbx.hangUp(call.callId);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(refusedRequests() - refusedBefore).toBeLessThanOrEqual(1);
    expect(
      world.logLines.slice(linesBefore).filter((l) => l.code === 'AADSTS7000215').length,
    ).toBeLessThanOrEqual(2);

    // Saving the right secret clears the problem at once.
    await api('PUT', '/api/admin/tenant', { clientSecret: good });
    expect((await api('GET', '/api/admin/health')).body.credentialProblems).toEqual([]);
    await expectPbxCallShowsInTeams(0, 2);
  }, 60_000);

  it('uses a rotated CloudLink secret for the next token, after CloudLink stopped taking the old one', async () => {
    const { emulators, company } = world;
    const cl = company.cloudlink;
    const newSecret = randomBytes(24).toString('base64url');
    emulators.cloudlink.control.rotateClientSecret(cl.clientId, newSecret);
    // Every token issued under the old secret is gone too: only a grant with the new secret gets a new one.
    emulators.cloudlink.control.revokeTokens(cl.accountId);
    expect(
      (
        await api('PUT', '/api/admin/tenant', {
          cloudlink: { accountId: cl.accountId, clientId: cl.clientId, clientSecret: newSecret },
        })
      ).status,
    ).toBe(200);
    // A Teams call must now set PBX do-not-disturb, which needs a CloudLink token. (The user had no phone call in the
    // last minute, whose settle window would hold a Teams change back.)
    const user = company.users[5]!;
    emulators.graph.control.teams(user.entraId, 'signIn', 'desktop');
    emulators.graph.control.teams(user.entraId, 'startCall');
    await eventually(
      () => expect(emulators.cloudlink.pbx.presentity(user.principalId)).toMatchObject({ status: 'dnd' }),
      15_000,
    );
    emulators.graph.control.teams(user.entraId, 'endCall');
    await eventually(
      () => expect(emulators.cloudlink.pbx.presentity(user.principalId)).not.toMatchObject({ status: 'dnd' }),
      15_000,
    );
    expect((await api('GET', '/api/admin/health')).body.credentialProblems).toEqual([]);
  }, 60_000);

  it('moves to a new app registration saved on the page: tokens, sessions and monitors use the new client id', async () => {
    const { emulators, company } = world;
    const newClientId = randomUUID();
    const newSecret = randomBytes(30).toString('base64url');
    const old = switchboardApp();
    emulators.directory.addApp(company.tenantId, {
      clientId: newClientId,
      displayName: 'Switchboard (new registration)',
      secrets: [{ id: randomUUID(), value: newSecret, expiresAt: Date.now() + 365 * DAY }],
      grantedApplicationPermissions: old.grantedApplicationPermissions,
      consentedDelegatedPermissions: old.consentedDelegatedPermissions,
    });
    const saved = await api('PUT', '/api/admin/tenant', {
      clientId: newClientId,
      clientSecret: newSecret,
      clientSecretExpiresAt: new Date(Date.now() + 300 * DAY).toISOString(),
    });
    expect(saved.body).toMatchObject({ clientId: newClientId, clientSecretSet: true });
    const flagged = await api('GET', '/api/admin/monitors');
    expect(flagged.body.items.map((m: { state: string }) => m.state)).toEqual(
      flagged.body.items.map(() => 'updateRequired'),
    );

    // A phone call now writes a presence session under the new app.
    const tokenCallsBefore = emulators.entra.tokenRequests.length;
    const user = company.users[2]!;
    const call = emulators.cloudlink.pbx.placeCall(user.principalId, company.users[3]!.principalId);
    await eventually(
      () => expect(emulators.graph.control.sessions(user.entraId).map((s) => s.id)).toContain(newClientId),
      10_000,
    );
    emulators.cloudlink.pbx.hangUp(call.callId);
    const since = emulators.entra.tokenRequests.slice(tokenCallsBefore);
    expect(since.filter((r) => r.grantType === 'client_credentials').map((r) => r.clientId)).toEqual([
      newClientId,
    ]);

    // "Authorize" signs each monitor in under the new app.
    for (const m of flagged.body.items as { monitorId: string }[])
      expect((await api('POST', `/api/admin/monitors/${m.monitorId}/authorize`)).status).toBeLessThan(300);
    // Monitors with users to watch subscribe again; one with nobody assigned has nothing to subscribe to.
    await eventually(
      async () => {
        const view = await api('GET', '/api/admin/monitors');
        const states = (view.body.items as { state: string; userCount: number }[])
          .filter((m) => m.userCount > 0)
          .map((m) => m.state);
        expect(states.length).toBeGreaterThan(0);
        expect(states).toEqual(states.map(() => 'active'));
      },
      15_000,
      API_POLL_MS,
    );
    const monitorSignIns = emulators.entra.tokenRequests
      .slice(tokenCallsBefore)
      .filter((r) => r.grantType === 'password' || r.grantType === 'refresh_token');
    expect(monitorSignIns.length).toBeGreaterThan(0);
    expect(new Set(monitorSignIns.map((r) => r.clientId))).toEqual(new Set([newClientId]));

    // A restart keeps the new app and its secret's expiry; the environment's old client id does not come back.
    await world.app!.close();
    await start(world);
    const tenant = await api('GET', '/api/admin/tenant');
    expect(tenant.body.clientId).toBe(newClientId);
    expect(Date.parse(tenant.body.clientSecretExpiresAt)).toBeGreaterThan(Date.now() + 299 * DAY);
    await expectPbxCallShowsInTeams(3, 1);
  }, 90_000);

  it('logs every retried and every failed outside call as one structured line, without a token', async () => {
    const { emulators, company } = world;
    world.logLines.length = 0;
    // Graph answers 503 twice, then works: two retries, each logged at warn with Graph's request id.
    emulators.graph.control.setFaults({ failNext: { count: 2, status: 503, retryAfterSeconds: 0 } });
    await expectPbxCallShowsInTeams(4, 5);
    const retries = world.logLines.filter((l) => l.event === 'outbound.retry');
    // Each of the two 503s is one line (they may fall on two different calls, each then retried once).
    expect(retries.map((r) => [r.level, r.service, r.status, r.tenantId])).toEqual([
      [40, 'graph', 503, company.tenantId],
      [40, 'graph', 503, company.tenantId],
    ]);
    expect(retries.map((r) => r.attempt)).toContain(1);
    expect(retries[0]!.operation).toEqual(expect.any(String));
    expect(retries[0]!.requestId).toEqual(expect.any(String));

    // Graph refuses a write: the user was deleted from Entra a moment ago. A refusal is one line at warn, with
    // Graph's error code.
    const user = company.users[4]!;
    emulators.graph.control.removeUser(company.tenantId, user.entraId, { permanent: true });
    const call = emulators.cloudlink.pbx.placeCall(user.principalId, company.users[5]!.principalId);
    await eventually(
      () =>
        expect(world.logLines).toContainEqual(
          expect.objectContaining({
            level: 40,
            event: 'outbound.refused',
            service: 'graph',
            operation: 'setPresence',
            status: 404,
            code: expect.any(String),
            requestId: expect.any(String),
          }),
        ),
      10_000,
    );
    emulators.cloudlink.pbx.hangUp(call.callId);
    let problems = { status: 0, body: undefined as unknown };
    await eventually(
      async () => {
        problems = await api('GET', '/api/admin/problems?limit=200');
        expect((problems.body as { items: unknown[] }).items).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            event: 'outbound.refused',
            detail: expect.objectContaining({ service: 'graph', operation: 'setPresence', status: 404 }),
          }),
        );
      },
      5000,
      API_POLL_MS,
    );
    expect(JSON.stringify(problems.body)).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect((await api('GET', '/api/admin/problems?limit=5000')).status).toBe(400);

    // Graph removes a presence subscription: the lifecycle notification and the re-creation are each one line.
    const active = (await world.app!.store.listMonitors(company.tenantId)).find((m) => m.state === 'active');
    const sub = { id: active!.subscriptionId! };
    await emulators.graph.control.triggerLifecycle(sub.id, 'subscriptionRemoved');
    await eventually(() => {
      expect(world.logLines).toContainEqual(
        expect.objectContaining({
          level: 40,
          event: 'graph.lifecycle',
          lifecycleEvent: 'subscriptionRemoved',
          subscriptionId: sub.id,
        }),
      );
      expect(world.logLines).toContainEqual(
        expect.objectContaining({ level: 30, event: 'graph.subscriptionCreated', replaced: sub.id }),
      );
    }, 10_000);
    expect(JSON.stringify(world.logLines)).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT anywhere
  }, 60_000);
});

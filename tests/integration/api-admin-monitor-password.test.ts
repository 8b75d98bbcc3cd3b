import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { loadConfig } from '../../shared/config/load';
import { createLogger, LogTap } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import { newMonitorRecord, type MonitorRecord } from '../../shared/ports/store';
import { eventually, freePort } from './real-time';

/**
 * PUT /api/admin/monitors/:id/password, the admin guide's "update its password in Monitors": the server as main.ts
 * composes it (notifications mode, so monitors sign in and subscribe) against the emulators. A monitor added with a
 * wrong password fails and waits for the admin; the right password through the route signs it in and it holds the
 * users' subscription. The password is stored sealed, never reaches a log or an answer, and only the caller's
 * tenant's monitors can be changed.
 */
jest.setTimeout(60_000);

const SECRET_KEY = Buffer.alloc(32, 9);
const WRONG_PASSWORD = 'Wr0ng-Passw0rd-typed-in-a-hurry';
const RIGHT_PASSWORD = 'R1ght-Passw0rd-from-Entra-8c41';
const OVERSIZED_PASSWORD = 'Ov3rsized-'.repeat(103); // 1030 characters, past the 1024 limit

describe('a presence monitor gets a new password', () => {
  let emulators: Emulators;
  let company: DemoCompany;
  let app: RunningSwitchboard;
  let adminToken: string;
  let userToken: string;
  let monitorUserId: string;
  const username = () => `svc-monitor-rotated@${company.domain}`;
  const logLines: string[] = [];
  const answers: string[] = [];

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token = adminToken,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const setPassword = (monitorId: string, body: unknown, token?: string) =>
    api('PUT', `/api/admin/monitors/${encodeURIComponent(monitorId)}/password`, body, token);
  const stored = async (monitorId: string, tenantId = company.tenantId): Promise<MonitorRecord> =>
    (await app.store.getMonitor(tenantId, monitorId))!;

  beforeAll(async () => {
    emulators = await startEmulators();
    const port = await freePort();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: `http://127.0.0.1:${port}`,
      users: 6,
      callsPerUser: 0,
    });
    // The account as the Entra admin created it, with the password the Switchboard admin is about to mistype.
    monitorUserId = emulators.directory.addUser(company.tenantId, {
      userPrincipalName: username(),
      displayName: 'Presence Monitor (rotated)',
      password: RIGHT_PASSWORD,
    }).id;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const tap = new LogTap();
    app = await startSwitchboard(
      loadConfig({
        PORT: String(port),
        STORE_URL: 'sqlite::memory:',
        LOG_LEVEL: 'debug',
        SYNC_MODE: 'notifications',
      }),
      {
        ...demoTenantLink(company, emulators, 'switchboard-monitor-password-test'),
        // No demo monitors: the one added below is the only one, so it has to hold the users' subscription.
        initialMonitors: [],
        botAuth: { kind: 'playground' },
        secretKey: SECRET_KEY,
        appVersion: '0.0.0-test',
        tabDir: 'tests/integration/bot-tab-fixture',
      },
      createLogger('debug', sink, tap),
      tap,
    );
    const mint = (isAdmin: boolean) =>
      emulators.entra.mintTeamsSsoToken({
        tenantId: company.tenantId,
        userId: company.users.find((u) => u.isAdmin === isAdmin && !u.mfaRequired)!.entraId,
        clientId: company.clientId,
      });
    adminToken = await mint(true);
    userToken = await mint(false);
  });
  afterAll(async () => {
    await app?.close();
    await emulators?.close();
  });

  let monitorId: string;

  it('a monitor added with a wrong password fails and waits; the right one through the route makes it active', async () => {
    const added = await api('POST', '/api/admin/monitors', {
      username: username(),
      password: WRONG_PASSWORD,
    });
    expect(added.status).toBe(201);
    monitorId = added.body.monitorId;
    expect(added.body).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/AADSTS50126/),
      // By code too, so the admin's German tab says it in German; Entra's words stay a quoted value.
      lastErrorText: {
        code: 'monitor.problemAndFix',
        params: {
          problem: { code: 'sync.signInRefused', params: { detail: expect.stringMatching(/AADSTS50126/) } },
        },
      },
    });
    const subscriptionsOfMonitor = () =>
      emulators.graph.control.subscriptions().filter((s) => s.creatorId === monitorUserId);
    expect(subscriptionsOfMonitor()).toEqual([]);

    const expiresAt = '2027-06-30T23:59:59.000Z';
    const res = await setPassword(monitorId, { password: RIGHT_PASSWORD, passwordExpiresAt: expiresAt });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      monitorId,
      username: username(),
      state: 'active',
      userCount: company.users.length,
      subscriptionExpiresAt: expect.any(String),
      passwordExpiresAt: expiresAt,
      lastError: null,
    });
    // Graph holds the monitor's subscription for the company's users.
    expect(subscriptionsOfMonitor()).toEqual([
      expect.objectContaining({ userIds: expect.arrayContaining(company.users.map((u) => u.entraId)) }),
    ]);
    const list = await api('GET', '/api/admin/monitors');
    expect(list.body.items).toEqual([
      expect.objectContaining({ monitorId, state: 'active', lastError: null }),
    ]);
  });

  it('stores the new password sealed with the secret key, never in clear text', async () => {
    const row = await stored(monitorId);
    expect(row.passwordSealed).not.toContain(RIGHT_PASSWORD);
    expect(JSON.stringify(row)).not.toContain(RIGHT_PASSWORD);
    expect(new SecretBox(SECRET_KEY).open(row.passwordSealed)).toBe(RIGHT_PASSWORD);
  });

  it('without an expiry date the new password has none (the old date was the old password’s)', async () => {
    const res = await setPassword(monitorId, { password: RIGHT_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'active', passwordExpiresAt: null });
  });

  it.each([
    ['an empty password', { password: '' }, /password/],
    ['a password past 1024 characters', { password: OVERSIZED_PASSWORD }, /password/],
    ['no password', { passwordExpiresAt: '2027-06-30T23:59:59Z' }, /password/],
    [
      'a date that is no date',
      { password: RIGHT_PASSWORD, passwordExpiresAt: 'next Tuesday' },
      /passwordExpiresAt/,
    ],
    [
      'a field the API does not know',
      { password: RIGHT_PASSWORD, username: 'someone@else.example' },
      /username/,
    ],
  ])('refuses %s with 400 naming the field, and changes nothing', async (_what, body, field) => {
    const before = await stored(monitorId);
    const res = await setPassword(monitorId, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(field);
    expect(await stored(monitorId)).toEqual(before);
  });

  it('answers 404 for an unknown monitor, a deleted one and another tenant’s, and changes none of them', async () => {
    expect((await setPassword(randomUUID(), { password: RIGHT_PASSWORD })).status).toBe(404);

    const spare = await api('POST', '/api/admin/monitors', {
      username: `svc-monitor-gone@${company.domain}`,
      password: WRONG_PASSWORD,
    });
    expect((await api('DELETE', `/api/admin/monitors/${spare.body.monitorId}`)).status).toBeLessThan(300);
    const deleted = await stored(spare.body.monitorId);
    const res = await setPassword(spare.body.monitorId, { password: RIGHT_PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(await stored(spare.body.monitorId)).toEqual(deleted);

    // Another organisation's monitor in the same store: its id alone must not reach it.
    const otherTenant = randomUUID();
    const theirs = newMonitorRecord(
      {
        tenantId: otherTenant,
        monitorId: randomUUID(),
        username: 'svc-monitor@fabrikam.example',
        passwordSealed: new SecretBox(SECRET_KEY).seal('their-own-password'),
      },
      Date.now(),
    );
    await app.store.putMonitor(theirs);
    expect((await setPassword(theirs.monitorId, { password: RIGHT_PASSWORD })).status).toBe(404);
    expect(await stored(theirs.monitorId, otherTenant)).toEqual(theirs);
  });

  it('is for admins only', async () => {
    const before = await stored(monitorId);
    expect((await setPassword(monitorId, { password: WRONG_PASSWORD }, userToken)).status).toBe(403);
    expect(await stored(monitorId)).toEqual(before);
  });

  it('logs each change with tenant, monitor and admin, and no password reaches a log, the problems or an answer', async () => {
    expect((await api('POST', `/api/admin/monitors/${monitorId}/authorize`)).status).toBe(200);
    const lines = logLines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const changes = lines.filter((l) => l.event === 'config.changed' && l.monitorId === monitorId);
    const admin = company.users.find((u) => u.isAdmin && !u.mfaRequired)!.entraId;
    expect(changes).toEqual([
      expect.objectContaining({
        tenantId: company.tenantId,
        by: admin,
        change: 'added',
        keys: ['monitor.username', 'monitor.password', 'monitor.passwordExpiresAt'],
        state: 'failed',
      }),
      expect.objectContaining({
        tenantId: company.tenantId,
        by: admin,
        change: 'newPassword',
        keys: ['monitor.password', 'monitor.passwordExpiresAt'],
        state: 'active',
      }),
      expect.objectContaining({ tenantId: company.tenantId, change: 'newPassword', state: 'active' }),
    ]);
    // The spare added and deleted in the 404 test: both changes are in the log too.
    const spareChanges = lines.filter(
      (l) => l.event === 'config.changed' && l.monitorId !== monitorId && typeof l.monitorId === 'string',
    );
    expect(spareChanges.map((l) => [l.change, l.state, l.by])).toEqual([
      ['added', 'failed', admin],
      ['removed', 'deleted', admin],
    ]);
    // Authorize changes no setting; it is the admin's repair, logged with what came of it.
    expect(lines.filter((l) => l.event === 'monitor.adminAction')).toEqual([
      expect.objectContaining({
        tenantId: company.tenantId,
        by: admin,
        monitorId,
        action: 'authorize',
        state: 'active',
      }),
    ]);
    // The wrong password's refusal was logged (as the problem it is), without the password.
    expect(lines.some((l) => l.event === 'monitor.signInFailed')).toBe(true);
    // The admin page's recent problems take it from the log in batches.
    await eventually(
      async () => {
        const problems = await api('GET', '/api/admin/problems');
        expect(problems.status).toBe(200);
        expect(JSON.stringify(problems.body)).toMatch(/AADSTS50126/);
      },
      4000,
      250,
    );

    for (const password of [WRONG_PASSWORD, RIGHT_PASSWORD, OVERSIZED_PASSWORD]) {
      expect(logLines.join('')).not.toContain(password);
      expect(answers.join('\n')).not.toContain(password);
    }
  });
});

import { randomUUID } from 'node:crypto';
import type { RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { SecretBox } from '../../shared/platform/secret-box';
import { newMonitorRecord } from '../../shared/ports/store';
import { demoAdminToken, startDemoSwitchboard } from './demo-switchboard';
import { freePort } from './real-time';

/**
 * POST /api/admin/monitors for an account the tenant already has as a monitor: every add signs the account in at
 * once, and each wrong password counts toward Entra's lockout of that account, so a second add (in any case) is
 * refused before anything is stored or signed in. Another tenant's monitor of the same name is none of its business.
 */
jest.setTimeout(60_000);

const SECRET_KEY = Buffer.alloc(32, 5);
const PASSWORD = 'R1ght-Passw0rd-from-Entra-77d2';

describe('adding a presence monitor twice', () => {
  let emulators: Emulators;
  let company: DemoCompany;
  let app: RunningSwitchboard;
  let adminToken: string;
  const username = () => `svc-monitor-once@${company.domain}`;

  const add = async (body: unknown) => {
    const res = await fetch(`${app.baseUrl}/api/admin/monitors`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const passwordSignIns = () =>
    emulators.entra.tokenRequests.filter((r) => r.grantType === 'password').length;
  const ours = async () =>
    (await app.store.listMonitors(company.tenantId)).filter((m) => m.state !== 'deleted');

  beforeAll(async () => {
    emulators = await startEmulators();
    const port = await freePort();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: `http://127.0.0.1:${port}`,
      users: 3,
      callsPerUser: 0,
    });
    emulators.directory.addUser(company.tenantId, {
      userPrincipalName: username(),
      displayName: 'Presence Monitor (once)',
      password: PASSWORD,
    });
    app = await startDemoSwitchboard(emulators, company, {
      port,
      appId: 'switchboard-monitor-duplicate-test',
      config: { SYNC_MODE: 'notifications' },
      env: { initialMonitors: [], secretKey: SECRET_KEY },
    });
    adminToken = await demoAdminToken(emulators, company);
  });
  afterAll(async () => {
    await app?.close();
    await emulators?.close();
  });

  it('adds an account another tenant also has as its monitor: that is not a conflict', async () => {
    await app.store.putMonitor(
      newMonitorRecord(
        {
          tenantId: randomUUID(),
          monitorId: randomUUID(),
          username: username(),
          passwordSealed: new SecretBox(SECRET_KEY).seal('their-own-password'),
        },
        Date.now(),
      ),
    );
    const res = await add({ username: username(), password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: username(), state: 'active' });
  });

  it('refuses the same account again, in another case, with 409 monitor_exists, storing and signing in nothing', async () => {
    const before = await ours();
    const signIns = passwordSignIns();
    for (const name of [username(), username().toUpperCase()]) {
      const res = await add({ username: name, password: 'a-wrong-password-typed-again' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: { code: 'monitor_exists', message: expect.stringContaining(username()) },
        requestId: expect.any(String),
      });
    }
    expect(passwordSignIns()).toBe(signIns);
    expect(await ours()).toEqual(before);
  });

  it('adds the account again once its monitor was deleted', async () => {
    const [existing] = await ours();
    const del = await fetch(`${app.baseUrl}/api/admin/monitors/${existing!.monitorId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(del.status).toBeLessThan(300);
    const res = await add({ username: username(), password: PASSWORD });
    expect(res.status).toBe(201);
    expect((await ours()).map((m) => m.username)).toEqual([username()]);
  });
});

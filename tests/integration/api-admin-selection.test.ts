import type { RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import type { UserSelection } from '../../shared/api/contract';
import { demoAdminToken, startDemoSwitchboard } from './demo-switchboard';
import { freePort } from './real-time';

/**
 * PUT /api/admin/selection with a group: the server as main.ts composes it, against the Graph emulator. The group is
 * looked up at Graph before anything is saved, so a group id Graph does not know (a typo, a deleted group) is
 * refused with a code the tab can word, and a Graph that does not answer leaves the saved selection as it was.
 */
jest.setTimeout(60_000);

describe('saving the user selection with a group', () => {
  let emulators: Emulators;
  let company: DemoCompany;
  let app: RunningSwitchboard;
  let adminToken: string;
  let pilotGroupId: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${adminToken}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const selection = (groupId: string, groupName = 'Switchboard Pilot'): UserSelection => ({
    mode: 'groupWithAllowList',
    blockList: [],
    groupId,
    groupName,
    allowList: [],
    sendToTeams: true,
    getFromTeams: true,
  });
  const saved = async () => (await api('GET', '/api/admin/selection')).body;

  beforeAll(async () => {
    emulators = await startEmulators();
    const port = await freePort();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: `http://127.0.0.1:${port}`,
      users: 6,
      callsPerUser: 0,
    });
    pilotGroupId = [...emulators.directory.tenants.get(company.tenantId)!.groups.values()].find(
      (g) => g.displayName === 'Switchboard Pilot',
    )!.id;
    app = await startDemoSwitchboard(emulators, company, { port, appId: 'switchboard-selection-test' });
    adminToken = await demoAdminToken(emulators, company);
  });
  afterAll(async () => {
    await app?.close();
    await emulators?.close();
  });

  it('saves a group Graph knows', async () => {
    const res = await api('PUT', '/api/admin/selection', selection(pilotGroupId));
    expect(res.status).toBe(200);
    expect(await saved()).toMatchObject({ mode: 'groupWithAllowList', groupId: pilotGroupId });
  });

  it('refuses a group id Graph does not know with 400 group_not_found, and keeps the saved selection', async () => {
    const before = await saved();
    const missing = '0f0f0f0f-dead-4bad-8bad-0000000000ff';
    const res = await api('PUT', '/api/admin/selection', selection(missing, 'Gone'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'group_not_found', message: expect.stringContaining(missing) },
      requestId: expect.any(String),
    });
    expect(res.body.error.message).not.toMatch(
      /Request_ResourceNotFound|does not exist or one of its queried/,
    );
    expect(await saved()).toEqual(before);
  });

  it('answers 502 graph_failed when Graph does not answer, and keeps the saved selection', async () => {
    const before = await saved();
    emulators.graph.control.setFaults({ errorRate: 1 });
    try {
      const res = await api('PUT', '/api/admin/selection', selection(pilotGroupId));
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('graph_failed');
    } finally {
      emulators.graph.control.resetFaults();
    }
    expect(await saved()).toEqual(before);
  });
});

import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import type { AdminUserRow, AdminUsersResponse } from '../../shared/api/contract';
import { eventually, freePort } from './real-time';

/**
 * The admin's user list through the composed server against the emulators (issue 10): 704 users all reachable
 * through server-side pages, search on the server, PBX users without a Teams match shown with the reason, and the
 * admin's override pairing a PBX user with a Teams user, winning over mail matching.
 */
jest.setTimeout(60_000);

const STAFF = 16;
const TOTAL_MATCHED = 704;

let emulators: Emulators;
let company: DemoCompany;
let app: RunningSwitchboard;
let adminToken: string;
let userToken: string;
let domain: string;
const pbxIds: Record<string, string> = {};
let teamsOnly: { id: string };
let phone5: { entraId: string; principalId: string };

async function http(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { Authorization: token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const users = async (query: string): Promise<AdminUsersResponse> => {
  const res = await http('GET', `/api/admin/users?${query}`, adminToken);
  expect(res.status).toBe(200);
  return res.body as AdminUsersResponse;
};
const rowOf = async (q: string, key: string): Promise<AdminUserRow | undefined> =>
  (await users(`q=${encodeURIComponent(q)}`)).items.find((r) => r.key === key);

beforeAll(async () => {
  emulators = await startEmulators();
  const port = await freePort();
  company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: STAFF,
    callsPerUser: 0,
  });
  domain = company.users[0].mail.split('@')[1];
  const { directory, cloudlink } = emulators;
  const account = company.cloudlink.accountId;
  for (let i = 0; i < TOTAL_MATCHED - STAFF; i++) {
    const mail = `phone${i}@${domain}`;
    const u = directory.addUser(company.tenantId, {
      userPrincipalName: mail,
      mail,
      displayName: `Phone ${i}`,
    });
    const p = cloudlink.pbx.addUser(account, {
      name: `Phone ${i}`,
      email: mail,
      extension: String(5000 + i),
    });
    if (i === 5) phone5 = { entraId: u.id, principalId: p.principalId };
  }
  // PBX users Switchboard cannot match on its own, and a Teams user without a phone.
  const pbx = (name: string, email: string | null, extension: string) =>
    (pbxIds[name] = cloudlink.pbx.addUser(account, { name, email, extension }).principalId);
  pbx('Lobby Phone', null, '4001');
  pbx('Stranger', `stranger@elsewhere.example`, '4002');
  directory.addUser(company.tenantId, { userPrincipalName: `shared@${domain}`, displayName: 'Shared Upn' });
  directory.addUser(company.tenantId, {
    userPrincipalName: `other@${domain}`,
    mail: `shared@${domain}`,
    displayName: 'Shared Mail',
  });
  pbx('Ambiguous Desk', `shared@${domain}`, '4003');
  directory.addUser(company.tenantId, { userPrincipalName: `desk@${domain}`, displayName: 'Desk Owner' });
  pbx('Desk A', `desk@${domain}`, '4004');
  pbx('Desk B', `DESK@${domain}`, '4005');
  teamsOnly = directory.addUser(company.tenantId, {
    userPrincipalName: `teamsonly@${domain}`,
    displayName: 'Teams Only',
  });

  const config = loadConfig({ PORT: String(port), STORE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' });
  app = await startSwitchboard(
    config,
    {
      ...demoTenantLink(company, emulators, 'switchboard-admin-users-test'),
      botAuth: { kind: 'playground' },
      secretKey: Buffer.alloc(32, 7),
      appVersion: '0.0.0-test',
      tabDir: 'tests/integration/bot-tab-fixture',
    },
    silentLogger(),
  );
  const mint = (userId: string) =>
    emulators.entra.mintTeamsSsoToken({ tenantId: company.tenantId, userId, clientId: company.clientId });
  adminToken = `Bearer ${await mint(company.users.find((u) => u.isAdmin)!.entraId)}`;
  userToken = `Bearer ${await mint(company.users.find((u) => !u.isAdmin)!.entraId)}`;
  await eventually(async () => expect((await users('top=1')).total).toBeGreaterThan(TOTAL_MATCHED), 20_000);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await emulators?.close();
});

it('pages through every user on the server: 704 matched users, none lost, none twice', async () => {
  const first = await users('');
  expect(first.items).toHaveLength(50); // the default page
  expect(first.top).toBe(50);
  expect(first.directory).toEqual({
    entraReadAt: expect.any(String),
    pbxReadAt: expect.any(String),
    problem: null,
  });
  const seen: AdminUserRow[] = [];
  for (let skip = 0; skip < first.total; skip += 200) {
    const page = await users(`skip=${skip}&top=200`);
    expect(page.total).toBe(first.total);
    seen.push(...page.items);
  }
  expect(new Set(seen.map((r) => r.key)).size).toBe(first.total);
  expect(seen.filter((r) => r.matched)).toHaveLength(TOTAL_MATCHED);
  // Sorted by name across pages.
  const names = seen.map((r) => r.displayName.toLowerCase());
  expect([...names].sort((a, b) => a.localeCompare(b))).toEqual(names);
  expect((await http('GET', '/api/admin/users?top=201', adminToken)).status).toBe(400);
  expect((await http('GET', '/api/admin/users?skip=-1', adminToken)).status).toBe(400);
  expect((await http('GET', '/api/admin/users', userToken)).status).toBe(403);
});

it('searches on the server by name, UPN, mail and extension', async () => {
  const byUpn = await users(`q=${encodeURIComponent(`phone687@${domain}`)}`);
  expect(byUpn.total).toBe(1);
  expect(byUpn.items[0]).toMatchObject({ displayName: 'Phone 687', extension: '5687', status: 'matched' });
  const byExtension = await users('q=5687');
  expect(byExtension.items.map((r) => r.displayName)).toEqual(['Phone 687']);
  const byName = await users('q=phone 12&top=5');
  expect(byName.total).toBe(11); // Phone 12, Phone 120 … Phone 129
  expect(byName.items).toHaveLength(5);
});

it('shows PBX users without a Teams match, each with the reason', async () => {
  expect(await rowOf('Lobby', `pbx:${pbxIds['Lobby Phone']}`)).toMatchObject({
    status: 'noMail',
    entraUserId: null,
    matched: false,
    pbx: { name: 'Lobby Phone', extension: '4001' },
  });
  expect(await rowOf('stranger', `pbx:${pbxIds['Stranger']}`)).toMatchObject({ status: 'notMatched' });
  const ambiguous = await rowOf('Ambiguous', `pbx:${pbxIds['Ambiguous Desk']}`);
  expect(ambiguous?.status).toBe('ambiguous');
  expect(ambiguous?.candidates.map((c) => c.displayName).sort()).toEqual(['Shared Mail', 'Shared Upn']);
  const contested = await rowOf('Desk A', `pbx:${pbxIds['Desk A']}`);
  expect(contested).toMatchObject({
    status: 'contested',
    candidates: [expect.objectContaining({ displayName: 'Desk Owner' })],
    rivals: [{ principalId: pbxIds['Desk B'], name: 'Desk B' }],
  });
  expect(await rowOf('Teams Only', teamsOnly.id)).toMatchObject({ status: 'noPbx', matched: false });
});

it("the admin's override pairs a PBX user with a Teams user, wins over mail matching, and can be removed", async () => {
  // Phone 5's PBX user, matched to Phone 5 by mail, is mapped by hand to the Teams user without a phone.
  const put = await http('PUT', '/api/admin/users/overrides', adminToken, {
    pbxPrincipalId: phone5.principalId,
    entraUserId: teamsOnly.id,
  });
  expect(put.status).toBe(200);
  expect(put.body.items).toEqual([
    expect.objectContaining({ pbxPrincipalId: phone5.principalId, entraUserId: teamsOnly.id, stale: false }),
  ]);
  expect(await rowOf('Teams Only', teamsOnly.id)).toMatchObject({
    status: 'manual',
    matched: true,
    selected: true,
    pbx: { principalId: phone5.principalId },
  });
  expect(await rowOf('Phone 5', phone5.entraId)).toMatchObject({ status: 'noPbx', matched: false });
  // A call on that phone now shows on the Teams user of the override.
  emulators.graph.control.teams(teamsOnly.id, 'signIn');
  const call = emulators.cloudlink.pbx.placeCall('+4930555000', phone5.principalId);
  await eventually(() =>
    expect(emulators.graph.control.presence(teamsOnly.id)).toMatchObject({ activity: 'InACall' }),
  );
  emulators.cloudlink.pbx.hangUp(call.callId);

  // One Teams user, one override: a second PBX user for it is refused until the first is removed.
  const clash = await http('PUT', '/api/admin/users/overrides', adminToken, {
    pbxPrincipalId: pbxIds['Lobby Phone'],
    entraUserId: teamsOnly.id,
  });
  expect(clash.status).toBe(409);
  expect(
    (
      await http('PUT', '/api/admin/users/overrides', adminToken, {
        pbxPrincipalId: 'nope',
        entraUserId: teamsOnly.id,
      })
    ).status,
  ).toBe(404);

  const del = await http('DELETE', `/api/admin/users/overrides/${phone5.principalId}`, adminToken);
  expect(del.status).toBe(200);
  expect(del.body.items).toEqual([]);
  expect(await rowOf('Phone 5', phone5.entraId)).toMatchObject({ status: 'matched', matched: true });
  expect(await rowOf('Teams Only', teamsOnly.id)).toMatchObject({ status: 'noPbx' });
  expect((await http('DELETE', `/api/admin/users/overrides/${phone5.principalId}`, adminToken)).status).toBe(
    404,
  );
});

describe('choosing the synced group by name (issue 14 item 9)', () => {
  it("searches the tenant's groups by name through Graph, for admins only", async () => {
    const found = await http('GET', '/api/admin/groups?q=sales', adminToken);
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([
      { id: expect.any(String), displayName: 'Sales Berlin', description: 'Field and inside sales' },
    ]);
    const pilot = await http(
      'GET',
      `/api/admin/groups?q=${encodeURIComponent('switchboard pi')}`,
      adminToken,
    );
    expect(pilot.body.items.map((g: { displayName: string }) => g.displayName)).toEqual([
      'Switchboard Pilot',
    ]);
    expect((await http('GET', '/api/admin/groups?q=nothing-like-this', adminToken)).body.items).toEqual([]);
    expect((await http('GET', '/api/admin/groups?q=sales', userToken)).status).toBe(403);
    expect((await http('GET', '/api/admin/groups', adminToken)).status).toBe(400);
    expect((await http('GET', `/api/admin/groups?q=${'x'.repeat(121)}`, adminToken)).status).toBe(400);
  });

  it('saves the chosen group with its name, which the selection then answers', async () => {
    const pilot = (await http('GET', '/api/admin/groups?q=pilot', adminToken)).body.items[0];
    const saved = await http('PUT', '/api/admin/selection', adminToken, {
      mode: 'groupWithAllowList',
      blockList: [],
      groupId: pilot.id,
      groupName: pilot.displayName,
      allowList: [],
      sendToTeams: true,
      getFromTeams: true,
    });
    expect(saved.status).toBe(200);
    expect((await http('GET', '/api/admin/selection', adminToken)).body).toMatchObject({
      groupId: pilot.id,
      groupName: 'Switchboard Pilot',
    });
  });
});

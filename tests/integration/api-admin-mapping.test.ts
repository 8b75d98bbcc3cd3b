import type { RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { demoAdminToken, startDemoSwitchboard } from './demo-switchboard';
import { eventually, freePort } from './real-time';

/**
 * The mapping table as an admin saves it, through the composed server against the emulators: once the page says
 * "Saved.", the next phone call shows in Teams the way the new table says, not after the next periodic re-read.
 */
jest.setTimeout(60_000);

let emulators: Emulators;
let company: DemoCompany;
let app: RunningSwitchboard;
let adminToken: string;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { Authorization: adminToken, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are picked apart field by field
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  emulators = await startEmulators();
  const port = await freePort();
  company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 4,
    callsPerUser: 0,
  });
  app = await startDemoSwitchboard(emulators, company, { port, appId: 'switchboard-mapping-test' });
  adminToken = `Bearer ${await demoAdminToken(emulators, company)}`;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await emulators?.close();
});

it('a phone call right after "Saved." shows in Teams as the new mapping says', async () => {
  const [caller, callee] = [company.users[1]!, company.users[2]!];
  const appSession = () => emulators.graph.control.sessions(caller.entraId).find((s) => s.kind === 'app');
  // The default table first, so the sync is known to be running and following this user's calls.
  const first = emulators.cloudlink.pbx.placeCall(caller.principalId, callee.principalId);
  await eventually(
    () => expect(appSession()).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
    20_000,
  );
  emulators.cloudlink.pbx.hangUp(first.callId);
  await eventually(() => expect(appSession()).toBeUndefined(), 20_000);

  const conference = { availability: 'Busy', activity: 'InAConferenceCall' };
  const table = {
    teamsToPbx: (await api('GET', '/api/admin/mapping')).body.teamsToPbx,
    pbxToTeams: [
      { pbxState: 'ringing', teams: conference },
      { pbxState: 'connected', teams: conference },
      { pbxState: 'dnd', teams: null },
    ],
  };
  expect((await api('PUT', '/api/admin/mapping', table)).status).toBe(200);
  const second = emulators.cloudlink.pbx.placeCall(caller.principalId, callee.principalId);
  // The first presence set for this call is the one to judge: a process still on the old table sets "In a call"
  // and corrects it only after its next re-read of the settings.
  for (let i = 0; i < 400 && !appSession(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(appSession()).toMatchObject(conference);
  emulators.cloudlink.pbx.hangUp(second.callId);
});

it('keeps a table saved before every phone state needed a row: its missing state reads "not shown", its rules stay', async () => {
  // As such a table was stored (accepted until then): no dnd row, and Teams → phone rules of the admin's own.
  const legacy = {
    teamsToPbx: [{ availability: 'Away', activity: '*', dnd: 'on', statusText: 'Away from my desk' }],
    pbxToTeams: [
      { pbxState: 'ringing', teams: null },
      { pbxState: 'connected', teams: { availability: 'Busy', activity: 'InACall' } },
    ],
  };
  const tenant = (await app.store.getTenant(company.tenantId))!;
  await app.store.putTenant({ ...tenant, settings: { ...tenant.settings, mapping: legacy } });
  const shown = (await api('GET', '/api/admin/mapping')).body;
  expect(shown).toEqual({ ...legacy, pbxToTeams: [...legacy.pbxToTeams, { pbxState: 'dnd', teams: null }] });

  // The sync follows the admin's rules too, not the default table (it re-reads the documents within 10 s): Away in
  // Teams sets the phone's DND with the admin's text.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const user = company.users[3]!;
  emulators.graph.control.teams(user.entraId, 'signIn', 'desktop');
  emulators.graph.control.setManualStatus(user.entraId, 'Away', 'Away');
  await eventually(
    () =>
      expect(emulators.cloudlink.pbx.presentity(user.principalId)).toMatchObject({
        status: 'dnd',
        reason: 'Away from my desk',
      }),
    30_000,
  );
});

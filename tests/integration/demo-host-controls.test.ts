import { ManualClock } from '../../emulators/common/clock';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { startLivePresence } from '../../emulators/seed/live-presence';
import { startTeamsHost, type TeamsHost } from '../../emulators/teams-host';

/**
 * The demo's moving parts without the product: the host page's controls reach the emulators through their HTTP
 * control APIs (a phone call, Teams presence), and the seeded generator gives the staff a life that replays the same
 * for the same seed.
 */
let emulators: Emulators;
let company: DemoCompany;
let host: TeamsHost;
let bare: TeamsHost;

beforeAll(async () => {
  emulators = await startEmulators();
  company = await seedDemoCompany(emulators, {
    publicBaseUrl: 'http://127.0.0.1:1',
    users: 4,
    callsPerUser: 1,
  });
  const users = company.users.map((u) => ({
    userId: u.entraId,
    displayName: u.displayName,
    principalId: u.principalId,
  }));
  const common = {
    tabUrl: 'http://127.0.0.1:1/tab/index.html',
    entraBaseUrl: emulators.entra.baseUrl,
    tenantId: company.tenantId,
    clientId: company.clientId,
    users,
  };
  host = await startTeamsHost({
    ...common,
    controls: { cloudlinkBaseUrl: emulators.cloudlink.baseUrl, graphBaseUrl: emulators.graph.baseUrl },
  });
  bare = await startTeamsHost(common);
});

afterAll(async () => {
  await host?.close();
  await bare?.close();
  await emulators?.close();
});

const post = async (h: TeamsHost, path: string, body: unknown) => {
  const res = await fetch(new URL(path, h.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('places and ends a phone call for the signed-in user on the emulated PBX', async () => {
  const me = company.users[0]!;
  const placed = await post(host, '/_host/pbx-call', { userId: me.entraId, action: 'place' });
  expect(placed.status).toBe(200);
  expect(emulators.cloudlink.pbx.callsOf(me.principalId)).toEqual([
    expect.objectContaining({ state: 'connected' }),
  ]);
  const again = await post(host, '/_host/pbx-call', { userId: me.entraId, action: 'place' });
  expect(again.status).toBe(409);
  const ended = await post(host, '/_host/pbx-call', { userId: me.entraId, action: 'end' });
  expect(ended.status).toBe(200);
  expect(emulators.cloudlink.pbx.callsOf(me.principalId)).toEqual([]);
  expect((await post(host, '/_host/pbx-call', { userId: me.entraId, action: 'end' })).status).toBe(409);
});

it('changes the signed-in user Teams presence through the Graph emulator', async () => {
  const me = company.users[1]!.entraId;
  const presence = () => emulators.graph.control.presence(me);
  const cases: [string, string, string][] = [
    ['meeting', 'Busy', 'InAMeeting'],
    ['call', 'Busy', 'InACall'],
    ['dnd', 'DoNotDisturb', 'DoNotDisturb'],
    ['away', 'Away', 'Away'],
    ['available', 'Available', 'Available'],
    ['offline', 'Offline', 'OffWork'],
  ];
  for (const [state, availability, activity] of cases) {
    const res = await post(host, '/_host/teams-presence', { userId: me, state });
    expect(res.status).toBe(200);
    expect(presence()).toMatchObject({ availability });
    if (state !== 'offline') expect(presence()).toMatchObject({ activity });
  }
});

it('refuses unknown users and states, and has no controls unless started with them', async () => {
  const me = company.users[0]!.entraId;
  expect((await post(host, '/_host/teams-presence', { userId: 'someone', state: 'dnd' })).status).toBe(400);
  expect((await post(host, '/_host/teams-presence', { userId: me, state: 'asleep' })).status).toBe(400);
  expect((await post(host, '/_host/pbx-call', { userId: me, action: 'transfer' })).status).toBe(400);
  expect((await post(bare, '/_host/pbx-call', { userId: me, action: 'place' })).status).toBe(404);
  expect(await (await fetch(bare.url)).text()).toContain('"controls":null');
});

describe('the demo staff live presence', () => {
  async function day(seed: number) {
    const clock = new ManualClock();
    const emu = await startEmulators({ clock });
    const co = await seedDemoCompany(emu, {
      publicBaseUrl: 'http://127.0.0.1:1',
      users: 16,
      callsPerUser: 0,
    });
    const people = co.users.filter((u) => !u.isAdmin);
    const stop = startLivePresence(emu, { people, intervalMs: 20_000, seed });
    const snapshot = () =>
      people.map((p) => ({
        teams: emu.graph.control.presence(p.entraId).activity,
        phone: emu.cloudlink.pbx.callsOf(p.principalId).map((c) => c.state),
      }));
    const start = snapshot();
    const later: ReturnType<typeof snapshot>[] = [];
    for (let i = 0; i < 15; i++) {
      clock.advance(20_000);
      later.push(snapshot());
    }
    stop();
    await emu.close();
    return { start, later };
  }

  it('starts with people in meetings, Teams calls and phone calls, and keeps changing', async () => {
    const { start, later } = await day(7);
    const teams = start.map((s) => s.teams);
    expect(teams).toContain('Available');
    expect(teams).toContain('Offline');
    expect(teams.some((t) => t === 'InAMeeting' || t === 'InACall')).toBe(true);
    expect(start.filter((s) => s.phone.includes('connected')).length).toBeGreaterThanOrEqual(2);
    const changes = later.filter((s, i) => JSON.stringify(s) !== JSON.stringify(i ? later[i - 1] : start));
    expect(changes.length).toBeGreaterThan(8);
  });

  it('plays the same day for the same seed, another for another seed', async () => {
    const a = await day(42);
    const b = await day(42);
    const c = await day(43);
    expect(b.start).toEqual(a.start);
    expect(b.later).toEqual(a.later);
    expect(JSON.stringify(c.later)).not.toEqual(JSON.stringify(a.later));
  });
});

import { problemFromStore } from '../../shared/sync/stored-problem';
import { startRunningSyncWorld, type SyncWorld } from './sync-harness';

/**
 * Graph refusing our presence writes (docs/sync-rules.md, "Queues, coalescing, limits"): the user's status says why
 * and what to do, the write is tried again every 15 minutes (not hammered, not left until the next phone call), and
 * a 404 on clearPresence means the session is already gone, which is what we wanted.
 */
jest.setTimeout(40_000);
const MIN = 60_000;
const busy = { availability: 'Busy', activity: 'InACall' };

describe('refused Graph writes against the emulators', () => {
  let w: SyncWorld;
  afterEach(async () => w?.close());

  async function world(users = 2) {
    w = await startRunningSyncWorld({ users });
    return w;
  }
  const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
  const setPresenceCalls = (i: number) =>
    w.emulators.graph.control
      .requests()
      .filter((r) => r.path.includes(`/users/${w.people[i].id}/presence/setPresence`));

  it('403 (consent withdrawn): says what to fix, retries every 15 minutes, heals once consent is back', async () => {
    await world();
    const app = [...w.tenant.apps.values()][0];
    const granted = [...app.grantedApplicationPermissions];
    app.grantedApplicationPermissions = granted.filter((p) => p !== 'Presence.ReadWrite.All');
    // The app token Switchboard holds still carries the role until it is renewed (tokens last an hour).
    await w.clock.advance(61 * MIN, MIN);
    const call = w.emulators.cloudlink.pbx.placeCall('+4930777', w.pbxIds[0]);
    await w.eventually(() => expect(setPresenceCalls(0).map((r) => r.status)).toEqual([403]));
    const refused = await w.service.statusOf(w.people[0].id);
    expect(refused.problem?.message).toMatch(/Microsoft Graph refused/);
    expect(refused.problem?.fix).toMatch(/Presence\.ReadWrite\.All.*tries again every 15 minutes/);
    // The same sentences by code, so a German tab words them in German; Graph's own words stay a quoted value.
    const coded = {
      messageText: {
        code: 'sync.refused',
        params: { system: 'Microsoft Graph', detail: expect.any(String) },
      },
      fixText: { code: 'fix.retriesEvery', params: { fix: { code: 'fix.graphConsent' }, minutes: 15 } },
    };
    expect(refused.problem).toMatchObject(coded);
    // Stored with its codes (the owner saves it as it changes), so a restart or a standby still words it in German.
    await w.eventually(async () => {
      const row = await w.store.getSyncState(w.tenant.id, w.people[0].id);
      expect(problemFromStore(row?.lastError ?? '')).toMatchObject(coded);
    });

    // Not hammered: still the one attempt 14 minutes on, and one more at 15.
    await w.clock.advance(14 * MIN, MIN);
    expect(setPresenceCalls(0)).toHaveLength(1);
    await w.clock.advance(2 * MIN, MIN);
    // The retry is on the wire; on busy cores its answer may land a moment later in real time.
    await w.eventually(() => expect(setPresenceCalls(0)).toHaveLength(2));

    // The admin grants consent again; with no further change on the phone, the call shows once a new token has it.
    app.grantedApplicationPermissions = granted;
    await w.clock.advance(60 * MIN, 5 * MIN);
    await w.eventually(() => expect(presence(0)).toMatchObject(busy), 3000);
    const calls = setPresenceCalls(0);
    expect(calls.at(-1)?.status).toBe(200);
    expect(calls.length).toBeLessThanOrEqual(7); // one try per 15 minutes over ~75 minutes, plus the first
    expect((await w.service.statusOf(w.people[0].id)).problem).toBeNull();
    w.emulators.cloudlink.pbx.hangUp(call.callId);
  }, 60_000);

  it('404 (the user is gone from the directory): a new attempt 15 minutes later writes once the user is back', async () => {
    await world();
    const user = w.people[1];
    w.tenant.users.delete(user.id);
    const call = w.emulators.cloudlink.pbx.placeCall('+4930888', w.pbxIds[1]);
    await w.eventually(() => expect(setPresenceCalls(1).map((r) => r.status)).toEqual([404]));
    expect((await w.service.statusOf(user.id)).problem?.fix).toMatch(/refresh the user list/);
    w.tenant.users.set(user.id, user); // restored from the recycle bin
    await w.clock.advance(16 * MIN, MIN);
    await w.eventually(() => expect(presence(1)).toMatchObject(busy), 3000);
    expect(setPresenceCalls(1).map((r) => r.status)).toEqual([404, 200]);
    w.emulators.cloudlink.pbx.hangUp(call.callId);
  });

  it('a refused write is not resent by an observation that changes nothing, but a resync tries it again at once', async () => {
    await world();
    const user = w.people[1];
    w.tenant.users.delete(user.id);
    const call = w.emulators.cloudlink.pbx.placeCall('+4930877', w.pbxIds[1]);
    await w.eventually(() => expect(setPresenceCalls(1).map((r) => r.status)).toEqual([404]));
    // The call is answered: the phone changes, what Teams should show does not. No new attempt.
    w.emulators.cloudlink.pbx.answer(call.callId);
    await w.clock.advance(2000, 100);
    expect(setPresenceCalls(1).map((r) => r.status)).toEqual([404]);
    // The admin restores the user and runs "Resync this user": the write goes out now, not in 15 minutes.
    w.tenant.users.set(user.id, user);
    await w.service.resyncUser(user.id);
    await w.eventually(() => expect(presence(1)).toMatchObject(busy), 3000);
    expect(setPresenceCalls(1).map((r) => r.status)).toEqual([404, 200]);
    w.emulators.cloudlink.pbx.hangUp(call.callId);
  });

  it('404 on clearPresence: the session was already gone, so the call end counts as written', async () => {
    await world();
    const call = w.emulators.cloudlink.pbx.placeCall('+4930999', w.pbxIds[0]);
    await w.eventually(() => expect(presence(0)).toMatchObject(busy));
    // Our session vanishes behind our back (another copy of the app with the same client id cleared it).
    await w.graph.clearPresence(w.people[0].id);
    w.emulators.cloudlink.pbx.hangUp(call.callId);
    await w.eventually(() => {
      const clears = w.emulators.graph.control
        .requests()
        .filter((r) => r.path.includes(`/users/${w.people[0].id}/presence/clearPresence`));
      expect(clears.map((r) => r.status)).toEqual([200, 404]); // the clear behind our back, then ours
    });
    await w.run(w.service.idle());
    const status = await w.service.statusOf(w.people[0].id);
    expect(status.problem).toBeNull();
    expect(status.lastAssertion).toMatchObject({ side: 'teams' });
    // Nothing left to retry: no further clear goes out.
    await w.clock.advance(20 * MIN, MIN);
    expect(
      w.emulators.graph.control
        .requests()
        .filter((r) => r.path.includes(`${w.people[0].id}/presence/clearPresence`)),
    ).toHaveLength(2);
  });
});

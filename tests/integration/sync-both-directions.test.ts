import { startSyncWorld, type SyncWorld } from './sync-harness';

/** Both directions end to end: CloudLink emulator → engine → Graph emulator, and back, over real HTTP. */
const MIN = 60_000;
let w: SyncWorld;

beforeAll(async () => {
  w = await startSyncWorld({ users: 4 });
  const match = await w.service.refreshUsers();
  expect(match.matched).toHaveLength(4);
  await w.service.start();
  w.emulators.graph.control.teams(w.people[0].id, 'signIn');
  w.emulators.graph.control.teams(w.people[1].id, 'signIn');
}, 30_000);
afterAll(async () => w.close());

const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
const pbx = (_i: number) => w.emulators.cloudlink.pbx;

describe('sync against the emulators', () => {
  it('matches PBX and Entra users by mail and subscribes them with one monitor', async () => {
    const subs = w.emulators.graph.control.subscriptions();
    expect(subs).toHaveLength(1);
    expect(subs[0].userIds).toHaveLength(4);
    expect(w.service.monitorsNeeded()).toBe(1);
  });

  it('PBX call → Busy/InACall in Teams; hang-up clears the session (Teams back to the user’s own state)', async () => {
    const call = pbx(0).placeCall('+4930123456', w.pbxIds[0]);
    await w.eventually(() =>
      expect(presence(0)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
    );
    pbx(0).answer(call.callId);
    pbx(0).hangUp(call.callId);
    await w.eventually(() => expect(presence(0).activity).not.toBe('InACall'));
    expect(presence(0).availability).toBe('Available');
    expect(w.emulators.graph.control.sessions(w.people[0].id).filter((s) => s.kind === 'app')).toEqual([]);
    // Our Busy never came back as PBX DND.
    expect(pbx(0).presentity(w.pbxIds[0])).toMatchObject({ status: 'available' });
  });

  it('Teams meeting → PBX DND "In a meeting"; leaving turns it off; our DND never becomes a Teams session', async () => {
    w.emulators.graph.control.teams(w.people[1].id, 'joinMeeting');
    await w.eventually(() =>
      expect(pbx(1).presentity(w.pbxIds[1])).toMatchObject({ status: 'dnd', reason: 'In a meeting' }),
    );
    await w.clock.advance(2000, 100);
    expect(
      w.emulators.graph.control.sessions(w.people[1].id).filter((s) => s.activity === 'Presenting'),
    ).toEqual([]);
    w.emulators.graph.control.teams(w.people[1].id, 'leaveMeeting');
    await w.eventually(() => expect(pbx(1).presentity(w.pbxIds[1])).toMatchObject({ status: 'available' }));
  });

  it('a 3-hour call keeps Teams Busy the whole time (session renewed), then clears', async () => {
    const call = pbx(2).placeCall('+4930999999', w.pbxIds[2]);
    pbx(2).answer(call.callId);
    await w.eventually(() =>
      expect(presence(2)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
    );
    for (let m = 0; m < 180; m += 5) {
      await w.clock.advance(5 * MIN, MIN);
      await w.eventually(() =>
        expect(presence(2)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
      );
    }
    pbx(2).hangUp(call.callId);
    await w.eventually(() => expect(presence(2).activity).not.toBe('InACall'));
  }, 60_000);

  it('a Teams call starting ten seconds after a phone call reaches the phone at once, not after the settle window', async () => {
    const call = pbx(3).placeCall('+4930777777', w.pbxIds[3]);
    pbx(3).answer(call.callId);
    await w.eventually(() =>
      expect(presence(3)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
    );
    pbx(3).hangUp(call.callId);
    await w.eventually(() =>
      expect(w.emulators.graph.control.sessions(w.people[3].id).filter((s) => s.kind === 'app')).toEqual([]),
    );
    await w.clock.advance(10_000, 1000);
    w.emulators.graph.control.teams(w.people[3].id, 'signIn');
    w.emulators.graph.control.teams(w.people[3].id, 'startCall');
    // Well inside the minute in which a late echo of our own Busy/InACall would be held back.
    await w.eventually(() =>
      expect(pbx(3).presentity(w.pbxIds[3])).toMatchObject({ status: 'dnd', reason: 'In a Teams call' }),
    );
    w.emulators.graph.control.teams(w.people[3].id, 'endCall');
    await w.eventually(() => expect(pbx(3).presentity(w.pbxIds[3])).toMatchObject({ status: 'available' }));
  });
});

import { startRunningSyncWorld, type SyncWorld } from './sync-harness';

/**
 * PBX calls reach Teams from CloudLink's call (media) events alone, over real HTTP against the emulators: the
 * CloudLink emulator's presence carries a status and a reason only (no call state), so a call must be followed
 * through its media events, per call id, several at once.
 */
const MIN = 60_000;
let w: SyncWorld;

beforeAll(async () => {
  w = await startRunningSyncWorld({ users: 3 });
  // Every PBX read once, so DND is known and any later presence read is one a call caused.
  await w.run(w.service.resyncAll());
}, 30_000);
afterAll(async () => w.close());

const pbx = () => w.emulators.cloudlink.pbx;
const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
const appSessions = (i: number) =>
  w.emulators.graph.control.sessions(w.people[i].id).filter((s) => s.kind === 'app');
const presenceReads = () =>
  w.emulators.cloudlink.control.calls.filter((c) => c.method === 'GET' && c.path.includes('/presentities/'))
    .length;
const inACall = { availability: 'Busy', activity: 'InACall' };

describe('PBX calls from call events alone', () => {
  it('a call the PBX places makes the user Busy/InACall in Teams; its end clears it; presence never says "call"', async () => {
    const readsBefore = presenceReads();
    const call = pbx().placeCall('+4930123456', w.pbxIds[0]);
    await w.eventually(() => expect(presence(0)).toMatchObject(inACall));
    pbx().answer(call.callId);
    await w.clock.advance(30_000, 1000);
    expect(presence(0)).toMatchObject(inACall);
    pbx().hangUp(call.callId);
    await w.eventually(() => expect(appSessions(0)).toEqual([]));
    expect(presence(0).activity).not.toBe('InACall');
    // No presentity was read for the call: the media events were enough.
    expect(presenceReads()).toBe(readsBefore);
    // Whatever presence CloudLink posted or served carried no call state.
    const presenceBodies = w.emulators.cloudlink.control.deliveries
      .map((d) => d.body)
      .filter((b) => b.topic === 'platform-api-presence');
    expect(presenceBodies.every((b) => !('callState' in b.content))).toBe(true);
    expect(pbx().presentity(w.pbxIds[0])).not.toHaveProperty('callState');
  });

  it('several calls: a held call keeps Busy while a second one rings and ends; the last end clears', async () => {
    const first = pbx().placeCall(w.pbxIds[1], '+4989123456');
    pbx().answer(first.callId);
    pbx().hold(first.callId);
    const second = pbx().placeCall(w.pbxIds[1], w.pbxIds[2]); // a consultation call to a colleague
    await w.eventually(() => {
      expect(presence(1)).toMatchObject(inACall);
      expect(presence(2)).toMatchObject(inACall); // the colleague's phone rings: Busy by the default table
    });
    pbx().hangUp(second.callId); // the colleague did not answer
    await w.eventually(() => expect(appSessions(2)).toEqual([]));
    await w.clock.advance(30_000, 1000);
    expect(presence(1)).toMatchObject(inACall); // still holding the first call
    pbx().retrieve(first.callId);
    pbx().hangUp(first.callId);
    await w.eventually(() => expect(appSessions(1)).toEqual([]));
    expect(presence(1).activity).not.toBe('InACall');
  });

  it('a lost "ended" event: the next resync finds the call finished in CloudLink call records and clears Busy', async () => {
    const call = pbx().placeCall('+4930555000', w.pbxIds[0]);
    pbx().answer(call.callId);
    await w.eventually(() => expect(presence(0)).toMatchObject(inACall));
    await w.emulators.cloudlink.control.deliveriesIdle(); // the answer's event has landed too
    w.dropCloudLinkWebhooks = true; // CloudLink's post of the hang-up never reaches us
    pbx().hangUp(call.callId);
    await w.emulators.cloudlink.control.deliveriesIdle();
    w.dropCloudLinkWebhooks = false;
    await w.clock.advance(2 * MIN, 10_000);
    expect(presence(0)).toMatchObject(inACall); // nothing told us yet
    await w.run(w.service.resyncAll());
    await w.eventually(() => expect(appSessions(0)).toEqual([]));
    expect(
      w.emulators.cloudlink.control.calls.some(
        (c) => c.path.endsWith(`/users/${w.pbxIds[0]}/calls/records`) && c.status === 200,
      ),
    ).toBe(true);
  });
});

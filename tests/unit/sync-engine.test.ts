import { harness, throttled, serverError, TENANT, type Harness } from './sync-harness';

const MIN = 60_000;
const busy = { availability: 'Busy', activity: 'InACall' };

describe('sync engine over in-memory ports', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('PBX call → Busy/InACall in Teams, renewed through a 3-hour call, cleared (not Available) at the end', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    expect(h.graph.writes()).toEqual([{ op: 'setPresence', userId: 'u1', presence: busy }]);
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    for (let m = 0; m < 180; m++) {
      await h.clock.advance(MIN);
      expect(h.graph.presenceOf('u1')).toMatchObject(busy); // never lapses
    }
    expect(h.graph.writes('setPresence').length).toBe(4); // first set + renewals at 50, 100, 150 min
    h.cloudlink.call('pbx-u1', 'idle');
    await h.settle();
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
    expect(h.graph.writes('setPresence').every((c) => c.presence?.availability !== 'Available')).toBe(true);
    expect(h.cloudlink.setDndCalls).toEqual([]); // our Busy never came back as PBX DND
  });

  it('Teams → PBX: a Teams meeting turns PBX DND on with its text, and off after', async () => {
    h = await harness();
    await h.service.start();
    h.graph.setOwn('u1', 'Busy', 'InAMeeting');
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u1', dnd: true, statusText: 'In a meeting' },
    ]);
    h.graph.setOwn('u1', 'Available', 'Available');
    await h.settle();
    expect(h.cloudlink.setDndCalls.at(-1)).toEqual({ principalId: 'pbx-u1', dnd: false, statusText: null });
    expect(h.graph.writes()).toEqual([]); // our PBX DND never came back as a Teams session
  });

  it('coalesces: one write in flight per user, and only the newest state follows it', async () => {
    h = await harness();
    await h.service.start();
    h.graph.hold = true;
    h.cloudlink.call('pbx-u1', 'ringing');
    await h.settle();
    h.cloudlink.call('pbx-u1', 'connected');
    h.cloudlink.call('pbx-u1', 'idle');
    h.cloudlink.set('pbx-u1', { dnd: true, statusText: 'Lunch' });
    await h.settle();
    expect(h.graph.writes()).toHaveLength(1);
    h.graph.hold = false;
    h.graph.release();
    await h.settle();
    expect(h.graph.writes().map((c) => c.presence?.availability ?? c.op)).toEqual(['Busy', 'DoNotDisturb']);
  });

  it('429: waits out Retry-After, pauses everyone, and still delivers the latest state', async () => {
    h = await harness({ users: 2 });
    await h.service.start();
    h.graph.failures = [throttled(30_000)];
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
    await h.clock.advance(29_000, 1000);
    expect(h.graph.writes()).toHaveLength(1);
    await h.clock.advance(2_000, 1000);
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    // A throttle waited out is not an error.
    expect(h.service.health().errorsLastHour).toBe(0);
  });

  it('5xx: retried with backoff until it succeeds; nothing is dropped', async () => {
    h = await harness();
    await h.service.start();
    h.graph.failures = [serverError(), serverError(), serverError()];
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.clock.advance(10_000, 500);
    await h.settle();
    expect(h.graph.writes()).toHaveLength(4);
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    expect(await h.service.statusOf('u1')).toMatchObject({
      problem: null,
      lastAssertion: { side: 'teams', what: 'Busy/InACall' },
    });
  });

  it('a refusal (403) is reported in words with a fix, and not retried forever', async () => {
    h = await harness();
    await h.service.start();
    await h.settle(); // the first read of everyone's Teams presence, after subscribing
    const { GraphError } = await import('../../shared/ports/graph');
    h.graph.failures = [new GraphError(403, 'Forbidden', 'Insufficient privileges')];
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.clock.advance(10 * MIN);
    const status = await h.service.statusOf('u1');
    expect(status.problem?.message).toMatch(/refused/);
    expect(status.problem?.fix).toMatch(/Presence.ReadWrite.All/);
    expect(h.graph.writes()).toHaveLength(1);
  });

  it("the user's manual Teams status is never fought", async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    h.graph.setPreferred('u1', { availability: 'Available', activity: 'Available' });
    await h.settle();
    await h.clock.advance(30 * MIN);
    expect(h.graph.writes()).toHaveLength(1);
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
    expect(h.cloudlink.setDndCalls).toEqual([]);
  });

  it('restart recovery: a call that ended while we were down leaves no Busy behind', async () => {
    h = await harness();
    await h.service.start();
    const callId = h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.service.stop();
    h.cloudlink.onCall = () => undefined; // the webhook is gone while we are down
    h.cloudlink.call('pbx-u1', 'idle');
    h.cloudlink.addRecord('pbx-u1', callId, h.clock.now()); // CloudLink's call history shows it finished
    await h.restart();
    expect(h.cloudlink.recordReads).toEqual(['pbx-u1']);
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
  });

  it('restart recovery: a call still going on keeps its session renewed after restart', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.restart();
    await h.clock.advance(3 * 60 * MIN);
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
  });

  it('a restart re-derives every user but traces and rewrites only those whose state it changes', async () => {
    h = await harness({ users: 3 });
    await h.service.start();
    const callId = h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.service.stop();
    h.cloudlink.onCall = () => undefined; // the webhook is gone while we are down
    h.cloudlink.call('pbx-u1', 'idle');
    h.cloudlink.addRecord('pbx-u1', callId, h.clock.now());
    await h.restart();
    await h.settle();
    const kinds = async (id: string) => (await h.store.listTrace(TENANT, id, 1000)).map((e) => e.kind);
    // u1's call ended while we were down: re-deriving its state clears the session (and says so in its trace).
    expect(await kinds('u1')).toContain('teams.clear');
    // u2 and u3 had nothing to repair: no 'reevaluate' entry for each of them (at 50,000 users, 50,000 writes).
    expect(await kinds('u2')).not.toContain('reevaluate');
    expect(await kinds('u3')).not.toContain('reevaluate');
  });

  it('full resync repairs drift missed by notifications, with progress in 650-id batches', async () => {
    h = await harness({ users: 1400 });
    await h.service.start();
    h.cloudlink.onChange = () => undefined; // PBX presence events lost
    h.cloudlink.set('pbx-u7', { dnd: true, statusText: 'Lunch' });
    const progress: number[] = [];
    const result = await h.service.resyncAll((p) => progress.push(p.done));
    await h.settle();
    expect(result).toEqual({ done: 1400, total: 1400, pbxReads: 1400 });
    expect(progress).toEqual(
      [0, 650, 1300, 1400].slice(0, progress.length).length === progress.length ? progress : [],
    );
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1400);
    expect(
      h.graph.calls.filter((c) => c.op === 'getPresencesByUserId').every((c) => (c.ids ?? 0) <= 650),
    ).toBe(true);
    expect(h.graph.presenceOf('u7')).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
  });

  it('resync of one user answers its status', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.onChange = () => undefined;
    h.cloudlink.set('pbx-u1', { dnd: true, statusText: 'Lunch' });
    const status = await h.service.resyncUser('u1');
    await h.settle();
    expect(status.pbx).toMatchObject({ dnd: true, statusText: 'Lunch' });
    expect(h.graph.presenceOf('u1')).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
  });

  it('resetPhoneStatus un-sticks a Busy left by a lost PBX event, and re-reads both sides', async () => {
    h = await harness();
    await h.service.start();
    const callId = h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    h.cloudlink.onCall = () => undefined; // the call's end never reaches us
    h.cloudlink.call('pbx-u1', 'idle');
    h.cloudlink.addRecord('pbx-u1', callId, h.clock.now()); // CloudLink's call history shows it finished
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    const status = await h.service.resetPhoneStatus('u1');
    await h.settle();
    expect(status.pbx).toMatchObject({ callState: 'idle' });
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
  });

  it('resetPhoneStatus clears a Busy from a forged "connected" that no read can disprove, and says so', async () => {
    h = await harness();
    await h.service.start();
    // Someone with the webhook key posts a "connected" for a call that never existed: no record will ever show it.
    h.cloudlink.onCall('pbx-u1', 'forged-call', 'connected');
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    await h.clock.advance(5 * 60_000, 60_000);
    await h.service.resyncUser('u1'); // reads the PBX and the call records: nothing settles the call
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);

    const status = await h.service.resetPhoneStatus('u1');
    await h.settle();
    expect(status.reset).toMatchObject({ teamsSessionCleared: true, callsForgotten: 1 });
    expect(status.pbx).toMatchObject({ callState: 'idle' });
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
    // A later resync does not bring it back.
    await h.service.resyncUser('u1');
    await h.settle();
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
  });

  it('per-user switches: Send to Teams off for one user writes nothing for them', async () => {
    h = await harness({ users: 2 });
    await h.store.putUsers([
      { ...(await h.store.getUser('11111111-1111-1111-1111-111111111111', 'u2'))!, sendToTeams: false },
    ]);
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected');
    h.cloudlink.call('pbx-u2', 'connected');
    await h.settle();
    expect(h.graph.writes().map((c) => c.userId)).toEqual(['u1']);
    expect((await h.service.statusOf('u2')).enabled).toEqual({ toTeams: false, fromTeams: true });
  });

  it('persists state and a bounded trace per user', async () => {
    h = await harness();
    await h.service.start();
    for (let i = 0; i < 120; i++) {
      h.cloudlink.call('pbx-u1', i % 2 ? 'idle' : 'connected');
      await h.settle();
    }
    const state = await h.store.getSyncState('11111111-1111-1111-1111-111111111111', 'u1');
    expect(state?.state).toHaveProperty('pbx');
    const trace = await h.store.listTrace('11111111-1111-1111-1111-111111111111', 'u1', 1000);
    expect(trace.length).toBeGreaterThan(10);
    expect(trace.length).toBeLessThanOrEqual(200);
  });

  it('several calls: a held call keeps Busy while a second one rings and ends; the last end clears', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'ringing', 'first');
    h.cloudlink.call('pbx-u1', 'connected', 'first');
    h.cloudlink.call('pbx-u1', 'held', 'first');
    await h.clock.advance(1000);
    h.cloudlink.call('pbx-u1', 'ringing', 'second');
    h.cloudlink.call('pbx-u1', 'connected', 'second');
    await h.settle();
    await h.clock.advance(1000);
    h.cloudlink.call('pbx-u1', 'ended', 'second');
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    expect(h.graph.writes()).toEqual([{ op: 'setPresence', userId: 'u1', presence: busy }]);
    await h.clock.advance(1000);
    h.cloudlink.call('pbx-u1', 'connected', 'first'); // retrieved
    h.cloudlink.call('pbx-u1', 'ended', 'first');
    await h.settle();
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
    expect(h.cloudlink.presenceReads).toEqual(['pbx-u1']); // the first event read DND once; calls need no read
  });

  it('duplicated and late deliveries of an ended call do not bring Busy back', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected', 'c1');
    await h.settle();
    await h.clock.advance(1000);
    h.cloudlink.call('pbx-u1', 'ended', 'c1');
    h.cloudlink.call('pbx-u1', 'ended', 'c1');
    await h.settle();
    h.cloudlink.call('pbx-u1', 'connected', 'c1'); // CloudLink retried an old delivery
    await h.settle();
    expect(h.graph.writes().map((w) => w.op)).toEqual(['setPresence', 'clearPresence']);
    expect(h.graph.presenceOf('u1').availability).toBe('Available');
  });

  it('a lost end: the next resync finds the call finished in the call records and clears Busy', async () => {
    h = await harness({
      options: { cloudLinkWebhookUrl: 'https://switchboard.example/api/cloudlink/events' },
    });
    await h.service.start();
    const callId = h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    h.cloudlink.onCall = () => undefined; // the end is never delivered
    await h.clock.advance(5 * MIN);
    h.cloudlink.addRecord('pbx-u1', callId, h.clock.now());
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    const run = h.service.resyncAll();
    for (let i = 0; i < 100; i++) await h.clock.advance(50, 10);
    await run;
    await h.settle();
    expect(h.cloudlink.recordReads).toContain('pbx-u1');
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
  });

  it('a lost end the call records cannot settle keeps Busy for hours, then expires at the bound', async () => {
    h = await harness();
    await h.service.start();
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    h.cloudlink.onCall = () => undefined;
    await h.clock.advance(11 * 60 * MIN, 10 * MIN);
    await h.service.resyncUser('u1');
    await h.settle();
    expect(h.graph.presenceOf('u1')).toMatchObject(busy); // 11 hours: maybe a long call, maybe a lost end
    await h.clock.advance(60 * MIN, 10 * MIN);
    await h.service.resyncUser('u1');
    await h.settle();
    expect(h.graph.writes().at(-1)).toEqual({ op: 'clearPresence', userId: 'u1' });
  });
});

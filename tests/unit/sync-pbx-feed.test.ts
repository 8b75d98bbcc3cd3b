import { harness, TENANT, type Harness } from './sync-harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
// The feed alone: the rotating verification slice (its own test below) is off here, so the counts show the feed.
const FEED = { cloudLinkWebhookUrl: 'https://switchboard.example/api/cloudlink/events', pbxVerifySlices: 0 };

/** Runs a resync to the end, moving the virtual clock so Graph's rate-limited reads can go out. */
async function resyncAll(h: Harness, options?: { readEveryPbx?: boolean }) {
  let result: Awaited<ReturnType<Harness['service']['resyncAll']>> | undefined;
  const run = h.service.resyncAll(undefined, options).then((r) => (result = r));
  for (let i = 0; i < 200 && result === undefined; i++) await h.clock.advance(50, 10);
  await run;
  await h.settle();
  return result as NonNullable<typeof result>;
}

/** Some PBX presence activity: an event comes through the feed, which proves it reaches us. */
async function pbxActivity(h: Harness, principal = 'pbx-u1') {
  h.cloudlink.set(principal, {}); // CloudLink posts a presence event naming the presentity
  await h.settle();
}

describe('resync and the live CloudLink presence feed', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('reads every PBX once, then only Teams while the feed vouches for the PBX side', async () => {
    h = await harness({ users: 700, options: FEED });
    await h.service.start();
    expect(h.cloudlink.liveSubscriptions.size).toBe(2); // presence and calls
    expect((await resyncAll(h)).pbxReads).toBe(700);
    await pbxActivity(h);

    // A Teams call whose notification was lost: only the Teams side drifted.
    h.graph.onChange = () => undefined;
    h.graph.setOwn('u5', 'Busy', 'InACall');
    const readsBefore = h.cloudlink.presenceReads.length;
    const second = await resyncAll(h);
    expect(second).toMatchObject({ done: 700, total: 700, pbxReads: 0 });
    // The one read after it is the feed's event for the DND we set, not the resync.
    expect(h.cloudlink.presenceReads.slice(readsBefore)).toEqual(['pbx-u5']);
    expect(h.cloudlink.presence.get('pbx-u5')).toMatchObject({ dnd: true, statusText: 'In a Teams call' });
    const status = await h.service.statusOf('u9');
    expect(status.lastSyncAt).not.toBeNull();
  });

  it('a resync that finds nothing new costs no trace entry and no store write', async () => {
    h = await harness({ users: 50, options: FEED });
    await h.service.start();
    await resyncAll(h);
    await pbxActivity(h, 'pbx-u7');
    const traces = async () =>
      (
        await Promise.all(
          h.graph.users.size ? [...h.graph.users.keys()].map((id) => h.store.listTrace(TENANT, id)) : [],
        )
      ).flat().length;
    const states = async () => (await h.store.listSyncStates(TENANT)).map((s) => s.version).join();
    const [traceCount, versions] = [await traces(), await states()];
    expect((await resyncAll(h)).pbxReads).toBe(0);
    expect(await traces()).toBe(traceCount);
    expect(await states()).toBe(versions);
  });

  it('a PBX change arriving through the feed keeps the user vouched for and right in Teams', async () => {
    h = await harness({ users: 3, options: FEED });
    await h.service.start();
    await resyncAll(h);
    h.cloudlink.call('pbx-u2', 'connected'); // a call event: no presentity read needed
    await h.settle();
    expect(h.graph.presenceOf('u2')).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    expect((await resyncAll(h)).pbxReads).toBe(0);
    expect(h.graph.presenceOf('u2')).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  it('a subscription CloudLink lost is noticed at the next resync: resubscribed, and every PBX read again', async () => {
    h = await harness({ users: 4, options: FEED });
    await h.service.start();
    await resyncAll(h);
    await pbxActivity(h);
    // CloudLink dropped our subscription; a call meanwhile reached nobody.
    h.cloudlink.liveSubscriptions.clear();
    h.cloudlink.onChange = () => undefined;
    h.cloudlink.set('pbx-u3', { dnd: true, statusText: 'Lunch' });

    const repaired = await resyncAll(h);
    expect(repaired.pbxReads).toBe(4);
    // Both topics were lost and both are made again: presence and calls.
    expect(h.cloudlink.subscriptions.map((s) => s.topic)).toEqual([
      'platform-api-presence',
      'platform-api-media',
      'platform-api-presence',
      'platform-api-media',
    ]);
    expect(h.cloudlink.liveSubscriptions.size).toBe(2);
    expect(h.graph.presenceOf('u3')).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    expect((await resyncAll(h)).pbxReads).toBe(4); // the new subscription has not carried an event yet
    h.cloudlink.onChange = (principalId) =>
      void h.service.onPbxEvent({ kind: 'presence', principalId, status: null, at: null });
    await pbxActivity(h);
    expect((await resyncAll(h)).pbxReads).toBe(0);
  });

  it('does not lean on the feed when CloudLink cannot say whether the subscription exists', async () => {
    h = await harness({ users: 4, options: FEED });
    await h.service.start();
    await resyncAll(h);
    await pbxActivity(h);
    h.cloudlink.subscriptionExists = async () => {
      throw new Error('socket hang up');
    };
    expect((await resyncAll(h)).pbxReads).toBe(4);
    expect(h.cloudlink.subscriptions).toHaveLength(2); // one per topic: no second one doubling every event
  });

  it('re-reads a PBX view older than pbxViewMaxAgeMs even while the feed is live', async () => {
    h = await harness({ users: 4, options: { ...FEED, pbxViewMaxAgeMs: 2 * HOUR } });
    await h.service.start();
    await resyncAll(h);
    await h.clock.advance(HOUR);
    await pbxActivity(h);
    expect((await resyncAll(h)).pbxReads).toBe(0);
    await h.clock.advance(HOUR + MIN);
    await pbxActivity(h);
    expect((await resyncAll(h)).pbxReads).toBe(3); // u1's view is fresh from its own event
  });

  it('a feed nothing has come through lately is not leaned on (its posts may have stopped reaching us)', async () => {
    h = await harness({ users: 4, options: { ...FEED, pbxFeedQuietLimitMs: 30 * MIN } });
    await h.service.start();
    await resyncAll(h);
    expect((await resyncAll(h)).pbxReads).toBe(4); // subscribed, but no event has arrived yet
    await pbxActivity(h);
    expect((await resyncAll(h)).pbxReads).toBe(0);
    await h.clock.advance(31 * MIN);
    expect((await resyncAll(h)).pbxReads).toBe(4);
  });

  it('the admin can ask for every PBX to be read regardless of the feed', async () => {
    h = await harness({ users: 4, options: FEED });
    await h.service.start();
    await resyncAll(h);
    await pbxActivity(h);
    expect((await resyncAll(h)).pbxReads).toBe(0);
    expect((await resyncAll(h, { readEveryPbx: true })).pbxReads).toBe(4);
  });

  it('after a restart nothing is vouched for: the first resync reads every PBX, a minute after start', async () => {
    h = await harness({ users: 5, options: { ...FEED, resyncIntervalMs: HOUR } });
    await h.service.start();
    await h.clock.advance(MIN + 1000);
    await h.settle();
    const afterFirst = h.cloudlink.presenceReads.length;
    expect(afterFirst).toBeGreaterThanOrEqual(5);

    await h.restart();
    const beforeRestartResync = h.cloudlink.presenceReads.length;
    await h.clock.advance(MIN + 1000);
    await h.settle();
    expect(h.cloudlink.presenceReads.length - beforeRestartResync).toBe(5);
    // The old process's subscriptions were removed on stop; one live subscription per topic remains.
    expect(h.cloudlink.liveSubscriptions.size).toBe(2);
  });

  it('without a CloudLink webhook URL there is no feed, and every resync reads every PBX', async () => {
    h = await harness({ users: 3 });
    await h.service.start();
    expect((await resyncAll(h)).pbxReads).toBe(3);
    expect((await resyncAll(h)).pbxReads).toBe(3);
  });

  it('reads one slice of the vouched-for users per resync, so every PBX is verified within four resyncs', async () => {
    h = await harness({ users: 400, options: { ...FEED, pbxVerifySlices: 4 } });
    await h.service.start();
    expect((await resyncAll(h)).pbxReads).toBe(400); // after a start nothing is vouched for
    await pbxActivity(h);
    // A forged or lost event left u7's PBX view wrong while the feed stays live: the PBX really has DND on.
    h.cloudlink.presence.set('pbx-u7', { dnd: true, statusText: 'Out to lunch' });
    const read = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const before = h.cloudlink.presenceReads.length;
      const r = await resyncAll(h);
      // Each round reads about a quarter of the users (a hash spreads them), never all and never none.
      expect(r.pbxReads).toBeGreaterThan(60);
      expect(r.pbxReads).toBeLessThan(140);
      for (const p of h.cloudlink.presenceReads.slice(before)) read.set(p, (read.get(p) ?? 0) + 1);
    }
    // Over four rounds every user was read exactly once.
    expect(read.size).toBe(400);
    expect(new Set(read.values())).toEqual(new Set([1]));
    const status = await h.service.statusOf('u7');
    expect(status.pbx).toMatchObject({ dnd: true, statusText: 'Out to lunch' });
  });
});

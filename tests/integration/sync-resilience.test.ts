import { readGraphPost, type GraphNotification } from '../../shared/sync';
import { startRunningSyncWorld, startSyncWorld, type SyncWorld } from './sync-harness';
import { monitorProblemFromStore } from '../../shared/sync/monitor-problem';

/** The items of a delivered Graph post, read as the webhook route reads them. */
function itemsOf(body: unknown): GraphNotification[] {
  const post = readGraphPost({}, body);
  if (post.kind !== 'notifications') throw new Error(`not a notification post: ${post.kind}`);
  return post.items;
}

/** Limits, faults, subscriptions, polling, restart and resync, end to end against the emulators. */
jest.setTimeout(30_000);
const MIN = 60_000;
const busy = { availability: 'Busy', activity: 'InACall' };

describe('sync resilience against the emulators', () => {
  let w: SyncWorld;
  afterEach(async () => w?.close());

  async function world(users = 3, extra: Parameters<typeof startSyncWorld>[0] = {}) {
    w = await startRunningSyncWorld({ users, ...extra });
    return w;
  }
  const presence = (i: number) => w.emulators.graph.control.presence(w.people[i].id);
  const pbxOf = (i: number) => w.emulators.cloudlink.pbx.presentity(w.pbxIds[i]);

  it('a manual Teams status wins: our call session never overrides it and is never fought', async () => {
    await world();
    w.emulators.graph.control.setManualStatus(w.people[0].id, 'Available', 'Available');
    const call = w.emulators.cloudlink.pbx.placeCall('+4930111', w.pbxIds[0]);
    await w.eventually(() =>
      expect(
        w.emulators.graph.control
          .sessions(w.people[0].id)
          .some((s) => s.kind === 'app' && s.activity === 'InACall'),
      ).toBe(true),
    );
    await w.clock.advance(MIN, 1000);
    expect(presence(0).availability).toBe('Available');
    const writes = w.emulators.graph.control.requests().filter((r) => r.path.includes('setPresence')).length;
    await w.clock.advance(20 * MIN, MIN);
    expect(w.emulators.graph.control.requests().filter((r) => r.path.includes('setPresence')).length).toBe(
      writes,
    );
    expect(w.emulators.graph.control.preferred(w.people[0].id)).toMatchObject({ availability: 'Available' });
    expect(pbxOf(0).status).not.toBe('dnd');
    w.emulators.cloudlink.pbx.hangUp(call.callId);
  });

  it('the user setting Teams DND while our Busy write is in flight is carried to the PBX', async () => {
    await world();
    w.emulators.graph.control.setFaults({ latencyMs: 150 });
    w.emulators.cloudlink.pbx.placeCall('+4930222', w.pbxIds[1]);
    await new Promise((r) => setTimeout(r, 60)); // our setPresence is on the wire now
    w.emulators.graph.control.setManualStatus(w.people[1].id, 'DoNotDisturb', 'DoNotDisturb');
    await w.eventually(() =>
      expect(pbxOf(1)).toMatchObject({ status: 'dnd', reason: 'Do not disturb in Teams' }),
    );
    w.emulators.graph.control.resetFaults();
  });

  it('429 storm: nothing dropped, every final state right, Retry-After obeyed', async () => {
    await world(30);
    w.emulators.graph.control.setThrottleLimit({ requests: 10, windowMs: 30_000 });
    const calls = w.pbxIds.map((id) => w.emulators.cloudlink.pbx.placeCall('+4930333', id));
    await w.clock.advance(5000, 100);
    const throttled = w.emulators.graph.control.requests().filter((r) => r.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    w.emulators.graph.control.setThrottleLimit({ requests: 1500, windowMs: 30_000 });
    for (const c of calls.slice(0, 10)) w.emulators.cloudlink.pbx.hangUp(c.callId);
    await w.eventually(async () => {
      await w.clock.advance(30_000, 1000);
      for (let i = 0; i < 30; i++)
        expect(presence(i)).toMatchObject(i < 10 ? { availability: 'Available' } : busy);
    }, 20_000);
    expect(w.service.health().throttledWaitsLastHour).toBeGreaterThan(0);
  }, 40_000);

  it('5xx from Graph: the write is retried until it lands', async () => {
    await world();
    w.emulators.graph.control.setFaults({ failNext: { count: 3, status: 503 } });
    w.emulators.cloudlink.pbx.placeCall('+4930444', w.pbxIds[2]);
    await w.eventually(async () => {
      await w.clock.advance(2000, 200);
      expect(presence(2)).toMatchObject(busy);
    });
  });

  it('subscription renewed before 60 minutes for hours; recreated after it expired; reauthorized on request', async () => {
    await world();
    const first = w.emulators.graph.control.subscriptions()[0];
    // Three simulated hours a minute at a time, each with a moment of real time for HTTP round trips to land: on busy
    // cores a renewal due ten simulated minutes before expiry must not lose the race against the simulated clock.
    for (let minute = 0; minute < 180; minute++) {
      await w.clock.advance(MIN, MIN);
      await new Promise((r) => setTimeout(r, 3));
    }
    const [now] = w.emulators.graph.control.subscriptions();
    expect(now.id).toBe(first.id);
    expect(Date.parse(now.expirationDateTime)).toBeGreaterThan(w.clock.now());
    // Revoked access: Graph pauses notifications and asks for reauthorization.
    await w.emulators.graph.control.triggerLifecycle(now.id, 'reauthorizationRequired');
    await w.eventually(() => expect(w.emulators.graph.control.subscriptions()[0].paused).toBe(false));
    w.emulators.graph.control.teams(w.people[0].id, 'startCall');
    await w.eventually(() => expect(pbxOf(0)).toMatchObject({ status: 'dnd', reason: 'In a Teams call' }));
    // Gone on Graph's side (e.g. we were down past expiry): the next renewal gets 404 and recreates it.
    await w.emulators.graph.control.triggerLifecycle(now.id, 'subscriptionRemoved');
    await w.eventually(() => {
      const subs = w.emulators.graph.control.subscriptions();
      expect(subs).toHaveLength(1);
      expect(subs[0].id).not.toBe(first.id);
    });
    w.emulators.graph.control.teams(w.people[0].id, 'endCall');
    await w.eventually(() => expect(pbxOf(0).status).toBe('available'));
  }, 30_000);

  it('a subscriptionRemoved handled while a reconcile runs ends with one live subscription, the one recorded', async () => {
    await world();
    const [before] = w.emulators.graph.control.subscriptions();
    // Graph drops the subscription and says so; at the same moment "Sync all" reconciles the monitors.
    const lifecycle = w.emulators.graph.control.triggerLifecycle(before.id, 'subscriptionRemoved');
    const refresh = w.run(w.service.refreshUsers());
    await Promise.all([lifecycle, refresh]);
    await w.eventually(async () => {
      const subs = w.emulators.graph.control.subscriptions();
      expect(subs).toHaveLength(1);
      expect(subs[0]!.id).not.toBe(before.id);
      const [m] = await w.store.listMonitors(w.tenant.id);
      expect(m).toMatchObject({ state: 'active', subscriptionId: subs[0]!.id, lastError: null });
    });
    w.emulators.graph.control.teams(w.people[1].id, 'startCall');
    await w.eventually(() => expect(pbxOf(1)).toMatchObject({ status: 'dnd', reason: 'In a Teams call' }));
  }, 30_000);

  it('a second subscription for the same monitor gets 409, which the admin sees in words', async () => {
    w = await startSyncWorld({ users: 2 });
    await w.service.refreshUsers();
    await w.service.start();
    // Another installation (or a lost record) already holds this monitor's presence subscription.
    const [m] = await w.store.listMonitors(w.tenant.id);
    await w.store.putMonitor({ ...m, subscriptionId: null, subscriptionExpiresAt: null, state: 'new' });
    await w.restart();
    const [after] = await w.store.listMonitors(w.tenant.id);
    expect(after.state).toBe('failed');
    expect(monitorProblemFromStore(after.lastError)?.english).toMatch(
      /already holds a presence subscription/,
    );
  });

  it('slow acknowledgements: the handlers answer at once, so Graph never marks the endpoint slow', async () => {
    await world();
    for (let i = 0; i < 20; i++) {
      w.emulators.graph.control.teams(w.people[0].id, i % 2 ? 'endCall' : 'startCall');
      await w.clock.advance(200, 100);
    }
    await w.eventually(() =>
      expect(
        w.emulators.graph.control.deliveries().filter((d) => d.kind === 'change').length,
      ).toBeGreaterThanOrEqual(20),
    );
    const outcomes = new Set(w.emulators.graph.control.deliveries().map((d) => d.outcome));
    expect([...outcomes]).toEqual(['acknowledged']);
  });

  it('a delivery we failed is retried by Graph and still carried exactly once', async () => {
    await world();
    w.emulators.graph.control.configureDelivery({ retryBaseMs: 50 });
    w.failGraphDeliveries = 1;
    w.emulators.graph.control.teams(w.people[2].id, 'joinMeeting');
    await w.eventually(() => expect(pbxOf(2)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }));
    const outcomes = w.emulators.graph.control.deliveries().map((d) => d.outcome);
    expect(outcomes).toContain('failed');
    const dndPuts = w.emulators.cloudlink.control.calls.filter(
      (c) => c.method === 'PUT' && c.path.includes('presentities'),
    );
    expect(dndPuts).toHaveLength(1);
  });

  it('down past the subscription lifetime: on restart the expired subscription is recreated and works', async () => {
    await world();
    const [first] = w.emulators.graph.control.subscriptions();
    await w.service.stop();
    await w.clock.advance(2 * 60 * MIN, MIN);
    expect(w.emulators.graph.control.subscriptions()).toEqual([]); // Graph deleted it on expiry
    await w.restart();
    await w.eventually(() => expect(w.emulators.graph.control.subscriptions()).toHaveLength(1));
    expect(w.emulators.graph.control.subscriptions()[0].id).not.toBe(first.id);
    w.emulators.graph.control.teams(w.people[1].id, 'startCall');
    await w.eventually(() => expect(pbxOf(1)).toMatchObject({ status: 'dnd', reason: 'In a Teams call' }));
  });

  it('duplicated and reordered notifications change nothing (sequenceNumber)', async () => {
    await world();
    w.emulators.graph.control.teams(w.people[0].id, 'startCall');
    await w.eventually(() => expect(pbxOf(0).status).toBe('dnd'));
    const [sub] = w.emulators.graph.control.subscriptions();
    const old = w.emulators.graph.control.deliveries().find((d) => d.kind === 'change')?.body;
    const dndWrites = () =>
      w.emulators.cloudlink.control.calls.filter((c) => c.method === 'PUT' && c.path.includes('presentities'))
        .length;
    const before = dndWrites();
    // A duplicate and a late delivery of the first notification.
    for (let i = 0; i < 3; i++)
      expect((await w.service.receiveGraphNotifications(itemsOf(old))).status).toBe(202);
    await w.clock.advance(2000, 100);
    expect(dndWrites()).toBe(before);
    expect(sub).toBeDefined();
  });

  it('polling mode: Teams changes reach the PBX with no subscription at all', async () => {
    await world(3, { mode: 'polling', options: { pollIntervalMs: 5000 } });
    expect(w.emulators.graph.control.subscriptions()).toEqual([]);
    w.emulators.graph.control.setManualStatus(w.people[2].id, 'DoNotDisturb', 'DoNotDisturb');
    await w.eventually(async () => {
      await w.clock.advance(1000, 500);
      expect(pbxOf(2)).toMatchObject({ status: 'dnd', reason: 'Do not disturb in Teams' });
    });
  });

  it('restart: a call that ended while we were down is cleared; changes meanwhile are caught up', async () => {
    await world();
    const call = w.emulators.cloudlink.pbx.placeCall('+4930555', w.pbxIds[0]);
    await w.eventually(() => expect(presence(0)).toMatchObject(busy));
    await w.service.stop();
    w.emulators.cloudlink.pbx.hangUp(call.callId);
    w.emulators.graph.control.setManualStatus(w.people[1].id, 'DoNotDisturb', 'DoNotDisturb');
    await w.clock.advance(MIN, 1000);
    await w.restart();
    await w.eventually(() => expect(presence(0).activity).not.toBe('InACall'));
    await w.eventually(() => expect(pbxOf(1).status).toBe('dnd'));
  });

  it('resync all repairs drift and reports progress; mapping and selection edits apply', async () => {
    await world(5);
    w.selection = { ...w.selection, blockList: [w.people[4].userPrincipalName] };
    w.mapping = {
      ...w.mapping,
      pbxToTeams: w.mapping.pbxToTeams.map((r) => (r.pbxState === 'dnd' ? { ...r, teams: null } : r)),
    };
    await w.service.refreshUsers();
    // Calls reach us as call events (nothing can read a call start back: CloudLink lists no active calls).
    const calls = [0, 4].map((i) => w.emulators.cloudlink.pbx.placeCall('+4930666', w.pbxIds[i]));
    await w.eventually(() => expect(presence(0)).toMatchObject(busy));
    // Drift: CloudLink's presence webhook for this DND never reaches us.
    w.dropCloudLinkWebhooks = true;
    w.emulators.cloudlink.pbx.setDnd(w.pbxIds[3], true, 'Lunch');
    const progress: number[] = [];
    const result = await w.run(w.service.resyncAll((p) => progress.push(p.done)));
    expect(result).toMatchObject({ done: 4, total: 4 });
    expect(progress.at(-1)).toBe(4);
    // The resync read the DND back; a presence read never ends the call (presence says nothing of calls).
    expect((await w.service.statusOf(w.people[3].id)).pbx).toMatchObject({ dnd: true, statusText: 'Lunch' });
    await w.clock.advance(2000, 100);
    expect(presence(0)).toMatchObject(busy);
    await w.clock.advance(2000, 100);
    expect(presence(4).activity).not.toBe('InACall'); // blocked user
    expect(presence(3).availability).not.toBe('DoNotDisturb'); // admin chose not to show PBX DND
    calls.forEach((c) => w.emulators.cloudlink.pbx.hangUp(c.callId));
  });

  it('a resync leans on the live PBX feed, and notices when CloudLink has lost the subscription', async () => {
    // The feed alone (the rotating verification slice, tested in sync-pbx-feed, would add reads).
    await world(3, { options: { pbxVerifySlices: 0 } });
    const pbx = w.emulators.cloudlink.pbx;
    const presenceReads = () =>
      w.emulators.cloudlink.control.calls.filter(
        (c) => c.method === 'GET' && c.path.includes('/presentities/'),
      ).length;
    expect((await w.run(w.service.resyncAll())).pbxReads).toBe(3);

    // A call reaches us as a webhook: the next resync has no PBX to read.
    const call = pbx.placeCall('+4930777', w.pbxIds[1]);
    await w.eventually(() => expect(presence(1)).toMatchObject(busy));
    const before = presenceReads();
    expect((await w.run(w.service.resyncAll())).pbxReads).toBe(0);
    expect(presenceReads()).toBe(before);

    // CloudLink forgets our subscriptions (presence and calls); a DND set on the phone meanwhile reaches nobody.
    expect(w.emulators.cloudlink.control.loseSubscriptions(w.accountId)).toBe(2);
    pbx.setDnd(w.pbxIds[2], true, 'Lunch');
    await w.clock.advance(2000, 100);
    expect(presence(2).availability).not.toBe('DoNotDisturb');
    expect((await w.run(w.service.resyncAll())).pbxReads).toBe(3);
    await w.eventually(() => expect(presence(2).availability).toBe('DoNotDisturb'));

    // The new subscription carries events again.
    pbx.hangUp(call.callId);
    await w.eventually(() => expect(presence(1).activity).not.toBe('InACall'));
  });
});

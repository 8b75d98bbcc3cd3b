import { GraphError } from '../../shared/ports/graph';
import { adminChangedMonitor, type MonitorRecord } from '../../shared/ports/store';
import { storedFormOf } from '../../shared/sync/client-state';
import { VirtualClock } from '../support/virtual-clock';
import { RateLimiter } from '../../shared/sync/rate-limiter';
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import { acceptCloudLinkPost, readGraphPost } from '../../shared/sync/webhooks';
import { userIdOf } from '../../shared/sync';
import { EntraError } from '../../shared/adapters/entra/entra-error';
import { seedMonitors } from '../support/sync-setup';
import { harness, TENANT, type Harness } from './sync-harness';
import { monitorProblemFromStore } from '../../shared/sync/monitor-problem';

const MIN = 60_000;

/** One full resync, with simulated time running while it waits on its reads. */
async function resyncOnce(h: Harness): Promise<void> {
  const run = h.service.resyncAll();
  for (let i = 0; i < 20; i++) await h.clock.advance(50, 10);
  await run;
}

describe('rate limiter', () => {
  it('never lets more than 1,500 presence calls through in any 30 s window at 50/s', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, 50);
    const times: number[] = [];
    const all = Array.from({ length: 4000 }, () => limiter.acquire().then(() => times.push(clock.now())));
    await clock.advance(90_000, 100);
    await Promise.all(all);
    expect(times).toHaveLength(4000);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 30_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(1505);
    expect(worst).toBeGreaterThan(1400); // and it does not waste the budget either
  });

  it('serves waiting callers in arrival order', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, 10);
    const order: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) => limiter.acquire().then(() => order.push(i)));
    await clock.advance(2000, 50);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a Retry-After pauses every caller until it has passed', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, 50);
    limiter.pauseFor(10_000);
    let at = 0;
    const p = limiter.acquire().then(() => (at = clock.now()));
    const start = clock.now();
    await clock.advance(12_000, 500);
    await p;
    expect(at - start).toBeGreaterThanOrEqual(10_000);
  });
});

describe('webhook handlers', () => {
  it('reads the validation handshake as the token to echo, whatever the body', () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1';
    expect(readGraphPost({ validationToken: token }, undefined)).toEqual({
      kind: 'handshake',
      validationToken: token,
    });
    expect(readGraphPost({ validationToken: [token, 'second'] }, { value: [] })).toEqual({
      kind: 'handshake',
      validationToken: token,
    });
  });

  it('reads well-formed notification items, leaves out the rest, and refuses a post with none', () => {
    const item = { subscriptionId: 's', clientState: 'c', tenantId: 't', extra: { kept: true } };
    expect(readGraphPost({}, { value: [item, {}, { subscriptionId: 7 }, 'x'] })).toEqual({
      kind: 'notifications',
      items: [item],
    });
    // A field the sync reads, of the wrong type, leaves the item out rather than reaching the engine.
    expect(readGraphPost({}, { value: [{ subscriptionId: 's', clientState: 3 }] })).toEqual({
      kind: 'refused',
      problem: 'no notifications',
    });
    expect(readGraphPost({}, { nope: 1 })).toEqual({
      kind: 'refused',
      problem: 'expected a notification collection',
    });
    expect(readGraphPost({}, { value: [{}] })).toMatchObject({ kind: 'refused' });
    expect(readGraphPost({}, undefined)).toMatchObject({ kind: 'refused' });
  });

  it('CloudLink posts need our key, and are read only then', () => {
    const accept = jest.fn();
    const read = jest.fn(readCloudLinkWebhook);
    const body = {
      topic: 'platform-api-presence',
      method: 'PUT',
      subject: '/presentities/p%201',
      content: { status: 'dnd', reason: 'Lunch', updatedOn: '2026-12-02T09:00:00.000Z' },
    };
    const handle = (key: string) => acceptCloudLinkPost({ key, body }, 'secret', read, accept);
    expect(handle('wrong')).toEqual({ status: 401, problem: 'unknown webhook key' });
    expect(handle('').status).toBe(401);
    expect(read).not.toHaveBeenCalled();
    expect(accept).not.toHaveBeenCalled();
    const event = {
      kind: 'presence',
      principalId: 'p 1',
      status: { dnd: true, statusText: 'Lunch' },
      at: Date.parse('2026-12-02T09:00:00.000Z'),
    };
    expect(handle('secret')).toEqual({ status: 202, event });
    expect(accept).toHaveBeenCalledWith(event);
    // A post of a topic the sync does not follow is taken (the feed lives) without an event.
    accept.mockClear();
    const other = { ...body, topic: 'platform-api-other' };
    const answer = acceptCloudLinkPost({ key: 'secret', body: other }, 'secret', read, accept);
    expect(answer.status).toBe(202);
    expect(answer.event).toBeUndefined();
    expect(accept).toHaveBeenCalledWith(null);
  });

  it('refuses a CloudLink subject with a malformed % escape instead of passing it on', () => {
    const accept = jest.fn();
    const subject = '/presentities/%E0%A4%A';
    const body = { topic: 'platform-api-presence', method: 'PUT', subject, content: {} };
    const r = acceptCloudLinkPost({ key: 'secret', body }, 'secret', readCloudLinkWebhook, accept);
    expect(r.status).toBe(400);
    expect(accept).not.toHaveBeenCalled();
  });

  it('echoes at most 1024 characters of a validation token', () => {
    const echo = (token: string) => readGraphPost({ validationToken: token }, '');
    expect(echo('v'.repeat(1024))).toEqual({ kind: 'handshake', validationToken: 'v'.repeat(1024) });
    expect(echo('v'.repeat(1025))).toEqual({ kind: 'refused', problem: 'validationToken too long' });
  });

  it('finds the user a notification names', () => {
    expect(userIdOf({ subscriptionId: 's', resource: "communications/presences('abc')" })).toBe('abc');
    expect(userIdOf({ subscriptionId: 's', resource: '/communications/presences/abc' })).toBe('abc');
    expect(userIdOf({ subscriptionId: 's', resourceData: { id: 'xyz' } })).toBe('xyz');
  });
});

describe('presence monitors', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('subscribes the watched users, renews before 60 minutes, and keeps notifications flowing for hours', async () => {
    h = await harness({ users: 3 });
    await h.service.start();
    expect(h.subs.log).toEqual(['create monitor1@contoso.com']);
    const [sub] = [...h.subs.live.values()];
    expect(sub.request.userIds.sort()).toEqual(['u1', 'u2', 'u3']);
    expect(Date.parse(sub.request.expirationDateTime) - h.clock.now()).toBeLessThanOrEqual(60 * MIN);
    await h.clock.advance(4 * 60 * MIN);
    expect(h.subs.log.filter((l) => l.startsWith('renew')).length).toBeGreaterThanOrEqual(4);
    expect(h.subs.live.size).toBe(1);
    h.graph.setOwn('u2', 'Busy', 'InAMeeting');
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u2', dnd: true, statusText: 'In a meeting' },
    ]);
    expect(h.service.health().subscriptions).toEqual({ active: 1 });
    expect(h.service.monitorsNeeded()).toBe(1);
  });

  it('recreates a subscription Graph lost (404 on renew) and reads the users it may have missed', async () => {
    h = await harness();
    await h.service.start();
    h.subs.live.clear(); // expired and deleted on Graph's side
    h.cloudlink.onChange = () => undefined;
    h.graph.onChange = () => undefined; // meanwhile changes happen unseen
    h.graph.setOwn('u1', 'DoNotDisturb', 'DoNotDisturb');
    await h.clock.advance(60 * MIN);
    await h.settle();
    expect(h.subs.log).toEqual([
      'create monitor1@contoso.com',
      'renew monitor1@contoso.com',
      'delete monitor1@contoso.com',
      'create monitor1@contoso.com',
    ]);
    expect(h.subs.live.size).toBe(1);
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u1', dnd: true, statusText: 'Do not disturb in Teams' },
    ]);
  });

  it('a 409 (the account already holds a subscription) is explained to the admin and retried later', async () => {
    h = await harness();
    h.subs.failures = [new GraphError(409, 'Conflict', 'one subscription per user')];
    await h.service.start();
    const [m] = await h.store.listMonitors('11111111-1111-1111-1111-111111111111');
    expect(m.state).toBe('failed');
    expect(monitorProblemFromStore(m.lastError)?.english).toMatch(/already holds a presence subscription/);
    await h.clock.advance(6 * MIN);
    const [again] = await h.store.listMonitors('11111111-1111-1111-1111-111111111111');
    expect(again.state).toBe('active');
  });

  it('the periodic resync brings back a subscription that failed during a Graph outage, without waiting out the backoff', async () => {
    h = await harness();
    const resync = async () => {
      await resyncOnce(h);
      await h.settle();
    };
    // Graph answers 503 to every create: the retries back off 5, 10, 20, 40, 80 s...
    h.subs.failures = Array.from(
      { length: 100 },
      () => new GraphError(503, 'ServiceUnavailable', 'try later'),
    );
    await h.service.start();
    await h.clock.advance(80_000, 1000);
    await resync(); // during the outage: one more failure
    expect(h.subs.live.size).toBe(0);
    const attempts = h.subs.log.length;
    // Graph is back; the next scheduled attempt is over a minute away. The next resync does not wait for it.
    h.subs.failures = [];
    await resync();
    expect(h.subs.log.length).toBe(attempts + 1);
    expect(h.subs.live.size).toBe(1);
    const [m] = await h.store.listMonitors('11111111-1111-1111-1111-111111111111');
    expect(m).toMatchObject({ state: 'active', lastError: null });
  });

  it('reauthorizes on reauthorizationRequired, and ignores lifecycle events with a wrong clientState', async () => {
    h = await harness();
    await h.service.start();
    const [[id, sub]] = [...h.subs.live.entries()];
    await h.service.onGraphNotifications([
      { subscriptionId: id, clientState: 'forged', lifecycleEvent: 'reauthorizationRequired' },
    ]);
    expect(h.subs.log).not.toContain('reauthorize monitor1@contoso.com');
    const r = await h.service.receiveGraphNotifications([
      {
        subscriptionId: id,
        clientState: sub.request.clientState,
        lifecycleEvent: 'reauthorizationRequired',
      },
    ]);
    expect(r.status).toBe(202);
    await h.settle();
    expect(h.subs.log).toContain('reauthorize monitor1@contoso.com');
  });

  it('change notifications with a wrong clientState are acknowledged but never acted on, and the log says so', async () => {
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = {
      info: () => undefined,
      warn: (obj: object, msg: string) => void warnings.push({ obj: obj as Record<string, unknown>, msg }),
      error: () => undefined,
      debug: () => undefined,
    };
    h = await harness({ log });
    await h.service.start();
    await h.settle();
    const [id] = [...h.subs.live.keys()];
    h.graph.onChange = () => undefined;
    h.graph.setOwn('u1', 'Busy', 'InACall');
    const r = await h.service.receiveGraphNotifications([
      { subscriptionId: id, clientState: 'forged', resource: "communications/presences('u1')" },
    ]);
    expect(r.status).toBe(202);
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([]);
    expect(warnings.map((w) => w.obj)).toContainEqual(
      expect.objectContaining({ event: 'graph.clientStateRefused', refused: 1, subscriptionIds: [id] }),
    );
    expect(JSON.stringify(warnings)).not.toContain('forged');
  });

  it('keeps only a digest of the clientState it gave Graph, and still takes notifications that carry it', async () => {
    h = await harness();
    await h.service.start();
    await h.settle();
    const [[id, sub]] = [...h.subs.live.entries()];
    const [stored] = await h.store.listMonitors('11111111-1111-1111-1111-111111111111');
    expect(stored.clientState).toBe(storedFormOf(sub.request.clientState));
    expect(stored.clientState).not.toContain(sub.request.clientState);
    const post = (clientState: string) =>
      h.service.receiveGraphNotifications([
        { subscriptionId: id, clientState, resource: "communications/presences('u1')" },
      ]);
    h.graph.onChange = () => undefined;
    h.graph.setOwn('u1', 'Busy', 'InACall');
    // The digest, as someone who read the database would post it, is not the secret.
    expect((await post(stored.clientState!)).status).toBe(202);
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([]);
    expect((await post(sub.request.clientState)).status).toBe(202);
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u1', dnd: true, statusText: 'In a Teams call' },
    ]);
  });

  it('a record saved with the clientState in clear still matches, and holds only the digest after its renewal', async () => {
    h = await harness();
    await h.service.start();
    await h.settle();
    const tenant = '11111111-1111-1111-1111-111111111111';
    const [[id, sub]] = [...h.subs.live.entries()];
    const [m] = await h.store.listMonitors(tenant);
    // As an earlier version stored it; the restart loads it so.
    await h.store.putMonitor({ ...m, clientState: sub.request.clientState });
    await h.restart();
    h.graph.onChange = () => undefined;
    h.graph.setOwn('u1', 'Busy', 'InACall');
    const r = await h.service.receiveGraphNotifications([
      {
        subscriptionId: id,
        clientState: sub.request.clientState,
        resource: "communications/presences('u1')",
      },
    ]);
    expect(r.status).toBe(202);
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u1', dnd: true, statusText: 'In a Teams call' },
    ]);
    await h.clock.advance(60 * MIN);
    const [renewed] = await h.store.listMonitors(tenant);
    expect(h.subs.log.filter((l) => l.startsWith('create'))).toHaveLength(1);
    expect(renewed.clientState).toBe(storedFormOf(sub.request.clientState));
  });

  it('signs a spare monitor in and keeps it in reserve; one with a wrong password fails once, not again and again', async () => {
    h = await harness();
    await seedMonitors(h.store, TENANT, [
      { monitorId: 'm2', username: 'spare@contoso.com', passwordSealed: 'sealed' },
      { monitorId: 'm3', username: 'wrong@contoso.com', passwordSealed: 'sealed' },
    ]);
    h.subs.refusedSignIns.set(
      'wrong@contoso.com',
      new EntraError({
        status: 400,
        error: 'invalid_grant',
        aadstsCode: 50126,
        description: 'AADSTS50126: bad',
      }),
    );
    await h.service.start();
    const byId = async () =>
      new Map((await h.store.listMonitors(TENANT)).map((m) => [m.monitorId, m] as const));
    let monitors = await byId();
    expect(monitors.get('m1')).toMatchObject({ state: 'active', userIds: ['u1'] });
    expect(monitors.get('m2')).toMatchObject({ state: 'standby', subscriptionId: null, lastError: null });
    expect(monitors.get('m3')).toMatchObject({ state: 'failed', subscriptionId: null });
    expect(monitors.get('m3')!.lastError).toMatch(/\S/);
    expect(h.subs.log.filter((l) => l.startsWith('signIn')).sort()).toEqual([
      'signIn spare@contoso.com',
      'signIn wrong@contoso.com',
    ]);

    // Hours of resyncs and retry timers leave the spares alone: no sign-in, no subscription.
    h.subs.log.length = 0;
    for (let i = 0; i < 3; i++) {
      await resyncOnce(h);
      await h.clock.advance(60 * MIN);
    }
    await h.settle();
    expect(h.subs.log.filter((l) => !l.includes('monitor1@'))).toEqual([]);
    monitors = await byId();
    expect(monitors.get('m2')!.state).toBe('standby');
    expect(monitors.get('m3')!.state).toBe('failed');
  });

  it('a spare whose sign-in met an Entra outage tries again on its own and ends in reserve', async () => {
    h = await harness();
    await seedMonitors(h.store, TENANT, [
      { monitorId: 'm2', username: 'spare@contoso.com', passwordSealed: 'sealed' },
    ]);
    h.subs.refusedSignIns.set(
      'spare@contoso.com',
      new EntraError({ status: 503, error: 'temporarily_unavailable', description: 'try later' }),
    );
    await h.service.start();
    const spare = async () => (await h.store.listMonitors(TENANT)).find((m) => m.monitorId === 'm2')!;
    expect((await spare()).state).toBe('failed');
    h.subs.refusedSignIns.clear();
    await h.clock.advance(MIN);
    await h.settle();
    expect(await spare()).toMatchObject({ state: 'standby', lastError: null });
    expect(h.subs.log.filter((l) => l === 'signIn spare@contoso.com')).toHaveLength(2);
    expect(h.subs.log.filter((l) => l === 'create spare@contoso.com')).toEqual([]);
  });

  it('a monitor whose password Entra refuses is not signed in again until the admin acts (lockout)', async () => {
    h = await harness();
    h.subs.failures = [
      new EntraError({
        status: 400,
        error: 'invalid_grant',
        aadstsCode: 50126,
        description: 'AADSTS50126: bad',
      }),
    ];
    await h.service.start();
    const [m] = await h.store.listMonitors(TENANT);
    expect(m.state).toBe('failed');
    expect(monitorProblemFromStore(m.lastError)?.english).toMatch(/^sign-in refused: /);
    // Decided by code, so the admin's German tab says it in German.
    expect(monitorProblemFromStore(m.lastError)?.text).toMatchObject({
      code: 'monitor.problemAndFix',
      params: { problem: { code: 'sync.signInRefused' }, fix: { code: 'fix.signIn.accountCredentials' } },
    });
    for (let i = 0; i < 4; i++) {
      await resyncOnce(h);
      await h.clock.advance(60 * MIN);
    }
    await h.settle();
    expect(h.subs.log).toEqual(['create monitor1@contoso.com']);

    // The admin's Authorize (the record set back to 'new', users refreshed) does sign in again.
    const [refused] = await h.store.listMonitors(TENANT);
    await h.store.putMonitor(adminChangedMonitor(refused!, { state: 'new', lastError: null }, h.clock.now()));
    await h.service.refreshUsers();
    await h.settle();
    expect(h.subs.log).toEqual(['create monitor1@contoso.com', 'create monitor1@contoso.com']);
    expect((await h.store.listMonitors(TENANT))[0]!.state).toBe('active');
  });

  describe('an admin change made while a renewal is still running stands', () => {
    /** Starts the sync, then lets the hourly renewal begin and holds Graph's answer until `release` is called. */
    async function renewalInFlight(): Promise<{ release: () => Promise<void>; before: MonitorRecord }> {
      h = await harness();
      await h.service.start();
      const [before] = await h.store.listMonitors(TENANT);
      let answer: () => void = () => undefined;
      h.subs.renewalHeld = new Promise<void>((resolve) => (answer = resolve));
      await h.clock.advance(60 * MIN);
      expect(h.subs.log.at(-1)).toBe('renew monitor1@contoso.com');
      return {
        before: before!,
        release: async () => {
          h.subs.renewalHeld = undefined;
          answer();
          await h.settle();
        },
      };
    }

    it('the new password is kept; the renewal begun with the old one does not write it back', async () => {
      const { release } = await renewalInFlight();
      const [renewing] = await h.store.listMonitors(TENANT);
      const withNewPassword = adminChangedMonitor(
        renewing!,
        { passwordSealed: 'sealed-new', state: 'new', lastError: null },
        h.clock.now(),
      );
      await h.store.putMonitor(withNewPassword);
      await release();
      expect((await h.store.listMonitors(TENANT))[0]).toEqual(withNewPassword);

      // The refresh the admin's change asks for signs the monitor in afresh, from the admin's record.
      await h.service.refreshUsers();
      await h.settle();
      expect((await h.store.listMonitors(TENANT))[0]).toMatchObject({
        passwordSealed: 'sealed-new',
        state: 'active',
        adminVersion: withNewPassword.adminVersion,
      });
    });

    it('a deleted monitor stays deleted when its renewal answers afterwards', async () => {
      const { release } = await renewalInFlight();
      const [renewing] = await h.store.listMonitors(TENANT);
      await h.store.putMonitor(adminChangedMonitor(renewing!, { state: 'deleted' }, h.clock.now()));
      await release();
      expect((await h.store.listMonitors(TENANT))[0]!.state).toBe('deleted');
      await h.service.refreshUsers();
      await h.clock.advance(2 * 60 * MIN);
      expect((await h.store.listMonitors(TENANT))[0]!.state).toBe('deleted');
      // Nothing renews a monitor the admin deleted.
      expect(h.subs.log.filter((l) => l.startsWith('renew'))).toHaveLength(1);
    });
  });

  it('a subscriptionRemoved lifecycle event recreates the subscription', async () => {
    h = await harness();
    await h.service.start();
    const [[id, sub]] = [...h.subs.live.entries()];
    h.subs.live.delete(id);
    await h.service.onGraphNotifications([
      { subscriptionId: id, clientState: sub.request.clientState, lifecycleEvent: 'subscriptionRemoved' },
    ]);
    await h.settle();
    expect(h.subs.live.size).toBe(1);
    expect(h.subs.log.filter((l) => l.startsWith('create'))).toHaveLength(2);
  });
});

describe('a directory read still running when the sync stops', () => {
  let h: Harness;
  afterEach(async () => h.close());

  // Offboarding erases the tenant's rows once its sync has stopped; a read that ends later must not write them back.
  it('writes neither users nor the directory document afterwards', async () => {
    h = await harness({ users: 2 });
    await h.service.start();
    await h.settle();
    let answer: () => void = () => undefined;
    h.cloudlink.userListHeld = new Promise<void>((resolve) => (answer = resolve));
    // A new hire on both sides, whom this read would pair and store.
    h.graph.addUser('u3');
    h.cloudlink.add('pbx-u3');
    const reading = h.service.refreshUsers();
    await h.settle();
    await h.service.stop();
    const [usersAtStop, documentAtStop] = await Promise.all([
      h.store.listUsers(TENANT),
      h.store.getDirectoryState(TENANT),
    ]);
    answer();
    await expect(reading).rejects.toThrow(/sync stopped/);
    expect(await h.store.listUsers(TENANT)).toEqual(usersAtStop);
    expect(await h.store.getDirectoryState(TENANT)).toEqual(documentAtStop);
    expect(usersAtStop.map((u) => u.entraUserId)).not.toContain('u3');
  });
});

describe('polling mode', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('reads everyone in 650-id batches at the interval and carries Teams changes', async () => {
    h = await harness({ users: 700, mode: 'polling' });
    await h.service.start();
    await h.clock.advance(5000, 500);
    h.graph.setOwn('u650', 'DoNotDisturb', 'DoNotDisturb');
    await h.clock.advance(5000, 500);
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u650', dnd: true, statusText: 'Do not disturb in Teams' },
    ]);
    const polls = h.graph.calls.filter((c) => c.op === 'getPresencesByUserId');
    expect(polls.every((c) => (c.ids ?? 0) <= 650)).toBe(true);
    expect(h.subs.log).toEqual([]); // no subscriptions in polling mode
  });

  it('slows down under throttling and recovers after', async () => {
    h = await harness({ users: 1, mode: 'polling' });
    await h.service.start();
    await h.clock.advance(20_000, 1000);
    const calm = h.graph.calls.length;
    h.graph.readFailures = Array.from(
      { length: 4 },
      () => new GraphError(429, 'TooManyRequests', 'throttled', undefined, 1000),
    );
    await h.clock.advance(60_000, 1000);
    const throttledRounds = h.graph.calls.length - calm;
    expect(throttledRounds).toBeLessThan(12); // 60 s at a fixed 5 s would be 12 rounds
    await h.clock.advance(120_000, 1000);
    const before = h.graph.calls.length;
    await h.clock.advance(60_000, 1000);
    expect(h.graph.calls.length - before).toBeGreaterThanOrEqual(11); // back to every 5 s
  });
});

describe('metrics', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('exposes latency per direction, queue depth, calls by outcome and subscriptions for Prometheus', async () => {
    h = await harness();
    await h.service.start();
    h.budget.graph.outcome({
      op: 'setPresence',
      status: 429,
      durationMs: 5,
      retryAfterMs: 1000,
      attempt: 0,
      willRetry: true,
    });
    h.cloudlink.call('pbx-u1', 'connected');
    await h.clock.advance(2000, 100); // the 429's Retry-After holds every presence call for a second
    await h.settle();
    const text = await h.service.metrics.metrics();
    // Every series carries the tenant's label (one process-wide registry serves every tenant in hosted mode).
    const t = `tenant="${TENANT}"`;
    expect(text).toContain(`switchboard_sync_latency_seconds_count{${t},direction="toTeams"} 1`);
    expect(text).toContain(`switchboard_graph_calls_total{${t},op="setPresence",outcome="429"} 1`);
    expect(text).toContain(`switchboard_sync_queue_depth{${t}} 0`);
    expect(text).toContain(`switchboard_subscriptions{${t},state="active"} 1`);
    expect(text).toMatch(
      new RegExp(`switchboard_cloudlink_calls_total\\{${t},op="getPresence",outcome="ok"\\}`),
    );
    const health = h.service.health();
    expect(health.latency.find((l) => l.direction === 'toTeams')?.p99).not.toBeNull();
    expect(health.throttledWaitsLastHour).toBeGreaterThanOrEqual(1);
  });
});

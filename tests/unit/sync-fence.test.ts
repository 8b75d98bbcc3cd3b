/**
 * The ownership fence (issue 12 part A) on simulated time: a process that was frozen past its sync lease sends no
 * write when it wakes, whatever runs first (its own timers or a webhook that waited at its door), and stands down;
 * an owner that renews normally writes on. Two processes share one store and the fakes; each process's writes are
 * counted on its own side of the fence (what would have reached Graph or CloudLink).
 */
import type { CloudLinkPort } from '../../shared/ports/cloudlink';
import type { GraphPort } from '../../shared/ports/graph';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import type { SyncClock } from '../../shared/sync/clock';
import { VirtualClock } from '../support/virtual-clock';
import { FencedWriteError, LeaseFence } from '../../shared/sync/fence';
import { OwnedSyncService } from '../../shared/sync/ownership';
import {
  createSyncService,
  TenantBudget,
  type OwnableSyncService,
  type SyncLog,
  type SyncService,
} from '../../shared/sync';
import { FakeCloudLink, FakeGraph, FakeSubscriptions } from './sync-fakes';
import { TENANT, userRecord } from './sync-harness';

const TTL = 10_000;
const RENEW = 2_500;
const MARGIN = 2_000;

interface Logged {
  level: 'error' | 'warn' | 'info';
  obj: Record<string, unknown>;
  msg: string;
}

/** Records what the process logs; with `timeline`, its events too (`event:<name>`), in order with its writes. */
function recordingLog(into: Logged[], timeline?: string[]): SyncLog {
  const push = (level: Logged['level'], obj: object, msg: string) => {
    into.push({ level, obj: obj as Record<string, unknown>, msg });
    const event = (obj as { event?: unknown }).event;
    if (timeline && typeof event === 'string') timeline.push(`event:${event}`);
  };
  return {
    error: (obj, msg) => push('error', obj, msg),
    warn: (obj, msg) => push('warn', obj, msg),
    info: (obj, msg) => push('info', obj, msg),
  };
}

/** One process's view of simulated time: while frozen (SIGSTOP), timers that come due wait for thaw (SIGCONT). */
function freezableClock(base: VirtualClock): SyncClock & { freeze(): void; thaw(): void } {
  let held: (() => void)[] | null = null;
  const setTimer = (ms: number, fn: () => void) =>
    base.setTimer(ms, () => {
      if (held) held.push(fn);
      else fn();
    });
  return {
    now: () => base.now(),
    setTimer,
    sleep: (ms) => new Promise((resolve) => setTimer(ms, resolve)),
    freeze() {
      held ??= [];
    },
    thaw() {
      const due = held ?? [];
      held = null;
      for (const fn of due) fn();
    },
  };
}

/** The write calls that got past this process's fence, i.e. reached Graph or CloudLink. */
function countingWrites<T extends object>(port: T, ops: string[], into: string[], timeline: string[]): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (ops.includes(String(prop))) {
          into.push(String(prop));
          timeline.push(String(prop));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface Proc {
  name: string;
  clock: ReturnType<typeof freezableClock>;
  service: SyncService;
  writes: string[];
  log: Logged[];
  /** Writes and logged events of this process, in order. */
  timeline: string[];
}

describe('the ownership fence (simulated time, two processes on one store)', () => {
  let clock: VirtualClock;
  let store: Store;
  let graph: FakeGraph;
  let cloudlink: FakeCloudLink;
  const procs: Proc[] = [];

  beforeEach(async () => {
    clock = new VirtualClock();
    store = await openStore('sqlite::memory:');
    graph = new FakeGraph(clock);
    cloudlink = new FakeCloudLink();
    const users = [userRecord(1), userRecord(2)];
    await store.putUsers(users);
    for (const u of users) {
      graph.addUser(u.entraUserId);
      cloudlink.add(u.pbxPrincipalId as string);
    }
  });

  afterEach(async () => {
    for (const p of procs.splice(0)) await p.service.stop();
    await store.close();
  });

  function spawn(name: string, ownStore: Store = store): Proc {
    const time = freezableClock(clock);
    const writes: string[] = [];
    const log: Logged[] = [];
    const timeline: string[] = [];
    const service = createSyncService(
      {
        tenantId: TENANT,
        clientId: '22222222-2222-2222-2222-222222222222',
        mode: 'polling',
        pollIntervalMs: 300_000,
        resyncIntervalMs: 0,
        ownership: { holder: name, ttlMs: TTL, renewEveryMs: RENEW, marginMs: MARGIN },
      },
      {
        budget: new TenantBudget({ tenantId: TENANT, clock: time }),
        graph: countingWrites<GraphPort>(graph, ['setPresence', 'clearPresence'], writes, timeline),
        subscriptions: new FakeSubscriptions(clock),
        cloudlink: countingWrites<CloudLinkPort>(
          cloudlink,
          ['setDnd', 'subscribe', 'unsubscribe'],
          writes,
          timeline,
        ),
        store: ownStore,
        clock: time,
        log: recordingLog(log, timeline),
        monitorCredentials: (username) => ({ username, password: 'pw' }),
      },
    );
    const p = { name, clock: time, service, writes, log, timeline };
    procs.push(p);
    return p;
  }

  /** A PBX presence event (the user's DND changed) as CloudLink posts it, handed to one process. */
  const pbxEvent = (p: Proc, principalId: string) =>
    p.service.onPbxEvent({ kind: 'presence', principalId, status: null, at: null });

  const settle = async () => {
    for (let i = 0; i < 3; i++) await clock.advance(20, 10);
  };
  const ownership = (p: Proc) => p.service.health().syncOwnership?.state;
  const teamsSession = (userId: string) => graph.users.get(userId)?.session?.presence.availability ?? null;

  it('an owner that renews normally writes on, with nothing refused', async () => {
    const a = spawn('a');
    await a.service.start();
    expect(ownership(a)).toBe('owner');
    for (let minute = 0; minute < 3; minute++) {
      cloudlink.presence.set('pbx-u1', { dnd: minute % 2 === 0, statusText: null });
      await pbxEvent(a, 'pbx-u1');
      await clock.advance(60_000, 500); // 24 renewals a minute, each well inside the lease
    }
    expect(ownership(a)).toBe('owner');
    expect(a.writes.filter((w) => w === 'setPresence' || w === 'clearPresence')).toHaveLength(3);
    expect(teamsSession('u1')).toBe('DoNotDisturb');
    expect(a.log.filter((l) => l.obj.event === 'sync.fencedWrite')).toEqual([]);
    expect(
      await a.service.metrics.getSingleMetricAsString('switchboard_sync_fenced_writes_total'),
    ).not.toMatch(/\} [1-9]/);
  });

  it('a frozen owner writes nothing when it wakes, even for a webhook handled before its timers, and stands down', async () => {
    const a = spawn('a');
    const b = spawn('b');
    await a.service.start();
    await b.service.start();
    expect([ownership(a), ownership(b)]).toEqual(['owner', 'standby']);
    await settle();
    const before = a.writes.length;

    a.clock.freeze(); // SIGSTOP: no renewals, no timers
    const frozenAt = clock.now();
    while (ownership(b) !== 'owner') {
      await clock.advance(250, 250);
      if (clock.now() - frozenAt > 20_000) throw new Error('no takeover');
    }
    // The standby tried again the moment the frozen owner's lease ran out: a takeover within the ttl and one retry.
    expect(clock.now() - frozenAt).toBeLessThanOrEqual(TTL + RENEW);
    await clock.advance(5_000, 250); // the frozen one stays frozen a little longer; the new owner renews meanwhile

    // SIGCONT, I/O first: a PBX event that waited at the frozen process's door is handled before any of its timers
    // run (its renewal included), so the engine still believes it owns the tenant and tries to write.
    cloudlink.presence.set('pbx-u1', { dnd: true, statusText: null });
    await pbxEvent(a, 'pbx-u1');
    await a.service.settled();
    a.clock.thaw();
    await settle();

    expect(a.writes.slice(before)).toEqual([]); // zero writes from the fenced owner
    expect(ownership(a)).toBe('standby');
    expect(a.log.filter((l) => l.obj.event === 'sync.fencedWrite')).toHaveLength(1); // logged once
    expect(a.log.some((l) => l.obj.event === 'sync.standDown')).toBe(true);
    expect(await a.service.metrics.getSingleMetricAsString('switchboard_sync_fenced_writes_total')).toMatch(
      /op="setPresence"\} 1/,
    );

    // The change reaches Teams through the owner that took over.
    await pbxEvent(b, 'pbx-u1');
    await settle();
    expect(b.writes).toContain('setPresence');
    expect(teamsSession('u1')).toBe('DoNotDisturb');

    // The stale one does not take the lease back while the new owner renews it.
    await clock.advance(60_000, 500);
    expect([ownership(a), ownership(b)]).toEqual(['standby', 'owner']);
    expect(a.writes.slice(before)).toEqual([]);
  });

  it('a process started after its predecessor crashed waits out the lease with an info line, not an error, then takes over', async () => {
    const a = spawn('a');
    await a.service.start();
    await settle();
    a.clock.freeze(); // kill -9: it never renews again
    await clock.advance(3 * RENEW, 250);
    const b = spawn('b');
    await b.service.start();
    while (ownership(b) !== 'owner') await clock.advance(250, 250);
    const events = b.log.map((l) => `${l.level} ${String(l.obj.event)}`);
    expect(events).toContain('info sync.waitingForLease');
    expect(events).toContain('info sync.takeover');
    expect(events).not.toContain('error sync.standby');
    expect(b.log.filter((l) => l.level === 'error')).toEqual([]);
    const waiting = b.log.find((l) => l.obj.event === 'sync.waitingForLease')!;
    expect(waiting.obj).toMatchObject({ previousHolder: 'a' });
    expect(waiting.obj.silentMs).toBeGreaterThanOrEqual(3 * RENEW);
  });

  it('a second process beside a live owner says once that another process owns the sync', async () => {
    const a = spawn('a');
    await a.service.start();
    const b = spawn('b');
    await b.service.start();
    await clock.advance(2 * TTL, 250);
    expect([ownership(a), ownership(b)]).toEqual(['owner', 'standby']);
    const standby = b.log.filter((l) => l.obj.event === 'sync.standby');
    expect(standby.map((l) => l.level)).toEqual(['error']);
    expect(b.log.some((l) => l.obj.event === 'sync.waitingForLease')).toBe(false);
  });

  it('a frozen owner whose own timers run first stands down before any of them can write', async () => {
    const a = spawn('a');
    await a.service.start();
    // A write waits for its retry (Graph answered 503): it would go out from a timer after the thaw.
    graph.failures.push(new (await import('../../shared/ports/graph')).GraphError(503, 'x', 'busy'));
    cloudlink.presence.set('pbx-u2', { dnd: true, statusText: null });
    await pbxEvent(a, 'pbx-u2');
    expect(teamsSession('u2')).toBeNull(); // refused for now, retry pending
    a.clock.freeze();
    await clock.advance(TTL + 5_000, 500); // nobody else runs: the lease just runs out
    const from = a.timeline.length;
    a.clock.thaw(); // the retry timer and the renewal timer fire now, in their order
    await settle();
    await clock.advance(RENEW * 2, 250);
    await a.service.idle();
    await settle();
    // The old term wrote nothing: its retry was refused and it stood down. Nobody held the lease meanwhile, so
    // the same process took it again as a new term (epoch 2) on a clean slate, and only that term wrote.
    const after = a.timeline.slice(from);
    const newTerm = after.indexOf('event:sync.owner');
    expect(newTerm).toBeGreaterThan(0);
    expect(after.slice(0, newTerm)).toEqual(['event:sync.fencedWrite', 'event:sync.standDown']);
    expect(after.slice(newTerm)).toEqual(expect.arrayContaining(['event:sync.takeover', 'setPresence']));
    expect(a.log.find((l) => l.obj.event === 'sync.owner' && l.obj.epoch === 2)).toBeDefined();
    expect(ownership(a)).toBe('owner');
    expect(teamsSession('u2')).toBe('DoNotDisturb');
  });
});

describe('an owner that lost its store connection', () => {
  it('writes on while its lease holds, stands down when it runs out, and runs again once the store answers', async () => {
    const clock = new VirtualClock();
    const store = await openStore('sqlite::memory:');
    const graph = new FakeGraph(clock);
    const cloudlink = new FakeCloudLink();
    await store.putUsers([userRecord(1)]);
    graph.addUser('u1');
    cloudlink.add('pbx-u1');
    let storeDown = false;
    // The lease calls fail while the database is unreachable (the sync state writes are left alone here).
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          storeDown && (prop === 'acquireLease' || prop === 'getLease')
            ? Promise.reject(new Error('connection terminated unexpectedly'))
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const log: Logged[] = [];
    const service = createSyncService(
      {
        tenantId: TENANT,
        clientId: '22222222-2222-2222-2222-222222222222',
        mode: 'polling',
        pollIntervalMs: 300_000,
        resyncIntervalMs: 0,
        ownership: { holder: 'a', ttlMs: TTL, renewEveryMs: RENEW, marginMs: MARGIN },
      },
      {
        budget: new TenantBudget({ tenantId: TENANT, clock }),
        graph,
        subscriptions: new FakeSubscriptions(clock),
        cloudlink,
        store: flaky,
        clock,
        log: recordingLog(log),
        monitorCredentials: (username) => ({ username, password: 'pw' }),
      },
    );
    const state = () => service.health().syncOwnership?.state;
    const dnd = async (on: boolean) => {
      cloudlink.presence.set('pbx-u1', { dnd: on, statusText: null });
      await service.onPbxEvent({ kind: 'presence', principalId: 'pbx-u1', status: null, at: null });
      await service.idle();
    };
    const session = () => graph.users.get('u1')?.session?.presence.availability ?? null;
    await service.start();
    await clock.advance(1_000, 250);
    storeDown = true;
    const lostAt = clock.now();
    await clock.advance(RENEW * 2, 250); // two renewals failed: the lease still holds on our side
    expect(state()).toBe('owner');
    await dnd(true);
    expect(session()).toBe('DoNotDisturb');
    expect(log.filter((l) => l.obj.event === 'sync.leaseRenewFailed')).toHaveLength(1); // once, not per try
    await clock.advance(TTL - MARGIN - (clock.now() - lostAt) + 250, 250);
    expect(state()).toBe('standby');
    expect(log.find((l) => l.obj.event === 'sync.standDown')?.obj.reason).toBe('expired');
    const writes = graph.writes().length;
    await expect(dnd(false)).rejects.toThrow(/standby/);
    expect(graph.writes()).toHaveLength(writes);
    // The database answers again; nobody else took the tenant: a new term, and the change goes through.
    storeDown = false;
    await clock.advance(RENEW * 2, 250);
    expect(state()).toBe('owner');
    expect(log.filter((l) => l.obj.event === 'sync.owner').map((l) => l.obj.epoch)).toEqual([1, 2]);
    await dnd(false);
    expect(session()).toBeNull();
    await service.stop();
    await store.close();
  });
});

describe('LeaseFence', () => {
  it('is open from a grant until the lease, counted from when the renewal was sent, is within the margin of its end', async () => {
    const clock = new VirtualClock(0);
    const logged: Logged[] = [];
    const fence = new LeaseFence(
      { tenantId: TENANT, ttlMs: TTL, marginMs: MARGIN },
      clock,
      recordingLog(logged),
    );
    let lapses = 0;
    fence.onLapse = () => lapses++;
    expect(fence.open()).toBe(false);
    expect(() => fence.admit('setDnd')).toThrow(FencedWriteError);
    expect(lapses).toBe(0); // never held: nothing to stand down from

    const sentAt = fence.now();
    await clock.advance(3_000); // the store took 3 s to answer
    fence.grant(7, sentAt);
    expect(fence.heldEpoch).toBe(7);
    expect(fence.remainingMs()).toBe(TTL - MARGIN - 3_000);
    expect(() => fence.admit('setPresence')).not.toThrow();
    await clock.advance(TTL - MARGIN - 3_000 - 1);
    expect(fence.open()).toBe(true);
    await clock.advance(1);
    expect(fence.open()).toBe(false);
    expect(() => fence.admit('setPresence')).toThrow(FencedWriteError);
    expect(() => fence.admit('clearPresence')).toThrow(FencedWriteError);
    expect(fence.refusals).toBe(3);
    expect(lapses).toBe(2);
    // One line per lapse, however many writes it refuses.
    expect(logged.filter((l) => l.obj.event === 'sync.fencedWrite')).toHaveLength(2);
  });
});

describe('an owner whose engine fails to start', () => {
  it('tries again with backoff while it owns the tenant, and matches the users once the engine runs', async () => {
    const clock = new VirtualClock();
    const store = await openStore('sqlite::memory:');
    const calls: string[] = [];
    let starts = 0;
    // The engine's start fails twice the way a CloudLink 503 during subscribing fails it, then succeeds.
    const inner = {
      start: async () => {
        calls.push('start');
        if (++starts <= 2) throw new Error('CloudLink answered 503 to subscribe');
      },
      halt: async () => void calls.push('halt'),
      stop: async () => void calls.push('stop'),
      refreshUsers: async () => {
        calls.push('refreshUsers');
        return { matched: 0 };
      },
    } as unknown as OwnableSyncService;
    const log: Logged[] = [];
    const owned = new OwnedSyncService(inner, TENANT, store, clock, recordingLog(log), {
      holder: 'p1',
      ttlMs: TTL,
      renewEveryMs: RENEW,
      marginMs: MARGIN,
    });
    // The first caller hears the first failure; the owner does not give up on it.
    await expect(owned.start()).rejects.toThrow(/503/);
    await clock.advance(60_000, 1000);
    expect(calls).toEqual(['start', 'halt', 'start', 'halt', 'start', 'refreshUsers']);
    expect(log.filter((l) => l.obj.event === 'sync.startFailed')).toHaveLength(2);
    expect(log.filter((l) => l.obj.event === 'sync.started')).toHaveLength(1);
    expect(owned.ownership).toBe('owner');
    await owned.stop();
    await store.close();
  });
});

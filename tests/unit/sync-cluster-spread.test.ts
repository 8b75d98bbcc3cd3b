/**
 * Spreading tenants over processes (issue 16 with issue 12) on simulated time, with the real pieces: each process's
 * ClusterSpread (heartbeat row, bookkeeping) and one OwnedSyncService per tenant (leases, fence, hand-over), all on one
 * store. Only the engine inside is a stub: what is judged is who owns which tenant, and when.
 */
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import type { SyncClock } from '../../shared/sync/clock';
import { ClusterSpread } from '../../shared/sync/cluster-spread';
import type { OwnableSyncService, SyncLog } from '../../shared/sync/contract';
import { OwnedSyncService, SYNC_LEASE } from '../../shared/sync/ownership';
import { VirtualClock } from '../support/virtual-clock';

const TTL = 10_000;
const RENEW = 2_500;
const MARGIN = 2_000;
const TENANTS = Array.from({ length: 10 }, (_, i) => `tenant-${i + 1}`);
const SILENT: SyncLog = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** An engine that starts, halts and stops at once: the ownership around it is what is tested. */
function stubEngine(): OwnableSyncService {
  return new Proxy({} as OwnableSyncService, {
    get: (_target, prop) =>
      prop === 'health' ? () => ({}) : prop === 'then' ? undefined : () => Promise.resolve(undefined),
  });
}

/** One process's view of simulated time: while frozen (SIGSTOP), its due timers wait for thaw (SIGCONT). */
function freezableClock(base: VirtualClock): SyncClock & { freeze(): void; thaw(): void; frozen: boolean } {
  let held: (() => void)[] | null = null;
  const setTimer = (ms: number, fn: () => void) => base.setTimer(ms, () => (held ? held.push(fn) : fn()));
  return {
    now: () => base.now(),
    setTimer,
    sleep: (ms) => new Promise((resolve) => setTimer(ms, resolve)),
    get frozen() {
      return held !== null;
    },
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

interface Proc {
  name: string;
  clock: ReturnType<typeof freezableClock>;
  spread: ClusterSpread;
  services: Map<string, OwnedSyncService>;
}

async function startProcess(name: string, base: VirtualClock, store: Store): Promise<Proc> {
  const clock = freezableClock(base);
  const spread = new ClusterSpread({
    members: store.clusterMembers(),
    leaseName: SYNC_LEASE,
    clock,
    log: SILENT,
    ttlMs: TTL,
    heartbeatEveryMs: RENEW,
    memberId: name,
  });
  await spread.start();
  const services = new Map(
    TENANTS.map((t) => [
      t,
      new OwnedSyncService(stubEngine(), t, store, clock, SILENT, {
        ttlMs: TTL,
        renewEveryMs: RENEW,
        marginMs: MARGIN,
        spread,
      }),
    ]),
  );
  for (const s of services.values()) void s.start();
  return { name, clock, spread, services };
}

/** Tenants each running process owns, and every tenant's owners among them. */
function ownership(procs: Proc[]) {
  const running = procs.filter((p) => !p.clock.frozen);
  const held = new Map(
    running.map((p) => [p.name, TENANTS.filter((t) => p.services.get(t)!.ownership === 'owner')]),
  );
  const ownersOf = (t: string) => running.filter((p) => held.get(p.name)!.includes(t)).map((p) => p.name);
  return {
    counts: running.map((p) => held.get(p.name)!.length),
    unowned: TENANTS.filter((t) => ownersOf(t).length === 0),
    shared: TENANTS.filter((t) => ownersOf(t).length > 1),
    of: (name: string) => held.get(name) ?? [],
  };
}

describe('tenants spread over processes (ClusterSpread with OwnedSyncService, simulated time)', () => {
  let base: VirtualClock;
  let store: Store;
  let procs: Proc[];

  beforeEach(async () => {
    base = new VirtualClock();
    store = await openStore('sqlite::memory:');
    procs = [];
  });

  afterEach(async () => {
    for (const p of procs) {
      p.clock.thaw();
      await Promise.all([...p.services.values()].map((s) => s.stop()));
      await p.spread.stop();
    }
    await store.close();
  });

  it('the first process takes every tenant; two that start later get their share by hand-overs', async () => {
    procs.push(await startProcess('p1', base, store));
    await base.advance(5_000, 100);
    expect(ownership(procs).counts).toEqual([10]);
    procs.push(await startProcess('p2', base, store), await startProcess('p3', base, store));
    await base.advance(60_000, 100);
    const o = ownership(procs);
    expect(o.unowned).toEqual([]);
    expect(o.shared).toEqual([]);
    expect([...o.counts].sort()).toEqual([3, 3, 4]);
  });

  it('the tenants of a process frozen past its lease go to the others within 15 s; awake, it gets its share back', async () => {
    for (const name of ['p1', 'p2', 'p3']) procs.push(await startProcess(name, base, store));
    await base.advance(60_000, 100);
    const frozen = procs[0]!;
    const itsTenants = ownership(procs).of('p1');
    expect(itsTenants.length).toBeGreaterThan(0);
    frozen.clock.freeze();
    await base.advance(15_000, 100);
    const during = ownership(procs);
    expect(during.unowned).toEqual([]);
    expect(during.shared).toEqual([]);
    expect(during.counts.reduce((a, b) => a + b)).toBe(10);

    frozen.clock.thaw();
    await base.advance(100, 100);
    // Awake, its fences are shut: it owns none of the tenants taken from it (they are the others' now).
    expect(
      ownership(procs)
        .of('p1')
        .filter((t) => itsTenants.includes(t)),
    ).toEqual([]);
    await base.advance(60_000, 100);
    const after = ownership(procs);
    expect(after.unowned).toEqual([]);
    expect(after.shared).toEqual([]);
    expect([...after.counts].sort()).toEqual([3, 3, 4]);
  });

  it('a process that stops cleanly releases its tenants and the others take them within a renewal or two', async () => {
    for (const name of ['p1', 'p2', 'p3']) procs.push(await startProcess(name, base, store));
    await base.advance(60_000, 100);
    const leaving = procs.shift()!;
    await Promise.all([...leaving.services.values()].map((s) => s.stop()));
    await leaving.spread.stop();
    await base.advance(2 * RENEW + 200, 100);
    const o = ownership(procs);
    expect(o.unowned).toEqual([]);
    expect(o.shared).toEqual([]);
    expect([...o.counts].sort()).toEqual([5, 5]);
  });
});

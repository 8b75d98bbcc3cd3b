import { engineReady, loseOwner, takeoverMs, type Takeover } from '../../scripts/cluster/failover';
import { startCluster, type Cluster } from '../../scripts/cluster/index';
import { Traffic, type Change, type Mismatch } from '../../scripts/cluster/traffic';
import { unacknowledgedGraphNotifications } from '../../scripts/cluster/graph-deliveries';
import type { MonitorRecord } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { storedFormOf } from '../../shared/sync/client-state';

/**
 * Issue 12 end to end: three real server processes (`node --import tsx bot/main.ts`, live mode) on one PostgreSQL
 * schema of their own, behind the cluster's round-robin proxy (their PUBLIC_BASE_URL, so webhooks land on any of
 * them), against the emulators with the demo company, while PBX calls and Teams calls go on without pause
 * (scripts/cluster/traffic.ts). The owner is killed with SIGKILL; later the new owner is frozen with SIGSTOP until a
 * third process has taken the tenant, and then continued with SIGCONT.
 *
 * One tenant, in single-tenant live mode (TENANT_ID); the issue's "10 tenants" run in hosted mode, spread over the
 * processes: tests/integration/hosted-cluster-failover.test.ts.
 *
 * Which process sent a request to Graph or CloudLink is read from the kernel at the emulators' accept (see
 * scripts/cluster/socket-owner.ts), so "the fenced owner wrote nothing" is checked on what the services received.
 * The scenario runs once (beforeAll); each `it` judges one promise of the issue on what was recorded.
 */

const TAKEOVER_LIMIT_MS = 15_000;
/** Long enough to see today's takeover too, when it is slower than the limit (the assertion then says by how much). */
const TAKEOVER_WAIT_MS = 45_000;
const SETTLE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Observed {
  kill: Takeover;
  freeze: Takeover;
  continuedAt: number;
  mismatches: Mismatch[];
  changes: Change[];
  monitors: MonitorRecord[];
  cloudlinkRecorded: string[];
}

describe('three processes on one PostgreSQL: kill -9 the owner, then freeze the next one past its lease', () => {
  let cluster: Cluster;
  let traffic: Traffic;
  let seen: Observed;

  beforeAll(async () => {
    cluster = await startCluster({ processes: 3, users: 16, callsPerUser: 1 });
    const users = cluster.company.users;
    traffic = new Traffic(cluster.emulators, {
      phoneUsers: users.slice(0, 8),
      teamsUsers: users.slice(8, 16),
      everyMs: 300,
      minDwellMs: 5000,
    });
    await engineReady(cluster);
    traffic.start();
    await sleep(6000);

    const kill = await loseOwner(cluster, 'SIGKILL', TAKEOVER_WAIT_MS);
    // Without a takeover in the wait, the freeze below still needs an owner to freeze: give it longer.
    if (!kill.to)
      await cluster.nextOwner(kill.at, { not: [kill.from], timeoutMs: 60_000 }).catch(() => undefined);
    await sleep(8000);

    // The new owner freezes (a stalled VM, a long pause) for longer than its lease: a third process takes over.
    const freeze = await loseOwner(cluster, 'SIGSTOP', TAKEOVER_WAIT_MS);
    await sleep(2000);
    freeze.from.signal('SIGCONT');
    const continuedAt = Date.now();
    await sleep(8000);

    traffic.stop();
    const until = Date.now() + SETTLE_MS;
    while (traffic.mismatches().length > 0 && Date.now() < until) await sleep(250);
    await cluster.emulators.cloudlink.control.deliveriesIdle();

    const store = await openStore(cluster.storeUrl);
    try {
      const tenantId = cluster.company.tenantId;
      seen = {
        kill,
        freeze,
        continuedAt,
        mismatches: traffic.mismatches(),
        changes: traffic.changes,
        monitors: (await store.listMonitors(tenantId)).filter((m) => m.subscriptionId !== null),
        cloudlinkRecorded: (await store.listCloudLinkSubscriptions(tenantId)).map((s) => s.subscriptionId),
      };
    } finally {
      await store.close();
    }
  }, 300_000);

  afterAll(async () => {
    traffic?.dispose();
    await cluster?.stop();
  }, 60_000);

  it(`hands the tenant to another process within ${TAKEOVER_LIMIT_MS / 1000} s of a kill -9, and again of a freeze`, () => {
    for (const t of [seen.kill, seen.freeze]) {
      expect({ signal: t.signal, tookOver: t.to !== undefined }).toEqual({
        signal: t.signal,
        tookOver: true,
      });
      expect(takeoverMs(cluster, t)).toBeLessThanOrEqual(TAKEOVER_LIMIT_MS);
    }
  });

  it('ends with every user right on both sides', () => {
    // With each wrong user, the writes made for them (who, what, when relative to the kill), to tell a loop from a gap.
    const writes = cluster.outbound.writes();
    const explained = seen.mismatches.map((m) => {
      const user = cluster.company.users.find((u) => u.displayName === m.user)!;
      const theirs = writes.filter((w) => w.path.includes(user.entraId) || w.path.includes(user.principalId));
      const s = (at: number | undefined) =>
        at === undefined ? '-' : `${Math.round((at - seen.kill.at) / 100) / 10} s`;
      return {
        ...m,
        timeline: `kill 0 s, owner ${s(seen.kill.ownerLineAt)}, freeze ${s(seen.freeze.at)}, owner ${s(seen.freeze.ownerLineAt)}, continued ${s(seen.continuedAt)}`,
        writes: theirs
          .slice(-4)
          .map(
            (w) =>
              `${cluster.processOfPid(w.pid)?.name ?? '?'} ${w.method} ${w.path.split('/').pop()} ${w.status} ` +
              `at ${s(w.at)}`,
          ),
      };
    });
    expect(explained).toEqual([]);
  });

  it('gets not one write to Graph or CloudLink from the frozen owner after it was continued', () => {
    const fenced = seen.freeze.from;
    const fencedPid = seen.freeze.fromPid;
    const writes = cluster.outbound.writes();
    // The attribution works: the frozen process did write while it owned the tenant, and every write has a sender.
    expect(writes.some((w) => w.pid === fencedPid && w.at >= seen.kill.at && w.at < seen.freeze.at)).toBe(
      true,
    );
    expect(writes.filter((w) => w.pid === undefined)).toEqual([]);
    const late = writes
      .filter((w) => w.pid === fencedPid && w.at >= seen.continuedAt)
      .map((w) => `${fenced.name} ${w.method} ${w.path} ${w.status} at +${w.at - seen.continuedAt} ms`);
    expect(late).toEqual([]);
  });

  it('leaves exactly the subscriptions the store records: one per monitor at Graph, one per topic at CloudLink', () => {
    const { emulators, company, proxyUrl } = cluster;
    const graph = emulators.graph.control
      .subscriptions()
      .filter((s) => s.notificationUrl.startsWith(proxyUrl));
    // The store keeps the digest of each clientState (shared/sync/client-state.ts), never the secret Graph holds.
    expect(graph.map((s) => ({ id: s.id, clientState: storedFormOf(s.clientState!) })).sort(byId)).toEqual(
      seen.monitors.map((m) => ({ id: m.subscriptionId, clientState: m.clientState })).sort(byId),
    );
    for (const s of graph) expect(JSON.stringify(seen.monitors)).not.toContain(s.clientState!);
    const cloudlink = emulators.cloudlink.control
      .subscriptions(company.cloudlink.accountId)
      .filter((s) => s.deviceId.startsWith(proxyUrl));
    expect(cloudlink.map((s) => s.topic).sort()).toEqual(['platform-api-media', 'platform-api-presence']);
    expect(cloudlink.map((s) => s.subscriptionId).sort()).toEqual([...seen.cloudlinkRecorded].sort());
  });

  it('applies every webhook posted while the owner was dead or frozen, and shows every change made then', () => {
    // From each signal to the next owner's sync.owner line (or, without one, to the next step of the scenario).
    const windows = [
      { from: seen.kill.at, to: seen.kill.ownerLineAt ?? seen.freeze.at },
      { from: seen.freeze.at, to: seen.freeze.ownerLineAt ?? seen.continuedAt },
    ];
    const during = (at: number) => windows.some((w) => at >= w.from && at <= w.to);
    const from = seen.kill.at;
    const { emulators } = cluster;
    const lostCloudLink = emulators.cloudlink.control.deliveries
      .filter((d) => during(Date.parse(d.body.publishedOn)))
      .filter((d) => !d.delivered)
      .map((d) => `${d.body.topic} ${d.body.subject} last status ${d.status} after ${d.attempts} attempts`);
    expect(lostCloudLink).toEqual([]);
    const lostGraph = unacknowledgedGraphNotifications(emulators.graph.control.deliveries())
      .filter((n) => during(n.firstAt))
      .map((n) => `${n.key.slice(0, 100)}: ${n.attempts} attempts, last ${n.lastOutcome}`);
    expect(lostGraph).toEqual([]);
    const neverShown = seen.changes
      .filter((c) => during(c.at) && c.shownAt === undefined && c.replacedAt === undefined)
      .map((c) => `${c.user.displayName} ${c.side} ${c.to} at +${c.at - from} ms`);
    expect(neverShown).toEqual([]);
  });
});

const byId = (a: { id: string | null }, b: { id: string | null }) => String(a.id).localeCompare(String(b.id));

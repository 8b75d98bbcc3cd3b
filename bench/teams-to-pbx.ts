/**
 * Teams → PBX with Graph's real delivery delays (issue 13): the same busy hour in three modes, side by side in one
 * run. The emulators deliver Graph presence notifications as Microsoft documents them (a few seconds typically, a
 * tail to 60 s, 1 in 100 never) and CloudLink webhooks after 0.1–0.5 s; Graph answers after 50 ms.
 */
import { BUSY_HOUR_CALLS_PER_S, CLOUDLINK_RATE, forEachLimited, load, pct, sleep, throttled } from './load';
import { startBenchWorld, type BenchWorld, type TimelineStep } from './world';

/** Users wrong right after the drain are checked again this much later: Graph's budget window is 30 s. */
const RECHECK_AFTER_MS = 35_000;

/** The share of the slowest Teams → PBX changes whose timelines a run reports. */
const TAIL_SHARE = 0.01;
/** How much of a user's timeline before the slow change is shown (a call ending shortly before matters). */
const TIMELINE_BEFORE_MS = 20_000;

/**
 * For the slowest 1% of Teams → PBX changes: the user's timeline around it, in seconds from the Teams change. The
 * bench's own steps (Teams actions with what Graph showed right after, PBX calls), the engine's decisions as the
 * admin sees them (the user's trace in the store) and the writes acknowledged.
 */
/**
 * How long users went without a Teams read during the load (each user's longest gap, as a distribution over users),
 * and the read requests' sizes: a sweep that cannot keep up shows here before it shows in the latencies.
 */
function readGaps(w: BenchWorld, from: number, to: number, sweeps: number[]) {
  const longest: number[] = [];
  for (const p of w.people) {
    const reads = (w.probe.reads.get(p.id) ?? []).filter((at) => at >= from && at <= to);
    let gap = 0;
    let last = from;
    for (const at of reads) {
      gap = Math.max(gap, at - last);
      last = at;
    }
    longest.push(Math.max(gap, to - last));
  }
  const batches = w.probe.readBatches.filter(([at]) => at >= from && at <= to);
  // From one read's answer to the next read's sending: the reader's processing and pauses.
  const pauses = batches.slice(1).map(([at], i) => at - batches[i]![0] - batches[i]![2]);
  const p50p99 = (xs: number[]) => ({ p50: pct(xs, 0.5), p99: pct(xs, 0.99), max: pct(xs, 1) });
  return {
    longestGapPerUserMs: p50p99(longest),
    requestsPerSecond: Number((batches.length / ((to - from) / 1000)).toFixed(1)),
    usersPerRequest: p50p99(batches.map((b) => b[1])),
    requestMs: p50p99(batches.map((b) => b[2])),
    pauseBetweenRequestsMs: p50p99(pauses),
    /** The hybrid reader's pass over everyone, as the health page showed it once a second. */
    sweepMs: p50p99(sweeps),
  };
}

/**
 * Where a slow change spent its time: until a Teams read first showed it (the change's sequenceNumber or a later one),
 * or after that, in the engine until the PBX write. A change no read ever showed before the write was written for a
 * later change of the user (the probe charges the oldest one waiting).
 */
function whereItWaited(own: TimelineStep[], t: { since: number; ms: number }) {
  const change = own.find((e) => e.change !== undefined && Math.abs(e.at - t.since) < 100);
  const seen =
    change && own.find((e) => e.read !== undefined && e.at >= change.at && e.read >= change.change!);
  const writtenAt = t.since + t.ms;
  if (!seen || seen.at > writtenAt)
    return { waited: 'for a later change: no read showed this one', untilReadMs: null };
  const untilReadMs = Math.round(seen.at - t.since);
  return {
    waited:
      untilReadMs >= writtenAt - seen.at
        ? 'for a read that shows it'
        : 'in the engine, after a read showed it',
    untilReadMs,
  };
}

/** A user's steps (the bench's, Graph reads, the engine's trace, writes) between two times, in s from `zero`. */
async function timeline(w: BenchWorld, userId: string, from: number, to: number, zero: number) {
  const trace = (await w.store.listTrace(w.emulators.tenantId, userId, 200)).map((e) => ({
    at: e.at,
    what: `trace: ${e.kind} ${JSON.stringify(e.detail)}`,
  }));
  return [...(w.probe.timeline?.get(userId) ?? []), ...trace]
    .filter((e) => e.at >= from && e.at <= to)
    .sort((a, b) => a.at - b.at)
    .map((e) => `${((e.at - zero) / 1000).toFixed(2)} s  ${e.what}`);
}

async function slowest(w: BenchWorld) {
  const samples = [...w.probe.fromTeamsSamples].sort((a, b) => b.ms - a.ms);
  const tail = samples.slice(0, Math.max(1, Math.ceil(samples.length * TAIL_SHARE)));
  const out = [];
  for (const t of tail) {
    const from = t.since - TIMELINE_BEFORE_MS;
    const to = t.since + t.ms + 2000;
    const own = w.probe.timeline?.get(t.userId) ?? [];
    const steps = await timeline(w, t.userId, from, to, t.since);
    const reads = (w.probe.reads.get(t.userId) ?? []).filter((at) => at >= t.since && at <= t.since + t.ms);
    const gaps = reads.map((at, i) => at - (i === 0 ? t.since : reads[i - 1]!));
    out.push({
      userId: t.userId,
      ms: Math.round(t.ms),
      ...whereItWaited(own, t),
      readsWhileWaiting: reads.length,
      longestGapWithoutReadMs: Math.max(0, ...gaps, t.since + t.ms - (reads.at(-1) ?? t.since)),
      steps,
    });
  }
  return out;
}

const GRAPH_LATENCY_MS = 50;
/** Teams meeting changes a second during the load: enough samples for a p99 in a minute. */
const TEAMS_CHANGES_PER_S = 5;

interface Mode {
  name: string;
  mode: 'notifications' | 'polling' | 'hybrid';
  pollIntervalMs?: number;
}

const MODES: Mode[] = [
  { name: 'notifications only', mode: 'notifications' },
  { name: 'polling only, 5 s (estos-style)', mode: 'polling', pollIntervalMs: 5000 },
  { name: 'hybrid', mode: 'hybrid' },
];

/** The most presence requests in any 30 s, from a per-second series of the running count. */
function busiest30s(counts: number[]): number {
  let most = 0;
  for (let i = 0; i < counts.length; i++) most = Math.max(most, counts[i]! - (counts[i - 30] ?? 0));
  return most;
}

async function run(m: Mode, users: number, callsPerSecond: number, seconds: number) {
  const w: BenchWorld = await startBenchWorld(users, {
    graphLatencyMs: GRAPH_LATENCY_MS,
    notifications: m.mode !== 'polling',
    cloudLinkRate: CLOUDLINK_RATE,
    mode: m.mode,
    pollIntervalMs: m.pollIntervalMs,
    realisticDelivery: true,
    timeline: true,
  });
  try {
    await forEachLimited(w.people, 32, async (p) => void (await w.control.teams(p.id, 'signIn')));
    await w.service.start();
    await sleep(3000); // start-up reads settle
    w.probe.toTeamsMs.length = 0;
    w.probe.fromTeamsMs.length = 0;
    const requestsBefore = w.probe.presenceRequests;
    const counts: number[] = [];
    let peakRss = 0;
    // How long the hybrid reader's pass over everyone took, as the health page shows it (once a second).
    const sweeps: number[] = [];
    const sampler = setInterval(() => {
      const sweep = w.service.health().teamsReads?.intervalMs ?? null;
      if (m.mode === 'hybrid' && sweep !== null) sweeps.push(sweep);
      counts.push(w.probe.presenceRequests - requestsBefore);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 1000);
    const cpuBefore = process.cpuUsage();
    const loadStarted = Date.now();
    const r = await load(w, callsPerSecond, seconds, TEAMS_CHANGES_PER_S, RECHECK_AFTER_MS);
    const loadEnded = loadStarted + r.loadSeconds * 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const runSeconds = r.loadSeconds + r.callsEndedSeconds + r.drainSeconds;
    return {
      name: m.name,
      users,
      callsPerSecond: Number(callsPerSecond.toFixed(2)),
      teamsToPbx: {
        p50: pct(w.probe.fromTeamsMs, 0.5),
        p99: pct(w.probe.fromTeamsMs, 0.99),
        samples: w.probe.fromTeamsMs.length,
      },
      pbxToTeams: { p50: pct(w.probe.toTeamsMs, 0.5), p99: pct(w.probe.toTeamsMs, 0.99) },
      graphPresenceRequestsBusiest30s: busiest30s(counts),
      throttled429: await throttled(w),
      // Changes never carried when the load ended: lost notifications, or ones still on their way.
      wrongFinalStates: r.wrongFinalStates,
      // Users wrong after the drain, with their last minute (times in s from the end of the load).
      wrongUsers: await Promise.all(
        (r.wrongUsers ?? []).slice(0, 10).map(async (u) => ({
          ...u,
          steps: await timeline(w, u.userId, loadEnded - 60_000, Date.now(), loadEnded),
        })),
      ),
      wrongLater: r.wrongLater,
      cpuSecondsPerMinutePer1000Users: Number(
        ((cpu.user + cpu.system) / 1e6 / (runSeconds / 60) / (users / 1000)).toFixed(3),
      ),
      peakRssMB: Math.round(peakRss / 2 ** 20),
      teamsReads: readGaps(w, loadStarted, loadEnded, sweeps),
      slowest: await slowest(w),
    };
  } finally {
    await w.close();
  }
}

export async function teamsToPbxComparison(
  size: { users: number; loadSeconds: number; overloadSeconds: number },
  log: (m: string) => void,
  /** Only this mode (for iterating on one); all three by default. */
  only?: Mode['mode'],
  opts: { overload: boolean } = { overload: true },
) {
  const modes = MODES.filter((m) => !only || m.mode === only);
  const busyHour = [];
  for (const m of modes) {
    log(`Teams → PBX, ${m.name}: ${size.users} users, busy hour, ${size.loadSeconds} s`);
    busyHour.push(await run(m, size.users, BUSY_HOUR_CALLS_PER_S, size.loadSeconds));
  }
  // At 10× the busy hour the writes want the whole budget: the hybrid reads must yield, not slow PBX → Teams.
  const overload = [];
  for (const m of opts.overload ? modes.filter((x) => x.mode !== 'polling') : []) {
    log(`Teams → PBX, ${m.name}: 10x busy hour, ${size.overloadSeconds} s`);
    overload.push(await run(m, size.users, BUSY_HOUR_CALLS_PER_S * 10, size.overloadSeconds));
  }
  return {
    note:
      'Graph notifications delayed as documented (emulators/common/latency.ts graphPresence), CloudLink webhooks ' +
      '0.1-0.5 s, Graph latency 50 ms; teamsToPbx is from the Teams change to the PBX DND write acknowledged.',
    busyHour,
    overload,
  };
}

/**
 * `npm run bench` (full) and `npm run bench -- --smoke` (CI size, under 2 minutes). Drives the sync engine against
 * the emulators with 50 ms injected Graph latency and writes JSON to bench/results/. See docs/benchmarks.md.
 * `npm run bench -- --failover` (not part of either) kills the owner of a three-process cluster: bench/failover.ts.
 * `npm run bench -- --hosted` runs only the hosted-mode part (bench/hosted.ts), which both include.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, isBundled, runBundled } from './bundle';
import { watchMemory } from './memory';
import {
  BUSY_HOUR_CALLS_PER_S,
  CLOUDLINK_RATE,
  CLOUDLINK_RATE_LIFTED,
  forEachLimited,
  load,
  pct,
  sleep,
  throttled,
} from './load';
import { HOSTED_FULL, HOSTED_SMOKE, hostedBench, runHostedPartHere } from './hosted';
import { teamsToPbxComparison } from './teams-to-pbx';
import { startBenchWorld } from './world';

const smoke = process.argv.includes('--smoke');
const GRAPH_LATENCY_MS = 50;
/**
 * The engine paces its resync PBX reads below that limit: a token bucket allows rate × 1.1 in one fixed second
 * (a tenth of a second of burst), and 180 × 1.1 = 198 < 200.
 */
const PBX_READS_PER_SECOND = 180;

const size = smoke
  ? { users: 300, loadSeconds: 15, overloadSeconds: 10, resyncUsers: 2000 }
  : { users: 5000, loadSeconds: 60, overloadSeconds: 30, resyncUsers: 50_000 };

/** This process: the engine, its store and the bench driver; the emulators run in their own process. */
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

async function scenario(name: string, users: number, callsPerSecond: number, seconds: number) {
  const w = await startBenchWorld(users, {
    graphLatencyMs: GRAPH_LATENCY_MS,
    notifications: true,
    cloudLinkRate: CLOUDLINK_RATE,
  });
  try {
    await forEachLimited(w.people, 32, async (p) => void (await w.control.teams(p.id, 'signIn')));
    await w.service.start();
    await sleep(3000); // startup reads settle
    w.probe.toTeamsMs.length = 0;
    w.probe.fromTeamsMs.length = 0;
    const writesBefore = w.probe.graphWrites;
    const r = await load(w, callsPerSecond, seconds);
    const graphWrites = w.probe.graphWrites - writesBefore;
    return {
      name,
      users,
      callsPerSecond: Number(callsPerSecond.toFixed(2)),
      ...r,
      toTeams: {
        p50: pct(w.probe.toTeamsMs, 0.5),
        p95: pct(w.probe.toTeamsMs, 0.95),
        p99: pct(w.probe.toTeamsMs, 0.99),
        samples: w.probe.toTeamsMs.length,
      },
      fromTeams: {
        p50: pct(w.probe.fromTeamsMs, 0.5),
        p95: pct(w.probe.fromTeamsMs, 0.95),
        p99: pct(w.probe.fromTeamsMs, 0.99),
        samples: w.probe.fromTeamsMs.length,
      },
      graphWrites,
      graphWritesPerEffectiveChange: Number((graphWrites / Math.max(1, r.toTeamsChanges)).toFixed(3)),
      // From the first call to the last write: the sustained rate Graph saw.
      graphWritesPerSecond: Number(
        (graphWrites / (r.loadSeconds + r.callsEndedSeconds + r.drainSeconds)).toFixed(1),
      ),
      throttled429: await throttled(w),
    };
  } finally {
    await w.close();
  }
}

/**
 * A full resync of `users`. `cloudLinkRate` is the emulator's per-account limit; the engine paces its PBX reads at
 * `pbxReadsPerSecond` (unset: no pacing, only the adapter's 429 handling).
 */
async function resyncScenario(users: number, cloudLinkRate: number, pbxReadsPerSecond?: number) {
  const w = await startBenchWorld(users, {
    graphLatencyMs: GRAPH_LATENCY_MS,
    notifications: false,
    cloudLinkRate,
    pbxReadsPerSecond,
  });
  try {
    const memory = watchMemory();
    await w.service.start();
    const started = Date.now();
    const result = await w.service.resyncAll();
    const seconds = (Date.now() - started) / 1000;
    // The hourly resync in steady state: CloudLink's presence feed is live and carrying events (one call here), so
    // the PBX is read only where the feed cannot vouch for it (pbx-feed.ts) and Teams is read in full.
    const callId = await w.control.placeCall('+4930999999', w.pbxIds[0]);
    await sleep(1000);
    const liveStarted = Date.now();
    const live = await w.service.resyncAll();
    const liveSeconds = (Date.now() - liveStarted) / 1000;
    await w.control.hangUp(callId);
    const mem = await memory.stop();
    const pbxReads = w.service.metrics.getSingleMetric('switchboard_cloudlink_calls_total');
    const reads = pbxReads ? (await pbxReads.get()).values : [];
    return {
      users,
      cloudLinkRateLimitPerSecond: cloudLinkRate,
      pbxReadsPerSecond: pbxReadsPerSecond ?? null,
      seconds: Number(seconds.toFixed(1)),
      done: result.done,
      pbxReads: result.pbxReads,
      liveFeedResync: { seconds: Number(liveSeconds.toFixed(1)), done: live.done, pbxReads: live.pbxReads },
      pbxReadFailures: reads
        .filter((v) => v.labels.op === 'getPresence' && v.labels.outcome === 'error')
        .reduce((n, v) => n + v.value, 0),
      throttled429: await throttled(w),
      ...mem,
      emulatorProcessPeakRssMB: w.emulatorPeakRssMB(),
      engineNodeFlags: process.execArgv.join(' '),
    };
  } finally {
    await w.close();
  }
}

/** The machine, with its load: it is shared, and the figures move with what else runs. */
function machine() {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
  };
}

async function main() {
  // --failover runs server processes of its own and measures no memory here: it runs from source, unbundled.
  if (process.argv.includes('--failover')) {
    const { failoverBench } = await import('./failover');
    return failoverBench(process.argv, path.join(benchDir(), 'results'));
  }
  if (!isBundled()) process.exit(await runBundled());
  const started = Date.now();
  const log = (m: string) => console.error(`[bench ${Math.round((Date.now() - started) / 1000)}s] ${m}`);
  if (process.argv.some((a) => a.startsWith('--hosted-part='))) return runHostedPartHere(process.argv, log);
  if (process.argv.includes('--hosted')) {
    const hosted = await hostedBench(smoke ? HOSTED_SMOKE : HOSTED_FULL, log);
    return writeResult({
      kind: smoke ? 'hosted-smoke' : 'hosted',
      at: new Date().toISOString(),
      machine: machine(),
      hosted,
    });
  }
  const t2p = process.argv.find((a) => a.startsWith('--teams-to-pbx-only'));
  if (t2p) {
    // The issue 13 comparison alone, at the size --smoke picks; `--teams-to-pbx-only=hybrid` runs one mode,
    // `--busy-hour-only` leaves out the 10x runs, `--save` writes the result to bench/results/ as well.
    const mode = t2p.split('=')[1] as 'notifications' | 'polling' | 'hybrid' | undefined;
    const r = await teamsToPbxComparison(size, (m) => console.error(`[bench] ${m}`), mode, {
      overload: !process.argv.includes('--busy-hour-only'),
    });
    const result = { kind: 'teams-to-pbx', at: new Date().toISOString(), machine: machine(), ...r };
    console.log(JSON.stringify(result, null, 2));
    if (process.argv.includes('--save')) {
      const file = path.join(benchDir(), 'results', `teams-to-pbx-${result.at.replace(/[:.]/g, '-')}.json`);
      fs.writeFileSync(file, JSON.stringify(result, null, 2));
      console.log(`written to ${path.relative(process.cwd(), file)}`);
    }
    return;
  }
  const only = process.argv.find((a) => a.startsWith('--resync-only='));
  if (only) {
    const users = Number(only.split('=')[1]);
    // --lifted: the engine-bound variant (CloudLink limit lifted, no pacing), for quick iteration.
    const r = process.argv.includes('--lifted')
      ? await resyncScenario(users, CLOUDLINK_RATE_LIFTED)
      : await resyncScenario(users, CLOUDLINK_RATE, PBX_READS_PER_SECOND);
    console.log(JSON.stringify(r, null, 2));
    const at = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(
      benchDir(),
      'results',
      `resync-${users}${r.pbxReadsPerSecond ? '' : '-lifted'}-${at}.json`,
    );
    fs.writeFileSync(file, JSON.stringify({ kind: 'resync-only', ...r }, null, 2));
    console.log(`written to ${path.relative(process.cwd(), file)}`);
    return;
  }
  log(`busy hour: ${size.users} users, ${size.loadSeconds} s`);
  const busyHour = await scenario(
    'busy hour (MiVoice 5000 rate)',
    size.users,
    BUSY_HOUR_CALLS_PER_S,
    size.loadSeconds,
  );
  log('10x busy hour');
  const overload = await scenario(
    '10x busy hour',
    size.users,
    BUSY_HOUR_CALLS_PER_S * 10,
    size.overloadSeconds,
  );
  const teamsToPbx = await teamsToPbxComparison(size, log);
  log(`resync of ${size.resyncUsers} users`);
  const resync = await resyncScenario(size.resyncUsers, CLOUDLINK_RATE, PBX_READS_PER_SECOND);
  log(`resync of ${size.resyncUsers} users, CloudLink limit lifted (engine-bound)`);
  const resyncEngineBound = await resyncScenario(size.resyncUsers, CLOUDLINK_RATE_LIFTED);
  clearInterval(rssTimer);
  // After the single-tenant figures (peakRssMB above is theirs): each hosted part runs in a process of its own.
  const hosted = await hostedBench(smoke ? HOSTED_SMOKE : HOSTED_FULL, log);
  const result = {
    kind: smoke ? 'smoke' : 'full',
    at: new Date().toISOString(),
    machine: machine(),
    graphLatencyMs: GRAPH_LATENCY_MS,
    busyHour,
    overload,
    teamsToPbx,
    resync,
    resyncEngineBound,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    hosted,
    note:
      'Emulators run in a child process (bench/emulator-process.ts): peakRssMB is the engine process; ' +
      'emulatorProcessPeakRssMB is the child. resyncEngineBound lifts the CloudLink limit explicitly.',
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeResult(result);
}

/** Prints the result and writes it to bench/results/{kind}-{at}.json. */
function writeResult(result: { kind: string; at: string; [more: string]: unknown }): void {
  const dir = path.join(benchDir(), 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.kind}-${result.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

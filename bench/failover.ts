/**
 * `npm run bench -- --failover` (issue 12): a three-process cluster (scripts/cluster) on the local PostgreSQL under
 * continuous PBX and Teams calls; the owner of the tenant is killed with SIGKILL ten times (`--kills=N` for another
 * count), and after each takeover the killed process is started again, so three processes run before every kill.
 * Measures the takeover time (kill to the new owner's `sync.owner` line or first write, whichever is first), how late
 * the changes made during a takeover showed on the other side compared with the rest, and duplicate writes (the
 * same write to Graph or CloudLink from two processes within a second). Writes bench/results/failover-<time>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loseOwner, engineReady, takeoverMs } from '../scripts/cluster/failover';
import { startCluster, type Cluster } from '../scripts/cluster/index';
import { Traffic, type Change } from '../scripts/cluster/traffic';

const TAKEOVER_WAIT_MS = 60_000;
/**
 * After a takeover and the restart of the killed process, calm before the next kill: 5 s and a random part of up to
 * 10 s. A fixed pause made the kill cycle as long as a user's dwell (about 15 s), so every user's changes fell
 * between takeovers, in step with the kills, and none was made during one (a run of 2026-12-03 counted 0 of 176).
 */
const BETWEEN_KILLS_MS = 5000;
const BETWEEN_KILLS_RANDOM_MS = 10_000;
const pauseBetweenKills = () => sleep(BETWEEN_KILLS_MS + Math.random() * BETWEEN_KILLS_RANDOM_MS);
const DUPLICATE_WINDOW_MS = 1000;
/**
 * A user changes at most this often: longer than a takeover, so a change made while nobody owns the tenant is seldom
 * replaced by the user's next one before it shows, and its delay can be measured.
 */
const MIN_DWELL_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

/** The same write (service, method, path) sent by two different processes within DUPLICATE_WINDOW_MS. */
function duplicateWrites(cluster: Cluster): number {
  const writes = cluster.outbound.writes();
  let duplicates = 0;
  const lastBy = new Map<string, { pid: number | undefined; at: number }[]>();
  for (const w of writes) {
    const key = `${w.service} ${w.method} ${w.path}`;
    const earlier = (lastBy.get(key) ?? []).filter((e) => w.at - e.at <= DUPLICATE_WINDOW_MS);
    if (earlier.some((e) => e.pid !== w.pid)) duplicates++;
    earlier.push({ pid: w.pid, at: w.at });
    lastBy.set(key, earlier);
  }
  return duplicates;
}

/** How late changes showed on the other side; those it showed already when they were made are only counted. */
function delays(changes: Change[]) {
  const shown = changes
    .filter((c) => c.shownAt !== undefined && !c.alreadyShown)
    .map((c) => c.shownAt! - c.at);
  return {
    changes: changes.length,
    alreadyShown: changes.filter((c) => c.alreadyShown).length,
    shown: shown.length,
    replacedBeforeShown: changes.filter((c) => c.replacedAt !== undefined).length,
    neverShown: changes.filter((c) => c.shownAt === undefined && c.replacedAt === undefined).length,
    p50Ms: pct(shown, 0.5),
    p95Ms: pct(shown, 0.95),
    maxMs: shown.length ? Math.max(...shown) : null,
  };
}

export async function failoverBench(argv: string[], resultsDir: string): Promise<void> {
  const kills = Number(argv.find((a) => a.startsWith('--kills='))?.split('=')[1] ?? 10);
  const started = Date.now();
  const log = (m: string) => console.error(`[failover ${Math.round((Date.now() - started) / 1000)}s] ${m}`);
  log('starting 3 processes, the emulators and the demo company (16 users)');
  const cluster = await startCluster({
    processes: 3,
    users: 16,
    callsPerUser: 1,
    root: path.resolve(__dirname, '..'),
  });
  const users = cluster.company.users;
  const traffic = new Traffic(cluster.emulators, {
    phoneUsers: users.slice(0, 8),
    teamsUsers: users.slice(8, 16),
    everyMs: 300,
    minDwellMs: MIN_DWELL_MS,
  });
  const rounds: {
    kill: number;
    from: string;
    to: string | null;
    takeoverMs: number | null;
    windowMs: number;
  }[] = [];
  const windows: { from: number; to: number }[] = [];
  try {
    await engineReady(cluster);
    log(`ready after ${Math.round((Date.now() - started) / 1000)} s; traffic on`);
    traffic.start();
    await pauseBetweenKills();
    for (let k = 1; k <= kills; k++) {
      const t = await loseOwner(cluster, 'SIGKILL', TAKEOVER_WAIT_MS);
      const ms = takeoverMs(cluster, t);
      const until = t.at + (ms ?? TAKEOVER_WAIT_MS);
      windows.push({ from: t.at, to: until });
      rounds.push({
        kill: k,
        from: t.from.name,
        to: t.to?.name ?? null,
        takeoverMs: ms ?? null,
        windowMs: until - t.at,
      });
      log(`kill ${k}: ${t.from.name} -> ${t.to?.name ?? 'nobody'} in ${ms ?? '>' + TAKEOVER_WAIT_MS} ms`);
      await t.from.restart();
      await pauseBetweenKills();
    }
    traffic.stop();
    const settleUntil = Date.now() + 30_000;
    while (traffic.mismatches().length > 0 && Date.now() < settleUntil) await sleep(250);
  } finally {
    traffic.dispose();
  }
  const mismatches = traffic.mismatches();
  const inWindow = (c: Change) => windows.some((w) => c.at >= w.from && c.at <= w.to);
  const times = rounds.flatMap((r) => (r.takeoverMs === null ? [] : [r.takeoverMs]));
  const writes = cluster.outbound.writes();
  const result = {
    kind: 'failover',
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      load1: Math.round(os.loadavg()[0]! * 10) / 10,
      node: process.version,
    },
    processes: 3,
    users: 16,
    kills,
    takeover: {
      p50Ms: pct(times, 0.5),
      maxMs: times.length ? Math.max(...times) : null,
      missed: rounds.filter((r) => r.takeoverMs === null).length,
    },
    rounds,
    changesDuringTakeover: delays(traffic.changes.filter(inWindow)),
    changesOtherwise: delays(traffic.changes.filter((c) => !inWindow(c))),
    writes: writes.length,
    duplicateWrites: duplicateWrites(cluster),
    unattributedWrites: writes.filter((w) => w.pid === undefined).length,
    finalMismatches: mismatches,
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  await cluster.stop();
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `failover-${result.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

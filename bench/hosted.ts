/**
 * Issue 16's benchmarks, on the real hosted server (bench/hosted-world.ts):
 * - memory: N tenants x U users in one process, after start and through a busy hour on every tenant; run at two
 *   tenant counts so the cost of one more tenant can be read off the difference;
 * - noisy neighbour: a quiet tenant's PBX -> Teams latency at its busy hour, alone and beside a busy tenant at ten
 *   times its busy hour, in alternating rounds on the same server (p99 may rise by at most 20 %).
 * Each part runs in a process of its own (the bundled bench with `--hosted-part=...`), so one part's garbage and
 * caches are not counted in the next one's memory.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mb, retainedMB, watchMemory } from './memory';
import { CLOUDLINK_RATE, sleep } from './load';
import {
  BUSY_HOUR_CALLS_PER_USER_S,
  CallDriver,
  clearGraphLog,
  latencies,
  presenceWrites,
  summarize,
} from './hosted-load';
import { startHostedBenchWorld, type HostedBenchWorld } from './hosted-world';

const GRAPH_LATENCY_MS = 50;

export interface HostedSize {
  /** The memory runs: tenant counts (same users each), and how long the busy hour runs on all of them. */
  memoryTenants: number[];
  memoryUsers: number;
  memoryLoadSeconds: number;
  /** The noisy-neighbour run: users of each of the two tenants, seconds per phase, rounds of (alone, beside). */
  neighbourUsers: number;
  neighbourSeconds: number;
  neighbourRounds: number;
}

export const HOSTED_FULL: HostedSize = {
  memoryTenants: [10, 50],
  memoryUsers: 200,
  memoryLoadSeconds: 60,
  neighbourUsers: 1000,
  neighbourSeconds: 60,
  neighbourRounds: 2,
};

export const HOSTED_SMOKE: HostedSize = {
  memoryTenants: [5],
  memoryUsers: 200,
  memoryLoadSeconds: 10,
  neighbourUsers: 1000,
  neighbourSeconds: 15,
  neighbourRounds: 1,
};

const IDLE_SECONDS = 20;

/** CPU time of this process (user + system) as a percentage of one core over `seconds` of wall time. */
const percentOf = (used: NodeJS.CpuUsage, seconds: number) =>
  Number((((used.user + used.system) / 1e6 / seconds) * 100).toFixed(1));

async function cpuPercentOver(seconds: number): Promise<number> {
  const before = process.cpuUsage();
  await sleep(seconds * 1000);
  return percentOf(process.cpuUsage(before), seconds);
}

const sum = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));

async function graph429s(w: HostedBenchWorld): Promise<number> {
  const res = await fetch(`${w.emulators.graphBaseUrl}/_control/requests`);
  const { value } = (await res.json()) as { value: { status: number }[] };
  return value.filter((e) => e.status === 429).length;
}

/** One process: `tenants` x `users` started, then a busy hour on every tenant; memory and latency of both. */
export async function memoryPart(tenants: number, users: number, seconds: number, log: (m: string) => void) {
  const memory = watchMemory();
  const w = await startHostedBenchWorld(tenants, users, {
    graphLatencyMs: GRAPH_LATENCY_MS,
    cloudLinkRate: CLOUDLINK_RATE,
    log,
  });
  try {
    const retainedAfterStartMB = retainedMB();
    const rssAfterStartMB = mb(process.memoryUsage().rss);
    // What serving the tenants costs with nothing happening: lease renewals, registry and link re-reads, timers.
    const idleCpuPercent = await cpuPercentOver(IDLE_SECONDS);
    await clearGraphLog(w.emulators.graphBaseUrl);
    const loadCpu = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const emulatorCpuBefore = w.emulatorCpuSeconds();
    const drivers = w.emulators.tenants.map(
      (t) => new CallDriver(w.control, t, BUSY_HOUR_CALLS_PER_USER_S * users),
    );
    drivers.forEach((d) => d.start());
    await sleep(seconds * 1000);
    await Promise.all(drivers.map((d) => d.stop()));
    const loadCpuPercent = percentOf(process.cpuUsage(loadCpu), seconds);
    loopDelay.disable();
    const eventLoopDelayMs = {
      p50: Math.round(loopDelay.percentile(50) / 1e6),
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    };
    const emulatorLoadCpuPercent = Number(
      (((w.emulatorCpuSeconds() - emulatorCpuBefore) / seconds) * 100).toFixed(1),
    );
    await sleep(3000); // the last writes land
    const writes = await presenceWrites(w.emulators.graphBaseUrl);
    const changes = drivers.flatMap((d) => d.changes);
    const mem = await memory.stop();
    return {
      tenants,
      users,
      totalUsers: tenants * users,
      readySeconds: Number(w.readySeconds.toFixed(1)),
      rssAfterStartMB,
      retainedAfterStartMB,
      idleCpuPercent,
      loadCpuPercent,
      emulatorLoadCpuPercent,
      eventLoopDelayMs,
      peakRssMB: mem.peakRssMB,
      atPeakMB: mem.atPeakMB,
      retainedAfterLoadMB: retainedMB(),
      loadSeconds: seconds,
      calls: changes.length / 2,
      toTeams: summarize(latencies(changes, writes), changes.length),
      graph429: await graph429s(w),
      controlErrors: drivers.reduce((n, d) => n + d.errors, 0),
      warningsLogged: sum(w.logged),
      emulatorProcessPeakRssMB: w.emulatorPeakRssMB(),
    };
  } finally {
    await w.close();
  }
}

/** One process, two tenants: the quiet one's latency alone and beside the busy one at 10x, in alternating rounds. */
export async function neighbourPart(
  users: number,
  seconds: number,
  rounds: number,
  log: (m: string) => void,
) {
  const w = await startHostedBenchWorld(2, users, {
    graphLatencyMs: GRAPH_LATENCY_MS,
    cloudLinkRate: CLOUDLINK_RATE,
    log,
  });
  const [quiet, busy] = w.emulators.tenants as [
    (typeof w.emulators.tenants)[0],
    (typeof w.emulators.tenants)[0],
  ];
  const busyHour = BUSY_HOUR_CALLS_PER_USER_S * users;
  const samples = { alone: [] as number[], beside: [] as number[], busy: [] as number[] };
  const changes = { alone: 0, beside: 0, busy: 0 };
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const phase of ['alone', 'beside'] as const) {
        log(
          `noisy neighbour, round ${round}: quiet tenant ${phase === 'alone' ? 'alone' : 'beside a 10x tenant'}`,
        );
        await clearGraphLog(w.emulators.graphBaseUrl);
        const q = new CallDriver(w.control, quiet, busyHour);
        const b = phase === 'beside' ? new CallDriver(w.control, busy, busyHour * 10) : undefined;
        q.start();
        b?.start();
        await sleep(seconds * 1000);
        await Promise.all([q.stop(), b?.stop()]);
        await sleep(3000);
        const writes = await presenceWrites(w.emulators.graphBaseUrl);
        samples[phase].push(...latencies(q.changes, writes));
        changes[phase] += q.changes.length;
        if (b) {
          samples.busy.push(...latencies(b.changes, writes));
          changes.busy += b.changes.length;
        }
      }
    }
    const alone = summarize(samples.alone, changes.alone);
    const beside = summarize(samples.beside, changes.beside);
    return {
      usersPerTenant: users,
      quietCallsPerSecond: Number(busyHour.toFixed(2)),
      busyCallsPerSecond: Number((busyHour * 10).toFixed(2)),
      secondsPerPhase: seconds,
      rounds,
      quietAlone: alone,
      quietBesideBusy: beside,
      busyTenant: summarize(samples.busy, changes.busy),
      /** Issue 16's target: at most 1.2. */
      quietP99Ratio: alone.p99 && beside.p99 !== null ? Number((beside.p99 / alone.p99).toFixed(2)) : null,
      graph429: await graph429s(w),
      warningsLogged: sum(w.logged),
    };
  } finally {
    await w.close();
  }
}

/** Runs one part in a fresh process of the bundled bench and answers its JSON. */
function runPart(args: string[]): Promise<unknown> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`hosted bench part ${args.join(' ')} exited ${code}`));
      resolve(JSON.parse(last) as unknown);
    }),
  );
}

/** `--hosted-part=memory|neighbour` with its sizes: run here, print the result as the last line. */
export async function runHostedPartHere(argv: string[], log: (m: string) => void): Promise<void> {
  const num = (name: string) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]);
  const part = argv.find((a) => a.startsWith('--hosted-part='))!.split('=')[1];
  const r =
    part === 'memory'
      ? await memoryPart(num('tenants'), num('users'), num('seconds'), log)
      : await neighbourPart(num('users'), num('seconds'), num('rounds'), log);
  console.log(JSON.stringify(r));
}

/** Every hosted part of `size`, each in its own process; the memory slope per tenant when two counts ran. */
export async function hostedBench(size: HostedSize, log: (m: string) => void) {
  const memory = [];
  for (const tenants of size.memoryTenants) {
    log(`hosted memory: ${tenants} tenants x ${size.memoryUsers} users`);
    memory.push(
      (await runPart([
        '--hosted-part=memory',
        `--tenants=${tenants}`,
        `--users=${size.memoryUsers}`,
        `--seconds=${size.memoryLoadSeconds}`,
      ])) as Awaited<ReturnType<typeof memoryPart>>,
    );
  }
  const [few, many] = [memory[0], memory[memory.length - 1]];
  const perTenantMB =
    few && many && many.tenants > few.tenants
      ? {
          peakRss: Number(((many.peakRssMB - few.peakRssMB) / (many.tenants - few.tenants)).toFixed(2)),
          retainedAfterLoad:
            many.retainedAfterLoadMB !== null && few.retainedAfterLoadMB !== null
              ? Number(
                  (
                    (many.retainedAfterLoadMB - few.retainedAfterLoadMB) /
                    (many.tenants - few.tenants)
                  ).toFixed(2),
                )
              : null,
        }
      : null;
  log(`hosted noisy neighbour: 2 tenants x ${size.neighbourUsers} users`);
  const neighbour = await runPart([
    '--hosted-part=neighbour',
    `--users=${size.neighbourUsers}`,
    `--seconds=${size.neighbourSeconds}`,
    `--rounds=${size.neighbourRounds}`,
  ]);
  return { graphLatencyMs: GRAPH_LATENCY_MS, memory, perTenantMB, neighbour };
}

/**
 * The benchmark's world: the three emulators in a child process (bench/emulator-process.ts, so this process's memory
 * is the engine's), N matched users, the sync service wired through the real adapters over HTTP (as in production),
 * with probes around the ports to time each write. The bench drives the emulators over their HTTP `/_control` APIs.
 * The service, its adapters and the seeded monitors are built as in every sync set-up (tests/support/sync-setup.ts);
 * the probes, the child process and the file store are the bench's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CloudLinkClient } from '../shared/adapters/cloudlink';
import type { GraphAdapter } from '../shared/adapters/graph/graph-adapter';
import type { CloudLinkPort } from '../shared/ports/cloudlink';
import type { GraphPort } from '../shared/ports/graph';
import type { Store, UserRecord } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import { TenantBudget, type SyncService } from '../shared/sync';
import { startLoopbackReceiver } from '../tests/support/loopback-receiver';
import { buildSyncService, emulatorAdapters, matchedUser, seedMonitors } from '../tests/support/sync-setup';
import { benchDir } from './bundle';
import { BENCH_SECRET, MONITOR_PASSWORD, type EmulatorWorld } from './emulator-process';

export interface Probe {
  /** epoch ms of the oldest change not yet written, per Entra user id, per direction. */
  pendingToTeams: Map<string, number>;
  pendingFromTeams: Map<string, number>;
  toTeamsMs: number[];
  fromTeamsMs: number[];
  graphWrites: number;
  pbxWrites: number;
  /** Graph presence requests of every kind (reads and writes, each HTTP attempt), as the tenant's budget counts them. */
  presenceRequests: number;
  /** Each Teams → PBX sample with its user and when its change was made (the tail's timelines are built from these). */
  fromTeamsSamples: { userId: string; since: number; ms: number }[];
  /**
   * What the bench did to each user and what the engine wrote for them, in order (epoch ms): the timeline of a slow
   * change. Only kept when `timeline` is on (the Teams → PBX comparison), so the other benches hold nothing more.
   */
  timeline: Map<string, TimelineStep[]> | null;
  /** When each Teams read naming the user was sent (only with the timeline). */
  reads: Map<string, number[]>;
  /** Every Teams read request: when it was sent, how many users it named, how long it took (only with the timeline). */
  readBatches: [number, number, number][];
}

export interface TimelineStep {
  at: number;
  what: string;
  change?: string;
  read?: string;
}

/** Adds one step to a user's timeline, when the probe keeps one. */
export function note(
  probe: Probe,
  userId: string,
  what: string,
  at = Date.now(),
  /** The Graph sequenceNumber a Teams change made, or a read showed (for telling where a slow change waited). */
  seq?: { change?: string; read?: string },
): void {
  if (!probe.timeline) return;
  let steps = probe.timeline.get(userId);
  if (!steps) probe.timeline.set(userId, (steps = []));
  steps.push({ at, what, ...seq });
}

/** A user's presence as Graph aggregates it. */
export interface TeamsShown {
  availability: string;
  activity: string;
  sequenceNumber: string;
}

/** The emulators' `/_control` APIs, as the bench uses them. */
export interface BenchControl {
  placeCall(from: string, to: string): Promise<string>;
  answer(callId: string): Promise<void>;
  hangUp(callId: string): Promise<void>;
  /** A Teams client action; resolves to what Graph's presence shows right after it. */
  teams(userId: string, action: 'signIn' | 'joinMeeting' | 'leaveMeeting'): Promise<TeamsShown>;
  teamsActivity(userId: string): Promise<string>;
  setCloudLinkRate(limit: number): Promise<void>;
}

export interface BenchWorld {
  /** The emulator process's URLs and ids; its user list is not kept (people and pbxIds below hold the ids). */
  emulators: Omit<EmulatorWorld, 'people' | 'pbxIds'>;
  control: BenchControl;
  /** The CloudLink adapter without probes, for the bench's own final-state checks. */
  cloudlink: CloudLinkClient;
  /** Entra user ids only: names and UPNs are in the store, and the engine's process should not hold them twice. */
  people: { id: string }[];
  pbxIds: string[];
  service: SyncService;
  store: Store;
  probe: Probe;
  /** The emulator process's peak RSS so far (Linux VmHWM), in MB. */
  emulatorPeakRssMB(): number;
  close(): Promise<void>;
}

/** Starts bench/emulator-process.ts with `args` and resolves with the world it prints (one line of JSON). */
export async function startEmulatorProcess<World>(
  args: string[],
): Promise<{ world: World; child: ChildProcess }> {
  // Same Node with the tsx loader in-process (not the tsx CLI, which would add a process), so the pid is the
  // emulators' own. The engine process's own Node flags (a heap cap, say) are not passed on.
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      path.join(benchDir(), 'emulator-process.ts'),
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const world = await new Promise<World>((resolve, reject) => {
    let text = '';
    const onExit = (code: number | null) =>
      reject(new Error(`emulator process exited (${code}) before it was ready`));
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      // Both listeners go: a live one would keep this closure, the JSON text and the parsed world for good.
      child.off('exit', onExit);
      resolve(JSON.parse(text.slice(0, nl)) as World);
      text = '';
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return { world, child };
}

async function call(base: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function controlOf(w: Pick<EmulatorWorld, 'cloudlinkBaseUrl' | 'graphBaseUrl'>): BenchControl {
  const cl = w.cloudlinkBaseUrl;
  const g = w.graphBaseUrl;
  return {
    placeCall: async (from, to) =>
      ((await call(cl, 'POST', '/_control/calls', { from, to })) as { callId: string }).callId,
    answer: async (id) => void (await call(cl, 'POST', `/_control/calls/${id}/answer`)),
    hangUp: async (id) => void (await call(cl, 'POST', `/_control/calls/${id}/hangup`)),
    teams: async (userId, action) =>
      (await call(g, 'POST', `/_control/users/${userId}/teams`, { action })) as TeamsShown,
    teamsActivity: async (userId) =>
      ((await call(g, 'GET', `/_control/users/${userId}/presence`)) as { aggregate: { activity: string } })
        .aggregate.activity,
    setCloudLinkRate: async (limit) =>
      void (await call(cl, 'PUT', '/_control/rate-limit', { limit, windowMs: 1000 })),
  };
}

/** Peak resident set of a process (Linux /proc), in MB; 0 where /proc is missing. */
export function peakRssMBOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function startBenchWorld(
  users: number,
  opts: {
    graphLatencyMs: number;
    notifications: boolean;
    cloudLinkRate: number;
    pbxReadsPerSecond?: number;
    /** Teams presence source; default notifications when `notifications`, else polling (hourly, i.e. off). */
    mode?: 'notifications' | 'polling' | 'hybrid';
    pollIntervalMs?: number;
    /** Graph and CloudLink deliver notifications late, as they do in the world (emulator-process.ts). */
    realisticDelivery?: boolean;
    /** Keep every user's timeline (probe.timeline) for explaining slow changes. */
    timeline?: boolean;
  },
): Promise<BenchWorld> {
  const { world, child } = await startEmulatorProcess<EmulatorWorld>([
    `--users=${users}`,
    `--graph-latency-ms=${opts.graphLatencyMs}`,
    `--cloudlink-rate=${opts.cloudLinkRate}`,
    ...(opts.realisticDelivery ? ['--realistic-delivery'] : []),
  ]);
  const { people: seeded, pbxIds, ...emulators } = world;
  const control = controlOf(emulators);
  const people = seeded.map((p) => ({ id: p.id }));
  const monitors = emulators.monitors;
  // Only the notification benches write DND; built on first use so a resync bench does not hold another 50,000 pairs.
  let userOfPbx: Map<string, string> | undefined;
  const userOf = (principalId: string) => {
    userOfPbx ??= new Map(pbxIds.map((id, i) => [id, people[i].id]));
    return userOfPbx.get(principalId) as string;
  };

  const probe: Probe = {
    pendingToTeams: new Map(),
    pendingFromTeams: new Map(),
    toTeamsMs: [],
    fromTeamsMs: [],
    graphWrites: 0,
    pbxWrites: 0,
    presenceRequests: 0,
    fromTeamsSamples: [],
    timeline: opts.timeline ? new Map() : null,
    reads: new Map(),
    readBatches: [],
  };
  const receiver = await startLoopbackReceiver(() => service);

  // Wall-clock time and the adapters' production retries: the bench measures the engine as it runs in production.
  // The tenant's budget first, as the composition root builds it: the adapters and the service meter through it.
  const budget = new TenantBudget({
    tenantId: emulators.tenantId,
    ...(opts.pbxReadsPerSecond !== undefined && { pbxReadsPerSecond: opts.pbxReadsPerSecond }),
  });
  const { graph: adapter, cloudlink } = emulatorAdapters(
    {
      entraBaseUrl: emulators.entraBaseUrl,
      tenantId: emulators.tenantId,
      clientId: emulators.clientId,
      clientSecret: BENCH_SECRET,
      graphBaseUrl: emulators.graphBaseUrl,
      cloudlink: {
        apiBase: emulators.cloudlinkApiBase,
        accountId: emulators.accountId,
        clientId: emulators.cloudlinkClientId,
        clientSecret: emulators.cloudlinkClientSecret,
      },
    },
    {
      appId: 'switchboard-bench/1.0',
      budget: () => budget,
      afterGraphAdmitted: (kind) => {
        if (kind === 'presence') probe.presenceRequests++;
      },
    },
  );

  // Probes: a write acknowledged closes the user's oldest pending change in that direction.
  const done = (pending: Map<string, number>, sink: number[], id: string, minus: number) => {
    const since = pending.get(id);
    if (since === undefined) return;
    pending.delete(id);
    const ms = Date.now() - since - minus;
    sink.push(ms);
    if (sink === probe.fromTeamsMs) probe.fromTeamsSamples.push({ userId: id, since, ms });
  };
  // What each Teams read showed a user, when it differs from what the last read showed them (the timeline); how
  // many reads named them is counted in `reads`.
  const lastShown = new Map<string, string>();
  const graph: GraphPort = Object.assign(Object.create(adapter) as GraphAdapter, {
    getPresencesByUserId: async (ids: string[]) => {
      const sent = Date.now();
      try {
        const presences = await adapter.getPresencesByUserId(ids);
        if (probe.timeline) {
          probe.readBatches.push([sent, ids.length, Date.now() - sent]);
          for (const p of presences) {
            const shown = `${p.availability}/${p.activity} ${p.sequenceNumber ?? ''}`;
            const reads = probe.reads.get(p.userId);
            if (reads) reads.push(sent);
            else probe.reads.set(p.userId, [sent]);
            if (lastShown.get(p.userId) === shown) continue;
            lastShown.set(p.userId, shown);
            note(probe, p.userId, `Graph read (sent then) shows ${shown}`, sent, { read: p.sequenceNumber });
          }
        }
        return presences;
      } catch (err) {
        if (probe.timeline)
          for (const id of ids) note(probe, id, `Graph read (sent then) failed: ${String(err)}`, sent);
        throw err;
      }
    },
    setPresence: async (...a: Parameters<GraphPort['setPresence']>) => {
      await adapter.setPresence(...a);
      note(probe, a[0], `engine: Teams session set ${a[1].availability}/${a[1].activity} (acknowledged)`);
      probe.graphWrites++;
      done(probe.pendingToTeams, probe.toTeamsMs, a[0], opts.graphLatencyMs);
    },
    clearPresence: async (id: string) => {
      const r = await adapter.clearPresence(id);
      note(probe, id, 'engine: Teams session cleared (acknowledged)');
      probe.graphWrites++;
      done(probe.pendingToTeams, probe.toTeamsMs, id, opts.graphLatencyMs);
      return r;
    },
  });
  const cl: CloudLinkPort = Object.assign(Object.create(cloudlink) as CloudLinkClient, {
    setDnd: async (principalId: string, dnd: boolean, text: string | null) => {
      const receipt = await cloudlink.setDnd(principalId, dnd, text);
      note(
        probe,
        userOf(principalId),
        `engine: PBX DND ${dnd ? `on "${text ?? ''}"` : 'off'} (acknowledged)`,
      );
      probe.pbxWrites++;
      done(probe.pendingFromTeams, probe.fromTeamsMs, userOf(principalId), 0);
      return receipt;
    },
  });

  // A file, as in production: an in-memory database would count the whole store as the engine's memory.
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const store = await openStore(`sqlite:${path.join(dbDir, 'bench.sqlite')}`);
  const record = (p: EmulatorWorld['people'][number], i: number): UserRecord =>
    matchedUser(
      emulators.tenantId,
      {
        entraUserId: p.id,
        upn: p.upn,
        displayName: p.displayName,
        pbxPrincipalId: pbxIds[i],
        extension: String(10000 + i),
      },
      Date.now(),
    );
  for (let i = 0; i < seeded.length; i += 5000)
    await store.putUsers(seeded.slice(i, i + 5000).map((p, j) => record(p, i + j)));
  const mode = opts.mode ?? (opts.notifications ? 'notifications' : 'polling');
  if (mode !== 'polling')
    await seedMonitors(
      store,
      emulators.tenantId,
      Array.from({ length: monitors }, (_, i) => ({
        monitorId: `m${String(i).padStart(3, '0')}`,
        username: `monitor${i}@bench.example`,
        passwordSealed: MONITOR_PASSWORD,
      })),
    );
  const service: SyncService = buildSyncService({
    tenantId: emulators.tenantId,
    clientId: emulators.clientId,
    mode,
    webhookBase: receiver.baseUrl,
    cloudLinkWebhooks: true,
    options: {
      pollIntervalMs: opts.pollIntervalMs ?? 3_600_000,
    },
    deps: { budget, graph, subscriptions: adapter.subscriptions, cloudlink: cl, store },
  });
  return {
    emulators,
    control,
    cloudlink,
    people,
    pbxIds,
    service,
    store,
    probe,
    emulatorPeakRssMB: () => peakRssMBOf(child.pid as number),
    async close() {
      await service.stop();
      await receiver.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      await exited;
      await store.close();
      fs.rmSync(dbDir, { recursive: true, force: true });
    },
  };
}

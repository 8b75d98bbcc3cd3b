/**
 * The hosted bench's world (issue 16): the emulators with N customer tenants in a child process
 * (bench/hosted-seed.ts), and in this process the real hosted server (bot/hosted-app.ts, TENANCY=hosted) on a SQLite
 * file, with every tenant onboarded, its CloudLink account linked and one presence monitor registered before it
 * starts, as the customers' admins would have done. So this process's memory is the hosted server's, and its
 * latency is what one shared event loop gives each tenant.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHostedSwitchboard, type RunningHostedSwitchboard } from '../bot/hosted-app';
import { seedTenantLink } from '../bot/services/tenant-link';
import { loadConfig } from '../shared/config/load';
import { createLogger } from '../shared/platform/logger';
import { SecretBox } from '../shared/platform/secret-box';
import { openStore } from '../shared/store/open';
import { freePort } from '../scripts/cluster/free-port';
import {
  HOSTED_BENCH_SECRET,
  HOSTED_MONITOR_PASSWORD,
  type HostedBenchTenant,
  type HostedEmulatorWorld,
} from './hosted-seed';
import { sleep } from './load';
import { controlOf, peakRssMBOf, startEmulatorProcess, type BenchControl } from './world';
import { newMonitorRecord } from '../shared/ports/store';

export interface HostedBenchWorld {
  emulators: HostedEmulatorWorld;
  control: BenchControl;
  app: RunningHostedSwitchboard;
  /** Warnings and errors the server logged, by event code (the bench prints them: a quiet log is part of the result). */
  logged: Map<string, number>;
  emulatorPeakRssMB(): number;
  /** CPU seconds (user + system) the emulator process has used so far (Linux /proc; 0 elsewhere). */
  emulatorCpuSeconds(): number;
  close(): Promise<void>;
}

/** CPU seconds a process has used (utime + stime from /proc/pid/stat, in clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Onboards, links and gives a monitor to every tenant in the store, before the server opens it. */
async function seedStore(storeUrl: string, world: HostedEmulatorWorld, secretKey: Buffer): Promise<void> {
  const store = await openStore(storeUrl);
  const box = new SecretBox(secretKey);
  const quiet = createLogger('silent');
  try {
    const now = Date.now();
    for (const [k, t] of world.tenants.entries()) {
      await store.tenantRegistry().onboard(t.tenantId, `Customer ${k + 1}`, now, 'bench');
      await seedTenantLink(
        store,
        box,
        {
          tenantId: t.tenantId,
          displayName: `Customer ${k + 1}`,
          clientId: world.clientId,
          clientSecret: HOSTED_BENCH_SECRET,
          clientSecretExpiresAt: null,
          cloudlink: {
            accountId: t.accountId,
            clientId: t.cloudlinkClientId,
            clientSecret: t.cloudlinkClientSecret,
          },
          policy: 'seed',
        },
        now,
        quiet,
      );
      await store.putMonitor(
        newMonitorRecord(
          {
            tenantId: t.tenantId,
            monitorId: 'bench-monitor',
            username: t.monitorUsername,
            passwordSealed: box.seal(HOSTED_MONITOR_PASSWORD),
          },
          now,
        ),
      );
    }
  } finally {
    await store.close();
  }
}

/** A tenant is ready when this process owns its sync, both CloudLink topics and its Graph monitor are live, and every user is matched. */
async function tenantReady(app: RunningHostedSwitchboard, t: HostedBenchTenant): Promise<boolean> {
  const service = app.tenants.get(t.tenantId)?.runtime.service;
  if (!service) return false;
  const health = service.health();
  const cloudlink = health.cloudlinkSubscriptions ?? [];
  if (health.syncOwnership?.state !== 'owner') return false;
  if (cloudlink.length < 2 || cloudlink.some((s) => s.state !== 'active')) return false;
  if (!((health.subscriptions.active ?? 0) > 0)) return false;
  return (await app.store.listUsers(t.tenantId)).filter((u) => u.pbxPrincipalId).length === t.people.length;
}

export async function startHostedBenchWorld(
  tenants: number,
  users: number,
  opts: { graphLatencyMs: number; cloudLinkRate: number; log: (m: string) => void },
): Promise<HostedBenchWorld & { readySeconds: number }> {
  const { world, child } = await startEmulatorProcess<HostedEmulatorWorld>([
    `--tenants=${tenants}`,
    `--users=${users}`,
    `--graph-latency-ms=${opts.graphLatencyMs}`,
    `--cloudlink-rate=${opts.cloudLinkRate}`,
  ]);
  const stopChild = async (c: ChildProcess) => {
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.stdin?.end();
    await exited;
  };
  // A file, as in production: an in-memory database would count the whole store as the server's memory.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-hosted-bench-'));
  const tabDir = path.join(dir, 'tab');
  fs.mkdirSync(tabDir);
  fs.writeFileSync(path.join(tabDir, 'index.html'), '<!doctype html><title>bench</title>');
  const storeUrl = `sqlite:${path.join(dir, 'hosted.sqlite')}`;
  const secretKey = randomBytes(32);
  await seedStore(storeUrl, world, secretKey);

  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    TENANCY: 'hosted',
    HOST: '127.0.0.1',
    PORT: String(port),
    STORE_URL: storeUrl,
    PUBLIC_BASE_URL: publicBaseUrl,
    ALLOW_HTTP_PUBLIC_BASE_URL: 'true',
    CLIENT_ID: world.clientId,
    CLIENT_SECRET: HOSTED_BENCH_SECRET,
    BOT_ID: world.clientId,
    BOT_PASSWORD: HOSTED_BENCH_SECRET,
    SECRET_KEY: secretKey.toString('base64'),
    AUTHORITY_HOST: world.entraBaseUrl,
    GRAPH_BASE_URL: world.graphBaseUrl,
    CLOUDLINK_API_BASE: world.cloudlinkApiBase,
    SYNC_MODE: 'notifications',
  });
  const logged = new Map<string, number>();
  const logger = createLogger('warn', {
    write: (line: string) => {
      const { event, msg } = JSON.parse(line) as { event?: string; msg?: string };
      const key = event ?? msg ?? 'unknown';
      logged.set(key, (logged.get(key) ?? 0) + 1);
    },
  });
  const started = Date.now();
  const app = await startHostedSwitchboard(
    config,
    {
      clientId: world.clientId,
      clientSecret: HOSTED_BENCH_SECRET,
      clientSecretExpiresAt: null,
      appIdUri: `api://127.0.0.1:${port}/botid-${world.clientId}`,
      botAuth: { kind: 'playground' },
      secretKey,
      appVersion: '0.0.0-bench',
      tabDir,
    },
    logger,
  );
  const close = async () => {
    await app.close();
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const until = Date.now() + 10 * 60_000;
    let pending = world.tenants;
    while (pending.length > 0) {
      if (Date.now() > until) throw new Error(`${pending.length} of ${tenants} tenants never got ready`);
      const ready = await Promise.all(pending.map((t) => tenantReady(app, t)));
      pending = pending.filter((_, i) => !ready[i]);
      if (pending.length > 0) await sleep(500);
    }
  } catch (err) {
    await close();
    throw err;
  }
  const readySeconds = (Date.now() - started) / 1000;
  opts.log(`${tenants} tenants x ${users} users ready in ${readySeconds.toFixed(1)} s`);
  return {
    emulators: world,
    control: controlOf(world),
    app,
    logged,
    readySeconds,
    emulatorPeakRssMB: () => peakRssMBOf(child.pid as number),
    emulatorCpuSeconds: () => cpuSecondsOf(child.pid as number),
    close,
  };
}

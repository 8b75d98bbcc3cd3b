/**
 * Phone calls for the hosted bench, per tenant, and PBX → Teams latency read off what Graph received: the hosted
 * server's adapters live inside its tenant runtimes, so instead of probes around them the bench keeps when it placed
 * or hung up each call and matches it with the first presence write for that user the Graph emulator logged after it.
 */
import type { HostedBenchTenant } from './hosted-seed';
import { BUSY_HOUR_CALLS_PER_S, pct, sleep } from './load';
import type { BenchControl } from './world';

/** The bench's busy hour is 16,000 calls an hour on its 5,000 users (bench/load.ts): per user, per second. */
export const BUSY_HOUR_CALLS_PER_USER_S = BUSY_HOUR_CALLS_PER_S / 5000;

/** How many events of a Poisson process with mean `mean` fall in one interval (Knuth's method; small means). */
export function poisson(mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = Math.random(); p > limit; p *= Math.random()) k++;
  return k;
}

/** A change on the phone side that Teams should show: a call placed (ringing, then InACall) or hung up. */
interface PhoneChange {
  userId: string;
  at: number;
}

/** Places calls to a tenant's users at a rate (ring 0.5-2 s, talk 2-12 s, as bench/load.ts) until stopped. */
export class CallDriver {
  readonly changes: PhoneChange[] = [];
  private readonly busy = new Set<number>();
  private readonly inflight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  errors = 0;

  constructor(
    private readonly control: BenchControl,
    private readonly tenant: HostedBenchTenant,
    private readonly callsPerSecond: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops placing calls and waits for the calls in progress to end. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private async run(): Promise<void> {
    const n = this.tenant.people.length;
    while (this.running) {
      // Calls arrive at random (Poisson), not on a schedule: with many tenants at a low rate each, a schedule puts
      // every tenant's call on the same tick, and the bench would measure bursts no phone system makes.
      for (let k = poisson(this.callsPerSecond / 10); k > 0; k--) {
        const i = Math.floor(Math.random() * n);
        if (this.busy.has(i)) continue;
        this.busy.add(i);
        const call = this.call(i)
          .catch(() => void this.errors++)
          .finally(() => {
            this.busy.delete(i);
            this.inflight.delete(call);
          });
        this.inflight.add(call);
      }
      await sleep(100);
    }
  }

  private async call(i: number): Promise<void> {
    const userId = this.tenant.people[i]!;
    this.changes.push({ userId, at: Date.now() });
    const callId = await this.control.placeCall('+4930' + (1_000_000 + i), this.tenant.pbxIds[i]!);
    await sleep(500 + Math.random() * 1500);
    await this.control.answer(callId);
    await sleep(2000 + Math.random() * 10_000);
    this.changes.push({ userId, at: Date.now() });
    await this.control.hangUp(callId);
  }
}

interface GraphLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
}

const PRESENCE_WRITE = /^\/users\/([^/]+)\/presence\/(?:setPresence|clearPresence)$/;

/** Every presence write Graph accepted, by user, in time order. */
export async function presenceWrites(graphBaseUrl: string): Promise<Map<string, number[]>> {
  const res = await fetch(`${graphBaseUrl}/_control/requests`);
  if (!res.ok) throw new Error(`Graph request log: ${res.status}`);
  const { value } = (await res.json()) as { value: GraphLogEntry[] };
  const writes = new Map<string, number[]>();
  for (const e of value) {
    const m = e.method === 'POST' && e.status < 300 ? PRESENCE_WRITE.exec(e.path) : null;
    if (!m) continue;
    const id = decodeURIComponent(m[1]!);
    const list = writes.get(id);
    if (list) list.push(e.at);
    else writes.set(id, [e.at]);
  }
  for (const list of writes.values()) list.sort((a, b) => a - b);
  return writes;
}

export async function clearGraphLog(graphBaseUrl: string): Promise<void> {
  const res = await fetch(`${graphBaseUrl}/_control/requests`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`clearing Graph's request log: ${res.status}`);
}

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
  /** Changes with no write of their own before the user's next change (coalesced, or never written). */
  unmatched: number;
}

/** For each phone change, the time to the first presence write for that user after it (ms). */
export function latencies(changes: PhoneChange[], writes: Map<string, number[]>): number[] {
  const byUser = new Map<string, number[]>();
  for (const c of changes) {
    const list = byUser.get(c.userId);
    if (list) list.push(c.at);
    else byUser.set(c.userId, [c.at]);
  }
  const out: number[] = [];
  for (const [userId, times] of byUser) {
    times.sort((a, b) => a - b);
    const w = writes.get(userId) ?? [];
    let j = 0;
    times.forEach((at, k) => {
      while (j < w.length && w[j]! < at) j++;
      const next = times[k + 1] ?? Infinity;
      if (j < w.length && w[j]! < next) out.push(w[j]! - at);
    });
  }
  return out;
}

export function summarize(samples: number[], changes: number): LatencySummary {
  return {
    p50: pct(samples, 0.5),
    p95: pct(samples, 0.95),
    p99: pct(samples, 0.99),
    max: samples.length ? Math.max(...samples) : null,
    samples: samples.length,
    unmatched: changes - samples.length,
  };
}

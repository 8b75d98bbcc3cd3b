import type { Cluster, ClusterProcess } from './index';

/** One loss of the owner and what followed. */
export interface Takeover {
  /** The owner that was killed or frozen. */
  from: ClusterProcess;
  fromPid: number | undefined;
  signal: 'SIGKILL' | 'SIGSTOP';
  /** When the signal was sent (epoch ms). */
  at: number;
  /** The process that took the tenant, if one did within the wait. */
  to?: ClusterProcess;
  /** Its `sync.owner` log line. */
  ownerLineAt?: number;
}

/**
 * Sends `signal` to the current owner and waits until another process logs taking the tenant (or `timeoutMs`).
 * A frozen owner stays frozen: the caller continues it (SIGCONT) when it wants to.
 */
export async function loseOwner(
  cluster: Cluster,
  signal: 'SIGKILL' | 'SIGSTOP',
  timeoutMs: number,
): Promise<Takeover> {
  const from = cluster.owner();
  if (!from) throw new Error('no process owns the tenant');
  const t: Takeover = { from, fromPid: from.pid, signal, at: Date.now() };
  from.signal(signal);
  try {
    const next = await cluster.nextOwner(t.at, { not: [from], timeoutMs });
    t.to = next.process;
    t.ownerLineAt = next.at;
  } catch {
    // no takeover within the wait: left undefined, the caller reports it
  }
  return t;
}

/**
 * When the new owner took over, measured from the signal: its `sync.owner` line or its first write to Graph or
 * CloudLink, whichever came first. Undefined when nobody took over.
 */
export function takeoverMs(cluster: Cluster, t: Takeover): number | undefined {
  if (!t.to || t.ownerLineAt === undefined) return undefined;
  const firstWrite = cluster.outbound
    .writes()
    .find((w) => w.at >= t.at && cluster.processOfPid(w.pid) === t.to)?.at;
  return Math.min(t.ownerLineAt, firstWrite ?? Infinity) - t.at;
}

/** Resolves once the owner runs the engine with its subscriptions made: both CloudLink topics and every monitor. */
export async function engineReady(cluster: Cluster, timeoutMs = 60_000): Promise<ClusterProcess> {
  const until = Date.now() + timeoutMs;
  const { emulators, company, proxyUrl } = cluster;
  for (;;) {
    const owner = cluster.owner();
    const cloudlink = emulators.cloudlink.control
      .subscriptions(company.cloudlink.accountId)
      .filter((s) => s.deviceId.startsWith(proxyUrl));
    const graph = emulators.graph.control
      .subscriptions()
      .filter((s) => s.notificationUrl.startsWith(proxyUrl));
    if (owner && cloudlink.length === 2 && graph.length > 0) return owner;
    if (Date.now() > until)
      throw new Error(
        `the sync engine did not get ready: owner ${owner?.name ?? 'none'}, ${cloudlink.length} CloudLink and ` +
          `${graph.length} Graph subscriptions`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClusterMembers } from '../ports/cluster-members';
import type { SyncClock } from './clock';
import type { SyncLog } from './log';
import { decideTake, shouldHandOver, type SpreadView, type TakeDecision } from './spread';

/**
 * What a tenant's OwnedSyncService asks before it takes a free lease and after it renews one (ownership.ts), so the
 * tenants of a hosted deployment spread over its processes instead of all going to whichever started first.
 */
export interface SpreadGate {
  /**
   * A lease holder name for one sync service here, under this member's id, so the store's leases say who holds what.
   * One per service instance: a rebuilt sync service starts a new term.
   */
  newHolder(): string;
  /** A tenant's sync contends for its lease in this process (counts in the fair share) until `withdraw`. */
  enlist(tenantId: string): void;
  withdraw(tenantId: string): void;
  /** The tenant's lease is free: may this process take it now? Counts it as taken here when the answer is yes. */
  mayTake(tenantId: string): Promise<TakeDecision>;
  /** The outcome of a take that mayTake allowed. */
  took(tenantId: string, owned: boolean): void;
  /** Another process holds the tenant's lease (a handover from here is complete). */
  heldElsewhere(tenantId: string): void;
  /** This process no longer runs the tenant (stood down, stopped). */
  lost(tenantId: string): void;
  /** Asked by an owner after a renewal; yes means: stop the engine and release the lease now (counted as done). */
  handOver(tenantId: string): Promise<boolean>;
}

export interface ClusterSpreadOptions {
  members: ClusterMembers;
  /** The name of the leases being spread (SYNC_LEASE). */
  leaseName: string;
  clock: SyncClock;
  log: SyncLog;
  /** The heartbeat's lifetime: a member that stops renewing stops counting after this (default the lease's ttl). */
  ttlMs: number;
  /** How often the heartbeat is renewed (default the lease renewal interval). */
  heartbeatEveryMs: number;
  /** A tenant free this long is taken by any member (spread.ts). */
  orphanGraceMs?: number;
  /** A tenant handed over is not taken back by this process for this long, unless nobody took it. */
  handBackAfterMs?: number;
  memberId?: string;
}

/** Reads of the store's view are shared by the decisions of this long (a burst of ten tenants asks ten times). */
const VIEW_MAX_AGE_MS = 300;

/**
 * This process as a member of the cluster: its heartbeat row in `cluster_members`, and the bookkeeping of which
 * tenants it holds, is taking or handed over, with the decisions of spread.ts on top. Decisions are serialized, so a
 * burst of free tenants at start counts each one taken before deciding on the next.
 */
export class ClusterSpread implements SpreadGate {
  readonly memberId: string;
  private readonly enlisted = new Set<string>();
  private readonly owned = new Set<string>();
  private readonly taking = new Set<string>();
  /** Tenants handed over from here, until when this process leaves them to the others. */
  private readonly handedOver = new Map<string, number>();
  private readonly firstSeenFree = new Map<string, number>();
  private deciding: Promise<unknown> = Promise.resolve();
  private view: {
    at: number;
    live: { memberId: string; expiresAt: number }[];
    held: Map<string, number>;
  } | null = null;
  private cancelHeartbeat: (() => void) | null = null;
  private heartbeatFailing = false;
  private stopped = false;
  /** The heartbeat being written: a stop waits for it, so the leave is the last word. */
  private beating: Promise<void> = Promise.resolve();
  private readonly orphanGraceMs: number;
  private readonly handBackAfterMs: number;

  constructor(private readonly options: ClusterSpreadOptions) {
    this.memberId = options.memberId ?? `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
    this.orphanGraceMs = options.orphanGraceMs ?? Math.min(2_000, options.heartbeatEveryMs);
    this.handBackAfterMs = options.handBackAfterMs ?? 3 * options.heartbeatEveryMs;
  }

  /** Says this process is alive, and keeps saying it until stop(). */
  async start(): Promise<void> {
    this.beating = this.heartbeat();
    await this.beating;
    this.options.log.info(
      { event: 'cluster.joined', memberId: this.memberId },
      'this process counts as a cluster member: tenants spread over the live members',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = null;
    await this.beating;
    await this.options.members.leave(this.memberId).catch(() => undefined);
    this.options.log.info(
      { event: 'cluster.left', memberId: this.memberId },
      'this process left the cluster',
    );
  }

  private async heartbeat(): Promise<void> {
    const { members, clock, ttlMs, heartbeatEveryMs, log } = this.options;
    if (this.stopped) return;
    try {
      await members.heartbeat(this.memberId, clock.now(), ttlMs);
      if (this.heartbeatFailing)
        log.info(
          { event: 'cluster.heartbeatRestored', memberId: this.memberId },
          'cluster heartbeat saved again',
        );
      this.heartbeatFailing = false;
      // Members dead for a long while are only clutter; live ones never match.
      await members.prune(clock.now() - 10 * ttlMs);
    } catch (err) {
      if (!this.heartbeatFailing)
        log.warn(
          { err, event: 'cluster.heartbeatFailed', memberId: this.memberId },
          'could not save the cluster heartbeat: the other processes stop counting this one when it runs out',
        );
      this.heartbeatFailing = true;
    }
    // A heartbeat in flight when stop() ran must not schedule another (nor write one after the leave).
    if (this.stopped) return;
    this.cancelHeartbeat = clock.setTimer(heartbeatEveryMs, () => {
      this.beating = this.heartbeat();
    });
  }

  newHolder(): string {
    return `${this.memberId}/${randomBytes(3).toString('hex')}`;
  }

  enlist(tenantId: string): void {
    this.enlisted.add(tenantId);
  }

  withdraw(tenantId: string): void {
    this.enlisted.delete(tenantId);
    this.lost(tenantId);
    this.handedOver.delete(tenantId);
    this.firstSeenFree.delete(tenantId);
  }

  mayTake(tenantId: string): Promise<TakeDecision> {
    return this.serialized(async () => {
      const now = this.options.clock.now();
      const freeSince = this.firstSeenFree.get(tenantId) ?? now;
      this.firstSeenFree.set(tenantId, freeSince);
      const handBackAt = this.handedOver.get(tenantId);
      if (handBackAt !== undefined && handBackAt > now) return { take: false, recheckInMs: handBackAt - now };
      this.handedOver.delete(tenantId);
      const decision = decideTake(await this.spreadView(now), now - freeSince, {
        orphanGraceMs: this.orphanGraceMs,
      });
      if (decision.take) {
        this.taking.add(tenantId);
        this.firstSeenFree.delete(tenantId);
      }
      return decision;
    });
  }

  took(tenantId: string, owned: boolean): void {
    this.taking.delete(tenantId);
    if (owned) this.owned.add(tenantId);
    this.view = null;
  }

  heldElsewhere(tenantId: string): void {
    this.firstSeenFree.delete(tenantId);
    this.handedOver.delete(tenantId);
  }

  lost(tenantId: string): void {
    this.owned.delete(tenantId);
    this.taking.delete(tenantId);
    this.view = null;
  }

  handOver(tenantId: string): Promise<boolean> {
    return this.serialized(async () => {
      const now = this.options.clock.now();
      if (!this.owned.has(tenantId)) return false;
      // One handover at a time: the next waits until the last one's tenant is held elsewhere (or came back).
      for (const until of this.handedOver.values()) if (until > now) return false;
      if (!shouldHandOver(await this.spreadView(now, true))) return false;
      this.owned.delete(tenantId);
      this.handedOver.set(tenantId, now + this.handBackAfterMs);
      this.view = null;
      return true;
    });
  }

  /** Live members and their holdings from the store, with this process's own count from what it knows itself. */
  private async spreadView(now: number, fresh = false): Promise<SpreadView> {
    const { members, leaseName } = this.options;
    if (fresh || !this.view || now - this.view.at > VIEW_MAX_AGE_MS) {
      const [live, leases] = await Promise.all([members.live(now), members.heldLeases(leaseName, now)]);
      const held = new Map<string, number>();
      for (const lease of leases) {
        const member = memberOfHolder(lease.holder);
        held.set(member, (held.get(member) ?? 0) + 1);
      }
      this.view = { at: now, live, held };
    }
    const holdings = new Map<string, number>();
    let nextExpiry: number | null = null;
    for (const m of this.view.live) {
      if (m.memberId === this.memberId) continue;
      holdings.set(m.memberId, this.view.held.get(m.memberId) ?? 0);
      if (nextExpiry === null || m.expiresAt < nextExpiry) nextExpiry = m.expiresAt;
    }
    holdings.set(this.memberId, this.owned.size + this.taking.size);
    return {
      self: this.memberId,
      holdings,
      tenants: this.enlisted.size,
      nextExpiryInMs: nextExpiry === null ? null : nextExpiry - now,
    };
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.deciding.catch(() => undefined).then(work);
    this.deciding = next.catch(() => undefined);
    return next;
  }
}

/** The member id in a holder name made by newHolder (`<member id>/<instance>`); older holders name themselves. */
export function memberOfHolder(holder: string): string {
  const slash = holder.lastIndexOf('/');
  return slash < 0 ? holder : holder.slice(0, slash);
}

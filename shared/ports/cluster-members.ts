/**
 * The processes of a deployment that share one database and spread the tenants' sync between them (issue 16 with
 * issue 12's ownership; shared/sync/spread.ts decides, shared/sync/cluster-spread.ts acts). A member is live while
 * its heartbeat has not run out; a dead one stops counting when the fair share is worked out, so survivors take its
 * tenants. Times are epoch ms as each process reads its clock, like the leases.
 */
export interface ClusterMember {
  memberId: string;
  startedAt: number;
  /** When the member last said it was alive. */
  heartbeatAt: number;
  /** Live until then unless it says so again. */
  expiresAt: number;
}

/** Who holds a named lease of one tenant right now (an unexpired lease row). */
export interface HeldLease {
  tenantId: string;
  holder: string;
  expiresAt: number;
}

export interface ClusterMembers {
  /** Registers the member or renews it: live until now + ttlMs. The first call sets startedAt. */
  heartbeat(memberId: string, now: number, ttlMs: number): Promise<void>;
  /** The members live at `now` (expiresAt > now), oldest first. */
  live(now: number): Promise<ClusterMember[]>;
  /** The member leaves (a clean stop): it stops counting at once. */
  leave(memberId: string): Promise<void>;
  /** Drops members whose heartbeat ran out before `before` (housekeeping; they already do not count). */
  prune(before: number): Promise<void>;
  /** Every tenant's lease of that name that is held at `now`, across tenants: how the work is spread today. */
  heldLeases(name: string, now: number): Promise<HeldLease[]>;
}

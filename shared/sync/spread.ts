/**
 * How the tenants' sync leases spread over the processes of one deployment (issue 16 with issue 12's ownership). Pure:
 * the numbers come from the store (cluster_members, leases) through cluster-spread.ts, which acts on the answers.
 *
 * Why it is needed: every process opens every tenant and each tenant's sync lease goes to whoever asks first, so the
 * first process to start would own them all, and a survivor of a crash would keep all it took over. One process then
 * carries every busy tenant's engine, and its death stops the sync of every tenant at once.
 *
 * The rules, each process deciding alone from what it reads:
 * - take a free tenant while below the fair share, ceil(tenants / live members), and nobody live holds fewer (the
 *   least loaded go first, so a burst of free tenants lands evenly);
 * - availability beats fairness: a tenant left free for `orphanGraceMs` is taken by anyone, whatever its share (a
 *   member that counts as live may be frozen, or slow to start);
 * - an owner that holds two or more above the least loaded live member hands one over (stops its engine, releases
 *   the lease); one at a time, so the cluster does not swing. At rest, then, the holdings differ by at most one.
 */

export interface SpreadView {
  /** This process's member id. */
  self: string;
  /** Each live member's held tenants; this process's own count includes the ones it is taking right now. */
  holdings: ReadonlyMap<string, number>;
  /** How many tenants are being spread (those with a sync to run). */
  tenants: number;
  /** When the soonest heartbeat of another live member runs out, from now (the share may change then); or null. */
  nextExpiryInMs: number | null;
}

export interface SpreadTimes {
  /** A tenant free this long is taken by any member, fair share or not. */
  orphanGraceMs: number;
}

export type TakeDecision = { take: true; reason: 'share' | 'orphan' } | { take: false; recheckInMs: number };

/** The most tenants a member should hold when `tenants` are spread over `members` live ones. */
export function fairShare(tenants: number, members: number): number {
  return Math.ceil(tenants / Math.max(1, members));
}

function mine(view: SpreadView): number {
  return view.holdings.get(view.self) ?? 0;
}

/** Members counted: the live ones, and this process even before its first heartbeat is stored. */
function memberCount(view: SpreadView): number {
  return view.holdings.has(view.self) ? view.holdings.size : view.holdings.size + 1;
}

function leastOfOthers(view: SpreadView): number | null {
  let least: number | null = null;
  for (const [member, held] of view.holdings)
    if (member !== view.self && (least === null || held < least)) least = held;
  return least;
}

/**
 * A tenant's lease is free (expired, released or never taken) and has been for `freeForMs` as this process saw it:
 * should this process take it now, or look again later (when the orphan grace ends or a member's heartbeat runs out)?
 */
export function decideTake(view: SpreadView, freeForMs: number, times: SpreadTimes): TakeDecision {
  if (freeForMs >= times.orphanGraceMs) return { take: true, reason: 'orphan' };
  const held = mine(view);
  const least = leastOfOthers(view);
  if (held < fairShare(view.tenants, memberCount(view)) && (least === null || held <= least))
    return { take: true, reason: 'share' };
  const untilOrphan = times.orphanGraceMs - freeForMs;
  const recheckInMs =
    view.nextExpiryInMs === null ? untilOrphan : Math.min(untilOrphan, Math.max(0, view.nextExpiryInMs));
  return { take: false, recheckInMs };
}

/** An owner, after renewing one of its leases: should it hand that tenant to a less loaded member? */
export function shouldHandOver(view: SpreadView): boolean {
  const least = leastOfOthers(view);
  return least !== null && mine(view) >= least + 2;
}

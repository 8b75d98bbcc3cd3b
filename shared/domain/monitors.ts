/** Graph allows at most this many user ids in one presence subscription, and one subscription per monitor account. */
export const MAX_USERS_PER_MONITOR = 650;

export function monitorsNeeded(syncedUsers: number): number {
  return Math.ceil(Math.max(0, syncedUsers) / MAX_USERS_PER_MONITOR);
}

export interface MonitorSlot {
  monitorId: string;
  userIds: string[];
}

export interface Assignment {
  /** monitorId → the user ids it should watch, in every monitor given (empty when it has nothing to watch). */
  byMonitor: Map<string, string[]>;
  /** Users no monitor has room for: the admin must add monitors (or polling covers them). */
  unassigned: string[];
  /** Monitors whose user list changed, so their subscription must be recreated. */
  changed: string[];
}

/**
 * Spreads users over monitors, keeping every user with the monitor that already watches them so that adding or
 * removing a few users touches as few subscriptions as possible.
 */
export function assignUsers(userIds: string[], monitors: MonitorSlot[]): Assignment {
  const wanted = new Set(userIds);
  const placed = new Set<string>();
  const byMonitor = new Map<string, string[]>();
  for (const m of monitors) {
    const kept = m.userIds.filter((id) => wanted.has(id) && !placed.has(id)).slice(0, MAX_USERS_PER_MONITOR);
    kept.forEach((id) => placed.add(id));
    byMonitor.set(m.monitorId, kept);
  }
  const unassigned: string[] = [];
  const slots = monitors.map((m) => byMonitor.get(m.monitorId) as string[]);
  let slot = 0;
  for (const id of userIds) {
    if (placed.has(id)) continue;
    while (slot < slots.length && slots[slot].length >= MAX_USERS_PER_MONITOR) slot++;
    if (slot >= slots.length) unassigned.push(id);
    else slots[slot].push(id);
    placed.add(id);
  }
  const changed = monitors
    .filter((m) => {
      const now = byMonitor.get(m.monitorId) as string[];
      return now.length !== m.userIds.length || now.some((id, i) => id !== m.userIds[i]);
    })
    .map((m) => m.monitorId);
  return { byMonitor, unassigned, changed };
}

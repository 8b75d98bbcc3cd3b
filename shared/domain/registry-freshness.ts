/**
 * How old a process's last good read of the tenant registry may be before it serves no tenant at all (and the
 * operator's offboarding stops waiting for it): with a registry it cannot read, it could not learn that a tenant was
 * offboarded. Six refreshes, so one slow or failed read changes nothing.
 */
export const REGISTRY_STALE_MS = 30_000;

/**
 * Whether a server whose last good registry read was at `readAt` still serves tenants at `now`. One rule for the
 * server itself, the operator's view of who serves what, and the offboarding's wait; `marginMs` is for a judge on
 * another machine (its clock is not the server's, and a request let in just before the server went stale may still
 * be writing).
 */
export function readRegistryLately(
  readAt: number,
  now: number,
  options: { staleMs?: number; marginMs?: number } = {},
): boolean {
  return now - readAt <= (options.staleMs ?? REGISTRY_STALE_MS) + (options.marginMs ?? 0);
}

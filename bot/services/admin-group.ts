import type { GraphPort } from '../../shared/ports/graph';

/** How long a read of the admin group's members is used before it is read again. */
const MEMBERS_CACHE_MS = 5 * 60_000;

/**
 * Membership of ADMIN_GROUP_ID (single-tenant mode), read with the app's Graph permissions and cached for five
 * minutes, so a sign-in does not cost a Graph call.
 */
export function adminGroupCheck(
  graph: Pick<GraphPort, 'listGroupMemberIds'>,
  groupId: string,
  now: () => number,
): (tenantId: string, userId: string) => Promise<boolean> {
  let cache: { at: number; members: Set<string> } | undefined;
  return async (_tenantId, userId) => {
    if (!cache || now() - cache.at > MEMBERS_CACHE_MS)
      cache = { at: now(), members: new Set(await graph.listGroupMemberIds(groupId)) };
    return cache.members.has(userId);
  };
}

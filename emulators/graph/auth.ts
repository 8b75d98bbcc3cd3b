import type { AccessTokenClaims, Directory, DirectoryTenant, TokenVerifier } from '../common/directory';
import { GraphFailure } from './errors';

/**
 * Who is calling, as established from the bearer token the Entra emulator vouches for. Permissions come from the
 * token only (roles for app-only tokens, scp for delegated ones), as in Graph.
 */

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export interface Caller {
  tenant: DirectoryTenant;
  appId: string;
  /** The signed-in user's object id, for delegated tokens. */
  userId?: string;
  delegated: boolean;
  permissions: Set<string>;
  /** epoch ms when the token expires (subscriptions need reauthorization then). */
  tokenExpiresAt: number;
}

const invalidToken = (message: string) => new GraphFailure(401, 'InvalidAuthenticationToken', message);

export async function authenticate(
  authorization: string | undefined,
  directory: Directory,
  verifyToken: TokenVerifier,
): Promise<Caller> {
  if (!authorization) throw invalidToken('Access token is empty.');
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!m) throw invalidToken('Access token is empty.');
  let claims: AccessTokenClaims;
  try {
    claims = await verifyToken(m[1] as string, GRAPH_AUDIENCE);
  } catch (e) {
    const message = e instanceof Error && e.message ? e.message : 'Access token validation failure.';
    throw invalidToken(
      message.startsWith('Access token') ? message : `Access token validation failure. ${message}`,
    );
  }
  const tenant = directory.tenants.get(claims.tid);
  if (!tenant) throw invalidToken('Access token validation failure. Invalid audience.');
  const delegated = typeof claims.scp === 'string' && claims.scp.length > 0;
  if (delegated && (!claims.oid || !tenant.users.has(claims.oid))) {
    throw invalidToken(
      'Access token validation failure. The user in the token does not exist in the tenant.',
    );
  }
  const permissions = new Set(
    delegated ? (claims.scp as string).split(' ').filter(Boolean) : (claims.roles ?? []),
  );
  return {
    tenant,
    appId: claims.appid,
    userId: delegated ? claims.oid : undefined,
    delegated,
    permissions,
    tokenExpiresAt: claims.exp * 1000,
  };
}

/** Any of the listed permissions of the caller's kind grants access. */
export function hasAny(
  caller: Caller,
  need: { app: readonly string[]; delegated: readonly string[] },
): boolean {
  const list = caller.delegated ? need.delegated : need.app;
  return list.some((p) => caller.permissions.has(p));
}

export const PERMISSIONS = {
  readUsers: {
    app: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    delegated: [
      'User.ReadBasic.All',
      'User.Read.All',
      'User.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  readGroupMembers: {
    app: [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    delegated: [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  /** GET /groups (list): GroupMember.Read.All is the least privileged (Graph's "List groups" permissions table). */
  readGroups: {
    app: [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    delegated: [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  /** GET /organization, as Graph's "List organization" permissions table has it. */
  readOrganization: {
    app: [
      'Organization.Read.All',
      'Organization.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    delegated: [
      'User.Read',
      'Organization.Read.All',
      'Organization.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  readPresence: {
    app: ['Presence.Read.All', 'Presence.ReadWrite.All'],
    delegated: ['Presence.Read.All', 'Presence.ReadWrite.All'],
  },
  readOwnPresence: {
    app: [],
    delegated: ['Presence.Read', 'Presence.Read.All', 'Presence.ReadWrite', 'Presence.ReadWrite.All'],
  },
  writePresence: {
    app: ['Presence.ReadWrite.All'],
    delegated: ['Presence.ReadWrite', 'Presence.ReadWrite.All'],
  },
  subscribePresence: { app: [], delegated: ['Presence.Read.All'] },
} as const;

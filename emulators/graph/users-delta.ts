import { randomUUID } from 'node:crypto';
import type { DirectoryTenant, DirectoryUser } from '../common/directory';
import { type ApiCall, ApiRoutes } from './api';
import { hasAny, PERMISSIONS } from './auth';
import { badRequest, directoryDenied, GraphFailure } from './errors';
import { parseSelect, userJson } from './users';

/**
 * GET /users/delta (and its full name /users/microsoft.graph.delta), as Graph documents change tracking for users:
 *
 * - The first call (no token) returns every user in pages: each page but the last carries `@odata.nextLink`
 *   (`$skiptoken`), the last carries `@odata.deltaLink` (`$deltatoken`). `$deltatoken=latest` answers no users and a
 *   deltaLink from now ("sync from now").
 * - Calling the deltaLink returns what changed since: new users in full; changed users as their id with the changed
 *   properties only; users gone as `{id, "@removed": {reason}}`, reason `changed` while restorable from the recycle
 *   bin, `deleted` when permanently deleted.
 * - `$select` is given on the first call only and carried in the tokens. Page size follows
 *   `Prefer: odata.maxpagesize` (default 100).
 * - A token the service no longer has state for (older than 7 days, evicted, or reset through the control API)
 *   answers 410 Gone, code `syncStateNotFound`, with a Location header naming a fresh initial query: the client must
 *   restart with a full synchronization. A token that is not one of ours answers 400.
 *
 * Each token names a snapshot of the directory taken when the round started; pages of a round are cut from stored
 * snapshots only, so paging is stable while the directory changes, and any change (also one made by a test directly
 * on the Directory's maps) shows in the next round.
 */

/** Identity resources keep delta state for 7 days. */
export const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;
/** Snapshots kept across all tenants; older ones are evicted (their tokens then answer 410). */
const MAX_SNAPSHOTS = 200;

interface Snapshot {
  id: string;
  tenantId: string;
  at: number;
  select: string[] | undefined;
  users: Map<string, Record<string, unknown>>;
  /** Ids in the recycle bin when the snapshot was taken. */
  recycled: Set<string>;
}

interface SkipToken {
  v: 1;
  /** The snapshot this round ends at. */
  s: string;
  /** The snapshot the round started from; null for the initial round. */
  b: string | null;
  o: number;
}
interface DeltaToken {
  v: 1;
  s: string;
}

const encode = (t: SkipToken | DeltaToken) => Buffer.from(JSON.stringify(t)).toString('base64url');

function decode<T>(raw: string, shape: (x: Record<string, unknown>) => boolean): T {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && parsed.v === 1 && shape(parsed)) return parsed as T;
  } catch {
    // fall through
  }
  throw badRequest('Invalid delta or skip token.', 'Request_BadRequest');
}

export class UserDeltaTracker {
  private readonly snapshots = new Map<string, Snapshot>();

  /** Forgets every snapshot: every token handed out answers 410 from now on (a service-side reset). */
  reset(): void {
    this.snapshots.clear();
  }

  snapshotCount(): number {
    return this.snapshots.size;
  }

  take(tenant: DirectoryTenant, select: string[] | undefined, now: number): Snapshot {
    const users = new Map<string, Record<string, unknown>>();
    for (const u of tenant.users.values()) users.set(u.id, projection(u, select));
    const snap: Snapshot = {
      id: randomUUID(),
      tenantId: tenant.id,
      at: now,
      select,
      users,
      recycled: new Set(tenant.deletedUsers.keys()),
    };
    this.snapshots.set(snap.id, snap);
    while (this.snapshots.size > MAX_SNAPSHOTS) {
      const oldest = this.snapshots.keys().next().value as string;
      this.snapshots.delete(oldest);
    }
    return snap;
  }

  /** The snapshot a token names, if it still exists for this tenant and has not expired. */
  find(id: string, tenantId: string, now: number): Snapshot | undefined {
    const s = this.snapshots.get(id);
    if (!s || s.tenantId !== tenantId) return undefined;
    if (now - s.at > DELTA_TOKEN_LIFETIME_MS) {
      this.snapshots.delete(id);
      return undefined;
    }
    return s;
  }
}

/** What a user looks like in delta answers: the selected properties, always with the id. */
function projection(u: DirectoryUser, select: string[] | undefined): Record<string, unknown> {
  const json = userJson(u, select);
  return { ...json, id: u.id };
}

/** The items of a round from `base` to `to`, ordered by id so pages are stable. */
function changes(base: Snapshot | null, to: Snapshot): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [id, now] of to.users) {
    const before = base?.users.get(id);
    if (!before) {
      out.push(now);
      continue;
    }
    const changed = Object.keys(now).filter(
      (k) => k !== 'id' && JSON.stringify(now[k]) !== JSON.stringify(before[k]),
    );
    if (changed.length > 0) out.push({ id, ...Object.fromEntries(changed.map((k) => [k, now[k]])) });
  }
  if (base) {
    for (const id of base.users.keys()) {
      if (!to.users.has(id))
        out.push({ id, '@removed': { reason: to.recycled.has(id) ? 'changed' : 'deleted' } });
    }
  }
  return out.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

function pageSize(call: ApiCall): number {
  const prefer = call.req.headers.prefer ?? '';
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  if (!m) return DEFAULT_PAGE;
  return Math.max(1, Math.min(MAX_PAGE, Number(m[1])));
}

const UNSUPPORTED = ['$top', '$orderby', '$search', '$expand', '$filter', '$skip', '$count'];

export function registerUserDeltaRoutes(routes: ApiRoutes, tracker: UserDeltaTracker): void {
  const handler = (call: ApiCall) => {
    if (!hasAny(call.caller, PERMISSIONS.readUsers)) throw directoryDenied();
    const q = call.req.query;
    const unsupported = UNSUPPORTED.find((p) => q.has(p));
    if (unsupported)
      throw badRequest(
        `The query parameter '${unsupported}' is not supported with change tracking over the 'Users' resource.`,
        'Request_UnsupportedQuery',
      );
    const tenant = call.caller.tenant;
    const now = call.ctx.now;
    const deltaPath = `${call.serviceRoot}/users/delta`;
    const gone = (select: string[] | undefined) => {
      const restart = select ? `${deltaPath}?$select=${select.join(',')}` : deltaPath;
      return new GraphFailure(
        410,
        'syncStateNotFound',
        'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
        { location: restart },
      );
    };
    const skipRaw = q.get('$skiptoken');
    const deltaRaw = q.get('$deltatoken');
    if (skipRaw !== null && deltaRaw !== null)
      throw badRequest('Specify either $skiptoken or $deltatoken, not both.');

    let to: Snapshot;
    let base: Snapshot | null;
    let offset = 0;
    if (skipRaw !== null) {
      const t = decode<SkipToken>(
        skipRaw,
        (x) =>
          typeof x.s === 'string' && typeof x.o === 'number' && (x.b === null || typeof x.b === 'string'),
      );
      const found = tracker.find(t.s, tenant.id, now);
      const foundBase = t.b === null ? null : tracker.find(t.b, tenant.id, now);
      if (!found || (t.b !== null && !foundBase)) throw gone(found?.select);
      to = found;
      base = foundBase ?? null;
      offset = t.o;
    } else if (deltaRaw !== null && deltaRaw.toLowerCase() === 'latest') {
      to = tracker.take(tenant, parseSelect(q), now);
      return answer(call, to, [], undefined, encode({ v: 1, s: to.id }));
    } else if (deltaRaw !== null) {
      const t = decode<DeltaToken>(deltaRaw, (x) => typeof x.s === 'string');
      const from = tracker.find(t.s, tenant.id, now);
      if (!from) throw gone(undefined);
      base = from;
      to = tracker.take(tenant, from.select, now);
    } else {
      base = null;
      to = tracker.take(tenant, parseSelect(q), now);
    }
    const all = changes(base, to);
    const size = pageSize(call);
    const value = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    return answer(
      call,
      to,
      value,
      more ? encode({ v: 1, s: to.id, b: base?.id ?? null, o: offset + size }) : undefined,
      more ? undefined : encode({ v: 1, s: to.id }),
    );
  };
  routes.on('GET', '/users/delta', handler);
  routes.on('GET', '/users/microsoft.graph.delta', handler);
}

function answer(
  call: ApiCall,
  snap: Snapshot,
  value: Record<string, unknown>[],
  skipToken: string | undefined,
  deltaToken: string | undefined,
) {
  const link = `${call.serviceRoot}/users/delta?`;
  const prefer = call.req.headers.prefer;
  return {
    status: 200,
    headers:
      prefer && /odata\.maxpagesize/i.test(prefer)
        ? { 'preference-applied': `odata.maxpagesize=${pageSize(call)}` }
        : undefined,
    body: {
      '@odata.context': `${call.serviceRoot}/$metadata#users${snap.select ? `(${snap.select.join(',')})` : ''}`,
      ...(skipToken ? { '@odata.nextLink': `${link}$skiptoken=${skipToken}` } : {}),
      ...(deltaToken ? { '@odata.deltaLink': `${link}$deltatoken=${deltaToken}` } : {}),
      value,
    },
  };
}

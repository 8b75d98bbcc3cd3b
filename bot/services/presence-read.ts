import type { SyncStatus } from '../../shared/api/contract';
import type { UserRecord } from '../../shared/ports/store';
import type { ServerDeps } from '../deps';

/** One user in GET /api/presence's answer (documented in docs/presence-api.md). */
export interface PresenceReadItem {
  id: string;
  upn: string;
  displayName: string;
  teams: SyncStatus['teams'];
  pbx: SyncStatus['pbx'];
  lastSyncAt: string | null;
}

type Deps = Pick<ServerDeps, 'store' | 'sync' | 'cloudlinkFor' | 'now' | 'logger'>;

/** How many CloudLink presence reads one API call runs at a time (a call may name 100 users). */
const PBX_READS_AT_ONCE = 8;

export interface PresenceReadResult {
  items: PresenceReadItem[];
  /** The names the caller sent that match no user of its tenant, as sent and in the order sent. */
  notFound: string[];
}

/**
 * GET /api/presence for other systems: the users named by object id or mail, in the order named (object ids and
 * mails compared without case, as Entra does), each once. A phone the sync has not heard from since it started (no
 * CloudLink event yet, so its view is empty) is read from CloudLink now: CloudLink presence says DND and status
 * text, and a phone that sent no call event is idle.
 */
export async function readPresence(
  deps: Deps,
  tenantId: string,
  names: { ids: string[]; mails: string[] },
): Promise<PresenceReadResult> {
  const users = await deps.store.listUsers(tenantId);
  const byId = new Map(users.map((u) => [u.entraUserId.toLowerCase(), u]));
  const byMail = new Map(users.map((u) => [u.upn.toLowerCase(), u]));
  const wanted: UserRecord[] = [];
  const notFound: string[] = [];
  const seen = new Set<string>();
  const take = (key: string, user: UserRecord | undefined) => {
    if (!user) return void notFound.push(key);
    if (seen.has(user.entraUserId)) return;
    seen.add(user.entraUserId);
    wanted.push(user);
  };
  for (const id of names.ids) take(id, byId.get(id.toLowerCase()));
  for (const mail of names.mails) take(mail, byMail.get(mail.toLowerCase()));

  const items = await inBatches(wanted, PBX_READS_AT_ONCE, async (u) => {
    const status = await deps.sync.status(tenantId, u.entraUserId);
    const pbx = status.pbx ?? (await readPhone(deps, tenantId, u));
    return {
      id: u.entraUserId,
      upn: u.upn,
      displayName: u.displayName,
      teams: status.teams,
      pbx,
      lastSyncAt: status.lastSyncAt,
    };
  });
  return { items, notFound };
}

/** One CloudLink presence read; null (and a log line) when the user has no phone or CloudLink does not answer. */
async function readPhone(deps: Deps, tenantId: string, user: UserRecord): Promise<PresenceReadItem['pbx']> {
  const cloudlink = deps.cloudlinkFor(tenantId);
  if (!cloudlink || !user.pbxPrincipalId) return null;
  try {
    const status = await cloudlink.getPresence(user.pbxPrincipalId);
    return {
      callState: 'idle',
      dnd: status.dnd,
      statusText: status.statusText ?? null,
      at: new Date(deps.now()).toISOString(),
    };
  } catch (e) {
    // The adapter has logged the failed call itself; this says what the reader got instead.
    deps.logger.warn(
      { err: e, tenantId, userId: user.entraUserId, code: 'presence_read_pbx_failed' },
      'presence read: CloudLink presence could not be read; the phone is reported unknown',
    );
    return null;
  }
}

/** Maps in order with at most `size` calls in flight. */
async function inBatches<T, R>(list: T[], size: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < list.length; i += size)
    out.push(...(await Promise.all(list.slice(i, i + size).map(map))));
  return out;
}

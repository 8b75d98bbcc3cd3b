import { MAX_USERS_PAGE } from '../../shared/api/schemas';
import type {
  AdminUserRow,
  AdminUsersResponse,
  AdminUserStatus,
  UserOverrideView,
} from '../../shared/api/contract';
import type { DirectoryDoc, PbxOnlyReason } from '../../shared/domain/directory';
import type { UserOverride } from '../../shared/domain/matching';
import type { PbxUser } from '../../shared/ports/cloudlink';
import type { UserRecord } from '../../shared/ports/store';

export const DEFAULT_PAGE = 50;
/** The most rows one page holds: the API's limit. */
export const MAX_PAGE = MAX_USERS_PAGE;

const STATUS_OF: Record<PbxOnlyReason, AdminUserStatus> = {
  noMail: 'noMail',
  noMatch: 'notMatched',
  ambiguous: 'ambiguous',
  contested: 'contested',
};

const pbxView = (p: PbxUser) => ({
  principalId: p.principalId,
  name: p.name,
  email: p.email,
  extension: p.extension,
});

/**
 * The admin's user list: every current Teams user (from the stored user records) and every PBX user without a Teams
 * match (from the directory document's matching report), sorted by name.
 */
export function adminUserRows(
  doc: DirectoryDoc,
  users: UserRecord[],
  overrides: UserOverride[],
): AdminUserRow[] {
  const pbxById = new Map(doc.pbx.map((p) => [p.principalId, p]));
  // Once Entra was read, records of users deleted or disabled since are not listed (they are leavers).
  const current =
    doc.entraReadAt === null
      ? null
      : new Set(doc.entra.filter((u) => u.accountEnabled !== false).map((u) => u.id));
  const manual = new Set(overrides.map((o) => `${o.pbxPrincipalId}\n${o.entraUserId}`));
  const rows: AdminUserRow[] = [];
  for (const u of users) {
    if (current && !current.has(u.entraUserId)) continue;
    const paired = u.pbxPrincipalId
      ? (pbxById.get(u.pbxPrincipalId) ?? {
          principalId: u.pbxPrincipalId,
          name: '',
          email: null,
          extension: u.extension,
        })
      : null;
    rows.push({
      key: u.entraUserId,
      entraUserId: u.entraUserId,
      upn: u.upn,
      displayName: u.displayName,
      extension: u.extension,
      selected: u.selected,
      matched: paired !== null,
      status: !paired
        ? 'noPbx'
        : manual.has(`${paired.principalId}\n${u.entraUserId}`)
          ? 'manual'
          : 'matched',
      pbx: paired && pbxView(paired),
      candidates: [],
      rivals: [],
    });
  }
  for (const entry of doc.pbxOnly) {
    rows.push({
      key: `pbx:${entry.pbx.principalId}`,
      entraUserId: null,
      upn: null,
      displayName: entry.pbx.name,
      extension: entry.pbx.extension,
      selected: false,
      matched: false,
      status: STATUS_OF[entry.reason],
      pbx: pbxView(entry.pbx),
      candidates: entry.candidates.map((c) => ({
        entraUserId: c.id,
        upn: c.userPrincipalName,
        displayName: c.displayName,
      })),
      rivals: entry.rivals,
    });
  }
  return rows.sort(
    (a, b) =>
      a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) ||
      a.key.localeCompare(b.key),
  );
}

/** Search (name, UPN, PBX name and mail, extension; case-insensitive) and one page of the result. */
export function pageOfRows(
  rows: AdminUserRow[],
  query: { q?: string; skip?: number; top?: number },
  doc: DirectoryDoc,
): AdminUsersResponse {
  const q = (query.q ?? '').trim().toLowerCase();
  const hits = q
    ? rows.filter((r) =>
        [r.displayName, r.upn, r.extension, r.pbx?.name, r.pbx?.email].some((v) =>
          v?.toLowerCase().includes(q),
        ),
      )
    : rows;
  const skip = query.skip ?? 0;
  const top = query.top ?? DEFAULT_PAGE;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    items: hits.slice(skip, skip + top),
    total: hits.length,
    skip,
    top,
    directory: {
      entraReadAt: iso(doc.entraReadAt),
      pbxReadAt: iso(doc.pbxReadAt),
      problem: doc.problem && {
        at: new Date(doc.problem.at).toISOString(),
        message: doc.problem.message,
        ...(doc.problem.text && { messageText: doc.problem.text }),
      },
    },
  };
}

/** The admin's overrides with names, and whether the last pairing could apply them. */
export function overrideViews(
  doc: DirectoryDoc,
  users: UserRecord[],
  overrides: UserOverride[],
): UserOverrideView[] {
  const pbxById = new Map(doc.pbx.map((p) => [p.principalId, p]));
  const userById = new Map(users.map((u) => [u.entraUserId, u]));
  const stale = new Set(doc.staleOverrides.map((o) => `${o.pbxPrincipalId}\n${o.entraUserId}`));
  return overrides.map((o) => ({
    ...o,
    pbxName: pbxById.get(o.pbxPrincipalId)?.name ?? null,
    upn: userById.get(o.entraUserId)?.upn ?? null,
    stale: stale.has(`${o.pbxPrincipalId}\n${o.entraUserId}`),
  }));
}

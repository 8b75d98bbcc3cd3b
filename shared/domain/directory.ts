import type { CodedText } from '../api/texts/coded-text';
import type { PbxUser } from '../ports/cloudlink';
import type { GraphUser, UsersDelta } from '../ports/graph';
import type { MatchResult, UserOverride } from './matching';

/**
 * What the directory reads found, kept per tenant in the store (directory_state): both sides' users as last read,
 * the Graph users delta link that continues from there, and the matching report the admin's user list shows.
 * Pure: the sync service (shared/sync/directory.ts) reads and writes it, the admin API reads it.
 */
export interface DirectoryDoc {
  /** Entra users as last read (disabled accounts included, `accountEnabled: false`). */
  entra: GraphUser[];
  /** Where the next Graph users delta round starts; null: the next read is a full round. */
  entraDeltaLink: string | null;
  entraReadAt: number | null;
  pbx: PbxUser[];
  pbxReadAt: number | null;
  /** PBX users without a Teams match, with why. */
  pbxOnly: PbxOnlyEntry[];
  /** The admin's overrides that could not be applied (a user gone, disabled, or paired by another override). */
  staleOverrides: UserOverride[];
  matchedAt: number | null;
  /**
   * The last refresh failed (a directory could not be read): what the admin sees until one succeeds. `text`: the
   * same by code when a service refused or failed (absent in documents written before, and for other errors).
   */
  problem: { at: number; message: string; text?: CodedText } | null;
}

export type PbxOnlyReason = 'noMail' | 'noMatch' | 'ambiguous' | 'contested';

export interface PbxOnlyEntry {
  pbx: PbxUser;
  reason: PbxOnlyReason;
  /** ambiguous: the Teams users the mail fits; contested: the Teams user it claims. */
  candidates: { id: string; userPrincipalName: string; displayName: string }[];
  /** contested: the other PBX users claiming (or holding) the same Teams user. */
  rivals: { principalId: string; name: string }[];
}

export const EMPTY_DIRECTORY: DirectoryDoc = {
  entra: [],
  entraDeltaLink: null,
  entraReadAt: null,
  pbx: [],
  pbxReadAt: null,
  pbxOnly: [],
  staleOverrides: [],
  matchedAt: null,
  problem: null,
};

/** The stored document, with defaults for anything missing (an older or empty document). */
export function parseDirectoryDoc(raw: Record<string, unknown> | undefined): DirectoryDoc {
  if (!raw) return { ...EMPTY_DIRECTORY };
  const doc = { ...EMPTY_DIRECTORY, ...(raw as Partial<DirectoryDoc>) };
  for (const k of ['entra', 'pbx', 'pbxOnly', 'staleOverrides'] as const)
    if (!Array.isArray(doc[k])) (doc as Record<string, unknown>)[k] = [];
  return doc;
}

/** The tenant settings document holding the admin's overrides. */
export const USER_OVERRIDES_DOCUMENT = 'userOverrides';

/** The admin's overrides from the tenant settings; malformed entries are dropped. */
export function readOverrides(settings: Record<string, unknown> | undefined): UserOverride[] {
  const raw = settings?.[USER_OVERRIDES_DOCUMENT];
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (o): o is UserOverride =>
      typeof o === 'object' &&
      o !== null &&
      typeof (o as UserOverride).pbxPrincipalId === 'string' &&
      typeof (o as UserOverride).entraUserId === 'string',
  );
}

/** The Entra users after a delta round: a full round replaces them, changes are merged property by property. */
export function applyUsersDelta(current: GraphUser[], delta: UsersDelta): GraphUser[] {
  const byId = new Map((delta.full ? [] : current).map((u) => [u.id, u]));
  for (const c of delta.changes) {
    if (c.kind === 'removed') {
      byId.delete(c.id);
      continue;
    }
    const before = byId.get(c.id) ?? { id: c.id, userPrincipalName: '', mail: null, displayName: '' };
    byId.set(c.id, { ...before, ...c.fields, id: c.id });
  }
  return [...byId.values()];
}

/** The matching report, per PBX user without a Teams match. */
export function pbxOnlyEntries(match: MatchResult): PbxOnlyEntry[] {
  const brief = (u: GraphUser) => ({
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
  });
  const rival = (p: PbxUser) => ({ principalId: p.principalId, name: p.name });
  return [
    ...match.unmatchedPbx.map((pbx): PbxOnlyEntry => ({
      pbx,
      reason: pbx.email ? 'noMatch' : 'noMail',
      candidates: [],
      rivals: [],
    })),
    ...match.ambiguous.map((a): PbxOnlyEntry => ({
      pbx: a.pbx,
      reason: 'ambiguous',
      candidates: a.candidates.map(brief),
      rivals: [],
    })),
    ...match.contested.flatMap((c) =>
      c.pbx.map((pbx): PbxOnlyEntry => ({
        pbx,
        reason: 'contested',
        candidates: [brief(c.entra)],
        rivals: [...(c.holder ? [c.holder] : []), ...c.pbx.filter((x) => x !== pbx)].map(rival),
      })),
    ),
  ];
}

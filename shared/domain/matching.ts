import type { GraphUser } from '../ports/graph';
import type { PbxUser } from '../ports/cloudlink';

/** The admin's hand-made pairing of a PBX user with a Teams (Entra) user: wins over mail/UPN matching. */
export interface UserOverride {
  pbxPrincipalId: string;
  entraUserId: string;
}

/** Why a pair was made: the admin's override, a pair kept from before (by object ids), or mail/UPN. */
export type MatchHow = 'override' | 'kept' | 'mail';

export interface UserMatch {
  pbx: PbxUser;
  entra: GraphUser;
  how: MatchHow;
}

export interface MatchOptions {
  /** The admin's overrides; one naming a user that no longer exists (or is disabled) is reported, not applied. */
  overrides?: readonly UserOverride[];
  /**
   * Pairs made before, PBX principal id → Entra object id. A pair is kept while both users exist and the PBX user's
   * mail names no other Teams user, so a renamed UPN or mail does not lose the mapping.
   */
  previous?: ReadonlyMap<string, string>;
}

export interface MatchResult {
  matched: UserMatch[];
  /** PBX users with no mail, or whose mail names no Entra user. */
  unmatchedPbx: PbxUser[];
  /** PBX users whose mail fits more than one Entra user (one's mail, another's UPN): reported, never guessed. */
  ambiguous: { pbx: PbxUser; candidates: GraphUser[] }[];
  /** Entra users no PBX user is matched to (contested ones included); disabled accounts are left out. */
  unmatchedEntra: GraphUser[];
  /**
   * Entra users more than one PBX user claims by mail, or one already paired (by override or kept) that another PBX
   * user claims: the claimants by mail are not matched. `holder` is the PBX user the Entra user is paired with.
   */
  contested: { entra: GraphUser; pbx: PbxUser[]; holder?: PbxUser }[];
  /** Overrides whose PBX or Teams user no longer exists, is disabled, or is already paired by another override. */
  staleOverrides: UserOverride[];
}

const key = (s: string) => s.trim().toLowerCase();

/**
 * Pairs PBX users with Entra users: the admin's overrides first, then pairs kept from before (by object ids), then
 * by mail or UPN, case-insensitively, and only when exactly one fits each way. Disabled Entra accounts never match.
 */
export function matchUsers(
  pbxUsers: PbxUser[],
  entraUsers: GraphUser[],
  options: MatchOptions = {},
): MatchResult {
  const active = entraUsers.filter((u) => u.accountEnabled !== false);
  const entraById = new Map(active.map((u) => [u.id, u]));
  const pbxById = new Map(pbxUsers.map((p) => [p.principalId, p]));
  const matched: UserMatch[] = [];
  const holderOf = new Map<GraphUser, PbxUser>();
  const pairedPbx = new Set<PbxUser>();
  const pair = (pbx: PbxUser, entra: GraphUser, how: MatchHow) => {
    matched.push({ pbx, entra, how });
    holderOf.set(entra, pbx);
    pairedPbx.add(pbx);
  };

  const staleOverrides: UserOverride[] = [];
  for (const o of options.overrides ?? []) {
    const pbx = pbxById.get(o.pbxPrincipalId);
    const entra = entraById.get(o.entraUserId);
    if (!pbx || !entra || pairedPbx.has(pbx) || holderOf.has(entra)) staleOverrides.push(o);
    else pair(pbx, entra, 'override');
  }

  const byKey = new Map<string, GraphUser[]>();
  const add = (k: string | null, u: GraphUser) => {
    if (!k) return;
    const list = byKey.get(key(k)) ?? [];
    if (!list.includes(u)) list.push(u);
    byKey.set(key(k), list);
  };
  for (const u of active) {
    add(u.userPrincipalName, u);
    add(u.mail, u);
  }
  const candidatesOf = (p: PbxUser) => (p.email ? (byKey.get(key(p.email)) ?? []) : []);

  // Kept pairs before any mail claim, so a new claim never takes a user a kept pair holds.
  for (const p of pbxUsers) {
    if (pairedPbx.has(p)) continue;
    const before = options.previous?.get(p.principalId);
    const entra = before === undefined ? undefined : entraById.get(before);
    if (!entra || holderOf.has(entra)) continue;
    const candidates = candidatesOf(p);
    if (candidates.length === 0 || candidates.includes(entra)) pair(p, entra, 'kept');
  }

  const unmatchedPbx: PbxUser[] = [];
  const ambiguous: MatchResult['ambiguous'] = [];
  const claims = new Map<GraphUser, PbxUser[]>();
  for (const p of pbxUsers) {
    if (pairedPbx.has(p)) continue;
    const candidates = candidatesOf(p);
    if (candidates.length === 0) unmatchedPbx.push(p);
    else if (candidates.length > 1) ambiguous.push({ pbx: p, candidates });
    else claims.set(candidates[0], [...(claims.get(candidates[0]) ?? []), p]);
  }
  const contested: MatchResult['contested'] = [];
  for (const [entra, pbx] of claims) {
    const holder = holderOf.get(entra);
    if (holder) contested.push({ entra, pbx, holder });
    else if (pbx.length === 1) pair(pbx[0], entra, 'mail');
    else contested.push({ entra, pbx });
  }
  return {
    matched,
    unmatchedPbx,
    ambiguous,
    unmatchedEntra: active.filter((u) => !holderOf.has(u)),
    contested,
    staleOverrides,
  };
}

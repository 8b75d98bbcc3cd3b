import type { GraphUser } from '../ports/graph';
import type { PbxUser } from '../ports/cloudlink';

export interface UserMatch {
  pbx: PbxUser;
  entra: GraphUser;
}

export interface MatchResult {
  matched: UserMatch[];
  /** PBX users with no mail, or whose mail names no Entra user. */
  unmatchedPbx: PbxUser[];
  /** PBX users whose mail fits more than one Entra user (one's mail, another's UPN): reported, never guessed. */
  ambiguous: { pbx: PbxUser; candidates: GraphUser[] }[];
  /** Entra users no PBX user is matched to (contested ones included). */
  unmatchedEntra: GraphUser[];
  /** Entra users two PBX users claim: neither is matched. */
  contested: { entra: GraphUser; pbx: PbxUser[] }[];
}

/** Matches PBX users to Entra users by mail or UPN, case-insensitively, and only when exactly one fits each way. */
export function matchUsers(pbxUsers: PbxUser[], entraUsers: GraphUser[]): MatchResult {
  const byKey = new Map<string, GraphUser[]>();
  const add = (key: string | null, u: GraphUser) => {
    if (!key) return;
    const k = key.trim().toLowerCase();
    const list = byKey.get(k) ?? [];
    if (!list.includes(u)) list.push(u);
    byKey.set(k, list);
  };
  for (const u of entraUsers) {
    add(u.userPrincipalName, u);
    add(u.mail, u);
  }
  const unmatchedPbx: PbxUser[] = [];
  const ambiguous: MatchResult['ambiguous'] = [];
  const claims = new Map<GraphUser, PbxUser[]>();
  for (const p of pbxUsers) {
    const candidates = p.email ? (byKey.get(p.email.trim().toLowerCase()) ?? []) : [];
    if (candidates.length === 0) unmatchedPbx.push(p);
    else if (candidates.length > 1) ambiguous.push({ pbx: p, candidates });
    else claims.set(candidates[0], [...(claims.get(candidates[0]) ?? []), p]);
  }
  const matched: UserMatch[] = [];
  const contested: MatchResult['contested'] = [];
  for (const [entra, pbx] of claims) {
    if (pbx.length === 1) matched.push({ pbx: pbx[0], entra });
    else contested.push({ entra, pbx });
  }
  const taken = new Set(matched.map((m) => m.entra));
  return {
    matched,
    unmatchedPbx,
    ambiguous,
    unmatchedEntra: entraUsers.filter((u) => !taken.has(u)),
    contested,
  };
}

import type { UserSelection } from '../api/contract';

/** By default every matched user syncs both ways. */
export const DEFAULT_SELECTION: UserSelection = {
  mode: 'allWithBlockList',
  blockList: [],
  groupId: null,
  allowList: [],
  sendToTeams: true,
  getFromTeams: true,
};

export interface SelectableUser {
  entraUserId: string;
  upn: string;
}

const listed = (list: string[], u: SelectableUser) =>
  list.some(
    (x) => x.toLowerCase() === u.entraUserId.toLowerCase() || x.toLowerCase() === u.upn.toLowerCase(),
  );

/**
 * Whether a user syncs at all. Lists hold Entra ids or UPNs. In group mode the allow list adds users outside the
 * group; the block list applies in the "all users" mode only.
 */
export function isSelected(
  selection: UserSelection,
  user: SelectableUser,
  groupMemberIds: ReadonlySet<string>,
): boolean {
  if (selection.mode === 'allWithBlockList') return !listed(selection.blockList, user);
  return groupMemberIds.has(user.entraUserId) || listed(selection.allowList, user);
}

export interface Directions {
  toTeams: boolean;
  fromTeams: boolean;
}

/** Per-direction switches: a user's own switch (null = tenant default) applies only if the tenant switch is on. */
export function directionsFor(
  selection: UserSelection,
  user: { selected: boolean; sendToTeams: boolean | null; getFromTeams: boolean | null },
): Directions {
  if (!user.selected) return { toTeams: false, fromTeams: false };
  return {
    toTeams: selection.sendToTeams && (user.sendToTeams ?? true),
    fromTeams: selection.getFromTeams && (user.getFromTeams ?? true),
  };
}

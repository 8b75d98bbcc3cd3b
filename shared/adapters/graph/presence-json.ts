import type { TeamsPresence } from '../../domain/presence';
import type { GraphSubscription, GraphUser } from '../../ports/graph';

/** Graph's wire shapes, as far as Switchboard reads them. */
export interface PresenceJson {
  id: string;
  availability: string;
  activity: string;
  statusMessage?: { message?: { content?: string } | null } | null;
  sequenceNumber?: string | null;
}

export interface UserJson {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string | null;
}

export interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

export function toTeamsPresence(p: PresenceJson): TeamsPresence {
  return {
    userId: p.id,
    availability: p.availability,
    activity: p.activity,
    statusMessage: p.statusMessage?.message?.content ?? null,
    ...(p.sequenceNumber ? { sequenceNumber: p.sequenceNumber } : {}),
  };
}

export function toGraphUser(u: UserJson): GraphUser {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail ?? null,
    displayName: u.displayName ?? '',
  };
}

export function toSubscription(s: Record<string, unknown>): GraphSubscription {
  return {
    id: String(s.id),
    resource: String(s.resource),
    expirationDateTime: String(s.expirationDateTime),
    ...(typeof s.clientState === 'string' ? { clientState: s.clientState } : {}),
  };
}

import type { NetworkFailure } from './network-failure';
import type { AppSessionPresence, TeamsPresence } from '../domain/presence';

/**
 * What Switchboard needs from Microsoft Graph. The adapter in shared/adapters/graph implements it over HTTP; the
 * sync engine and the bot depend only on this. Failures surface as GraphError.
 */
export interface GraphPort {
  /** POST /users/{id}/presence/setPresence with sessionId = the app's client id. `expiration` is an ISO 8601 duration (PT5M–PT4H). */
  setPresence(userId: string, presence: AppSessionPresence, expiration: string): Promise<void>;
  /** POST /users/{id}/presence/clearPresence. Resolves false when Graph says the session does not exist (404). */
  clearPresence(userId: string): Promise<boolean>;
  /** GET /users/{id}/presence */
  getPresence(userId: string): Promise<TeamsPresence>;
  /** POST /communications/getPresencesByUserId; the adapter splits more than 650 ids into several requests. */
  getPresencesByUserId(userIds: string[]): Promise<TeamsPresence[]>;
  /** GET /users/{idOrUpn}; undefined when the user does not exist. */
  findUser(idOrUpnOrMail: string): Promise<GraphUser | undefined>;
  /** GET /users with paging (id, userPrincipalName, mail, displayName). */
  listUsers(): AsyncIterable<GraphUser>;
  /**
   * GET /groups?$search="displayName:<text>" (with `ConsistencyLevel: eventual`): groups whose name has words
   * starting with the words of `text`, at most `limit`, for an admin choosing the synced group by name.
   */
  searchGroups(text: string, limit: number): Promise<GraphGroup[]>;
  /** GET /groups/{id}: the group, or undefined when the tenant has none with that id (Graph answered 404). */
  getGroup(groupId: string): Promise<GraphGroup | undefined>;
  /** GET /groups/{id}/members (transitive not needed): ids of user members. */
  listGroupMemberIds(groupId: string): Promise<string[]>;
  /**
   * GET /users/delta, every page up to the deltaLink. Without `deltaLink` a full round (every user, in full); with
   * one, only what changed since. Rejects with GraphError 410 (`syncStateNotFound`) when Graph no longer knows the
   * link: start a full round again. Optional: without it, directory refreshes list every user.
   */
  usersDelta?(deltaLink?: string): Promise<UsersDelta>;
}

/** One change of a users delta round. */
export type UserChange =
  /** A user new to us (in full), or the properties of a known user that changed (only those). */
  | { kind: 'upsert'; id: string; fields: Partial<Omit<GraphUser, 'id'>> }
  /** Deleted: `permanent` false while the user is restorable from the recycle bin (`reason: changed`). */
  | { kind: 'removed'; id: string; permanent: boolean };

export interface UsersDelta {
  changes: UserChange[];
  /** Where the next round starts (store it; it expires after 7 days without use). */
  deltaLink: string;
  /** True for a full round: users not in it no longer exist. */
  full: boolean;
}

/** Presence subscriptions need a delegated token of a presence monitor account, so they live on their own port. */
export interface GraphSubscriptionPort {
  create(monitor: MonitorCredentials, request: PresenceSubscriptionRequest): Promise<GraphSubscription>;
  renew(
    monitor: MonitorCredentials,
    subscriptionId: string,
    expirationDateTime: string,
  ): Promise<GraphSubscription>;
  reauthorize(monitor: MonitorCredentials, subscriptionId: string): Promise<void>;
  delete(monitor: MonitorCredentials, subscriptionId: string): Promise<void>;
  /** Signs the monitor account in without subscribing: a spare's password is checked while nobody depends on it. */
  signIn(monitor: MonitorCredentials): Promise<void>;
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  /** false for a disabled account (a leaver); undefined when not read. */
  accountEnabled?: boolean;
}

export interface GraphGroup {
  id: string;
  displayName: string;
  description: string | null;
}

export interface MonitorCredentials {
  /** The monitor account's UPN. */
  username: string;
  password: string;
}

export interface PresenceSubscriptionRequest {
  userIds: string[];
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState: string;
  expirationDateTime: string;
  /** When set, notifications carry encrypted resource data. */
  encryption?: { certificateBase64: string; certificateId: string };
}

export interface GraphSubscription {
  id: string;
  resource: string;
  expirationDateTime: string;
  clientState?: string;
}

/** A Graph failure with what an admin or the engine needs to act on it. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** From Retry-After, when Graph throttled the call. */
    readonly retryAfterMs?: number,
    /** Set (with status 0) when the call got no answer: the connection failed or the time ran out. */
    readonly network?: NetworkFailure,
  ) {
    super(`Graph ${status} ${code}: ${message}${requestId ? ` (request-id ${requestId})` : ''}`);
    this.name = 'GraphError';
  }
}

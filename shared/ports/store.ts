import type { ReportStatus } from '../api/contract';
import type { SyncInbox } from './sync-inbox';
import type { ClusterMembers } from './cluster-members';
import type { TenantRegistry } from './tenant-registry';

/**
 * Everything Switchboard persists, behind one interface. SQLite (embedded default) and PostgreSQL (scale-out)
 * implement it in shared/store and pass the same contract tests. Every method is scoped by tenant: one tenant can
 * never read another's rows. Secrets are stored sealed (see shared/platform/secret-box); the store never sees
 * plaintext secrets.
 */
export interface Store {
  /** Applies pending migrations; safe to call on every start and from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // --- tenant link: how this tenant reaches Entra/Graph and CloudLink, and the admin's choices ---
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  listTenants(): Promise<TenantRecord[]>;
  putTenant(tenant: TenantRecord): Promise<void>;

  // --- presence monitors (user accounts that each hold one Graph presence subscription) ---
  listMonitors(tenantId: string): Promise<MonitorRecord[]>;
  getMonitor(tenantId: string, monitorId: string): Promise<MonitorRecord | undefined>;
  /** The whole record, as an admin (or a seed) writes it. */
  putMonitor(monitor: MonitorRecord): Promise<void>;
  /**
   * The sync's progress on a monitor (state, subscription, users, client state, problem), written only if no admin
   * change came after the record it started from (same adminVersion); never its name or password. False: it came.
   */
  saveMonitorProgress(monitor: MonitorRecord): Promise<boolean>;
  deleteMonitor(tenantId: string, monitorId: string): Promise<void>;
  /**
   * Finds the monitor whose subscription a Graph notification names; the tenant is the notification's `tenantId`,
   * so a notification can only ever reach a monitor of the tenant it claims. Still check its clientState.
   */
  findMonitorBySubscription(tenantId: string, subscriptionId: string): Promise<MonitorRecord | undefined>;

  // --- users: the PBX ↔ Entra mapping and per-user switches ---
  listUsers(tenantId: string): Promise<UserRecord[]>;
  getUser(tenantId: string, entraUserId: string): Promise<UserRecord | undefined>;
  getUserByPbxId(tenantId: string, pbxPrincipalId: string): Promise<UserRecord | undefined>;
  /** Upserts all in one transaction (each record's own tenantId); the last record wins for a repeated id. */
  putUsers(users: UserRecord[]): Promise<void>;

  // --- per-user sync state: both sides, what we asserted, errors ---
  getSyncState(tenantId: string, entraUserId: string): Promise<SyncStateRecord | undefined>;
  listSyncStates(tenantId: string): Promise<SyncStateRecord[]>;
  /**
   * Writes if `state.version` is the stored version (0 for a user with no stored state) and resolves the new
   * version; otherwise rejects with StoreConflictError, and the caller re-reads and re-decides.
   */
  putSyncState(state: SyncStateRecord): Promise<number>;
  /**
   * putSyncState for many users in one transaction: per record, the new version, or null where the stored version
   * was not `state.version` (that record is not written; the others are).
   */
  putSyncStates(states: SyncStateRecord[]): Promise<(number | null)[]>;
  /**
   * Forgets every user's sync state of the tenant: what the sync believed of a world that is gone (the demo's
   * emulators start anew on every start). Settings, reports and conversations stay.
   */
  forgetSyncStates(tenantId: string): Promise<void>;

  /** Appends to the user's trace, keeping only the newest `keep` entries (default TRACE_KEEP). */
  appendTrace(entry: TraceEntry, keep?: number): Promise<void>;
  /** appendTrace for many entries, in order, in one transaction. */
  appendTraces(entries: TraceEntry[], keep?: number): Promise<void>;
  /** Newest first, in the order entries were appended. */
  listTrace(tenantId: string, entraUserId: string, limit?: number): Promise<TraceEntry[]>;

  // --- what went wrong, for the admin page (refused secrets, throttling, failed calls), newest kept ---
  /** Appends in order, keeping only the newest `keep` per tenant (default EVENTS_KEEP). */
  appendEvents(events: OperatorEvent[], keep?: number): Promise<void>;
  /** Newest first. */
  listEvents(tenantId: string, limit?: number): Promise<OperatorEvent[]>;

  // --- problem reports ---
  createReport(report: ProblemReport): Promise<void>;
  getReport(tenantId: string, reportId: string): Promise<ProblemReport | undefined>;
  /** Newest first (createdAt). */
  listReports(
    tenantId: string,
    filter?: { reporterId?: string; status?: ReportStatus },
  ): Promise<ProblemReport[]>;
  /** Replaces the stored report (status, history, ...); resolves false if that tenant has no such report. */
  updateReport(report: ProblemReport): Promise<boolean>;

  // --- bot conversation references (for proactive notices) and user settings ---
  putConversation(ref: ConversationRecord): Promise<void>;
  getConversation(tenantId: string, key: string): Promise<ConversationRecord | undefined>;
  listConversations(tenantId: string): Promise<ConversationRecord[]>;
  /**
   * Deletes the reference only if it is still the one stored at `updatedAt` (a chat the connector said is gone), so
   * a newer one saved meanwhile (the user wrote again, an admin named another channel) is kept. Resolves whether it
   * deleted.
   */
  forgetConversation(tenantId: string, key: string, updatedAt: number): Promise<boolean>;
  /** DEFAULT_USER_SETTINGS when the user never saved any. */
  getUserSettings(tenantId: string, entraUserId: string): Promise<UserSettings>;
  putUserSettings(tenantId: string, entraUserId: string, settings: UserSettings): Promise<void>;

  // --- directory: both sides' users as last read, the Graph delta link, the matching report (shared/sync/directory) ---
  getDirectoryState(tenantId: string): Promise<Record<string, unknown> | undefined>;
  /** Replaces the tenant's directory document. */
  putDirectoryState(tenantId: string, state: Record<string, unknown>, at: number): Promise<void>;

  /** Records that a one-time notice was sent; resolves false if it had been already (dedupe across processes). */
  markNoticeSent(tenantId: string, noticeKey: string, at: number): Promise<boolean>;
  clearNotice(tenantId: string, noticeKey: string): Promise<void>;

  /** Keeps (or replaces) a missed-call notice to be tried again at `nextAt`. */
  putMissedCallRetry(retry: MissedCallRetry): Promise<void>;
  /** The retries due at `now`, every tenant's, the longest waiting first, at most `limit`. */
  dueMissedCallRetries(now: number, limit: number): Promise<MissedCallRetry[]>;
  deleteMissedCallRetry(tenantId: string, callId: string): Promise<void>;
  /**
   * Takes a due retry for one process: moves its time from `seenNextAt` (as listed) to `until`, only if it still is
   * `seenNextAt`. Resolves whether this caller took it (another process, or a later write, may have first).
   */
  claimMissedCallRetry(tenantId: string, callId: string, seenNextAt: number, until: number): Promise<boolean>;

  /**
   * Takes or extends a named lease (the tenant's `sync` lease: shared/sync/ownership.ts) so that, with many processes
   * on one database, one process at a time runs a tenant-wide job. Resolves the lease's fencing epoch if `holder` now
   * holds it until now + ttlMs (it was free, expired, or already this holder's), else null. The epoch stays the same
   * on a renewal (this holder, not yet expired) and goes up by one whenever the lease is taken anew: by another
   * holder, or by this one after it ran out or was released.
   */
  acquireLease(
    tenantId: string,
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
  ): Promise<number | null>;
  /** Gives the lease up early (only if `holder` holds it), so another process can take over at once; keeps the epoch. */
  releaseLease(tenantId: string, name: string, holder: string): Promise<void>;
  /** The lease as stored (held, expired or released), or undefined if nobody ever took it. */
  getLease(tenantId: string, name: string): Promise<LeaseRecord | undefined>;

  // --- CloudLink webhook key and subscriptions: they outlive our process at CloudLink, so they are kept here ---
  /**
   * The tenant's CloudLink webhook key, sealed. Stores `keySealed` only if the tenant has none yet and resolves the
   * stored one, so processes racing to create a key all end up with the same.
   */
  initCloudLinkWebhookKey(tenantId: string, keySealed: string, at: number): Promise<string>;
  /** The subscriptions we made at CloudLink, one per topic. */
  listCloudLinkSubscriptions(tenantId: string): Promise<CloudLinkSubscriptionRecord[]>;
  /** Upserts the tenant's subscription for `topic`. */
  putCloudLinkSubscription(subscription: CloudLinkSubscriptionRecord): Promise<void>;
  deleteCloudLinkSubscription(tenantId: string, topic: string): Promise<void>;

  // --- admin jobs (configuration check, resync all): state and result survive a restart ---
  /** Upserts by (tenant, job id). */
  putJob(job: JobRecord): Promise<void>;
  getJob(tenantId: string, jobId: string): Promise<JobRecord | undefined>;
  /** Newest first (startedAt); `kind` narrows, `limit` caps. */
  listJobs(tenantId: string, filter?: { kind?: string; limit?: number }): Promise<JobRecord[]>;
  /** Deletes the tenant's finished jobs but the newest `keep`; running jobs stay. */
  pruneJobs(tenantId: string, keep: number): Promise<void>;

  /** Where webhooks and admin calls wait for the process that runs the tenant's sync (ports/sync-inbox.ts). */
  syncInbox?(): SyncInbox;

  /** The tenants a hosted deployment serves, their onboarding and offboarding (ports/tenant-registry.ts). */
  tenantRegistry(): TenantRegistry;

  /** The processes sharing this database and who holds which tenant's lease (ports/cluster-members.ts). */
  clusterMembers(): ClusterMembers;
}

export interface CloudLinkSubscriptionRecord {
  tenantId: string;
  /** `platform-api-presence`, `platform-api-media`. */
  topic: string;
  subscriptionId: string;
  subjectFilter: string;
  createdAt: number;
}

export interface JobRecord {
  tenantId: string;
  jobId: string;
  kind: string;
  state: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
  /** A configuration check's steps (the API's CheckStep objects), else null. */
  steps: Record<string, unknown>[] | null;
  summary: string | null;
  error: string | null;
  /** The Entra user id of the admin who started it, when known. */
  startedBy: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** Refreshed while the job's process runs it; a running job whose heartbeat stopped was interrupted. */
  heartbeatAt: number;
}

/** How many operator events a tenant keeps. */
export const EVENTS_KEEP = 500;

/** One problem the server logged for a tenant, as the admin page lists it. Never a secret (the log redacts them). */
export interface OperatorEvent {
  tenantId: string;
  at: number;
  level: 'warn' | 'error';
  /** The log line's event code (e.g. outbound.refused), when it has one. */
  event: string | null;
  message: string;
  /** The line's other fields: service, operation, status, code, request id ... */
  detail: Record<string, unknown>;
}

/** How many trace entries a user keeps when appendTrace is not told otherwise. */
export const TRACE_KEEP = 200;

export interface TenantRecord {
  tenantId: string;
  displayName: string;
  clientId: string;
  /** Sealed client secret. */
  clientSecretSealed: string | null;
  /** epoch ms; warn 30 days ahead */
  clientSecretExpiresAt: number | null;
  /** epoch ms the client secret was last saved (from the environment's first seed or the admin page). */
  clientSecretSavedAt: number | null;
  cloudlink: {
    accountId: string;
    clientId: string;
    clientSecretSealed: string | null;
    clientSecretSavedAt: number | null;
  } | null;
  /** Opaque JSON documents owned by the domain (mapping table, user selection, switches, click-to-call defaults). */
  settings: Record<string, unknown>;
  updatedAt: number;
}

/** A missed PBX call, as its notice tells it. */
export interface MissedCall {
  callId: string;
  /** The caller's number as the PBX gave it. */
  number: string;
  name: string | null;
  /** ISO time of the call. */
  at: string;
}

/** A missed-call notice the connector did not take, kept for another try (bot/services/notices.ts). */
export interface MissedCallRetry {
  tenantId: string;
  userId: string;
  call: MissedCall;
  /** Tries so far, the first included. */
  attempts: number;
  nextAt: number;
}

/** `standby`: signed in fine, but no user needs it now (a spare, kept without a subscription). */
export type MonitorState =
  'new' | 'active' | 'renewing' | 'standby' | 'failed' | 'updateRequired' | 'deleted';

export interface MonitorRecord {
  tenantId: string;
  monitorId: string;
  username: string;
  passwordSealed: string;
  /** epoch ms, if the admin told us when the password expires */
  passwordExpiresAt: number | null;
  state: MonitorState;
  subscriptionId: string | null;
  subscriptionExpiresAt: number | null;
  /** The Entra user ids this monitor watches (at most 650). */
  userIds: string[];
  clientState: string | null;
  lastError: string | null;
  updatedAt: number;
  /**
   * Counts the admin's changes (new password, authorize, delete, a new app registration): each one writes the whole
   * record with this one higher. The sync's own writes (saveMonitorProgress) hold only while it is unchanged.
   */
  adminVersion: number;
}

/** The monitor as the admin changes it: `changes` applied, and the change counted so running sync work yields. */
export function adminChangedMonitor(
  m: MonitorRecord,
  changes: Partial<Omit<MonitorRecord, 'tenantId' | 'monitorId' | 'adminVersion'>>,
  updatedAt: number,
): MonitorRecord {
  return { ...m, ...changes, updatedAt, adminVersion: m.adminVersion + 1 };
}

/** A presence monitor account as an admin registers it: never signed in, no subscription, no users yet. */
export function newMonitorRecord(
  m: Pick<MonitorRecord, 'tenantId' | 'monitorId' | 'username' | 'passwordSealed'> &
    Partial<Pick<MonitorRecord, 'passwordExpiresAt'>>,
  updatedAt: number,
): MonitorRecord {
  return {
    passwordExpiresAt: null,
    ...m,
    state: 'new',
    subscriptionId: null,
    subscriptionExpiresAt: null,
    userIds: [],
    clientState: null,
    lastError: null,
    updatedAt,
    adminVersion: 0,
  };
}

export interface UserRecord {
  tenantId: string;
  entraUserId: string;
  upn: string;
  displayName: string;
  pbxPrincipalId: string | null;
  extension: string | null;
  /** Per-user direction switches; null means "tenant default". */
  sendToTeams: boolean | null;
  getFromTeams: boolean | null;
  /** Result of user selection (allow/block lists, group) when it was last applied. */
  selected: boolean;
  updatedAt: number;
}

export interface SyncStateRecord {
  tenantId: string;
  entraUserId: string;
  /** Opaque JSON owned by the sync engine (both presences, assertions, session expiry). */
  state: Record<string, unknown>;
  lastSyncAt: number | null;
  lastError: string | null;
  /** Optimistic concurrency: putSyncState with a stale version fails with StoreConflictError. */
  version: number;
}

export interface TraceEntry {
  tenantId: string;
  entraUserId: string;
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

/** One status vocabulary for reports: the API's. */
export type { ReportStatus };

export interface LeaseRecord {
  holder: string;
  /** The fencing epoch: one more for every term (see Store.acquireLease). */
  epoch: number;
  /** Epoch ms; in the past once the lease ran out or was released. */
  expiresAt: number;
  /** When the holder last took or renewed it: when it was last known alive (null before migration 007). */
  renewedAt: number | null;
}

export interface ProblemReport {
  tenantId: string;
  reportId: string;
  reporterId: string;
  reporterName: string;
  category: string;
  description: string;
  source: 'bot' | 'tab';
  /** Diagnostics attached at creation, already stripped of secrets. */
  diagnostics: Record<string, unknown> | null;
  status: ReportStatus;
  history: { at: number; by: string; status: ReportStatus; note?: string }[];
  createdAt: number;
  updatedAt: number;
}

export interface ConversationRecord {
  tenantId: string;
  /** `user:{entraUserId}` for personal chats, `admins` for the configured admin channel or chat. */
  key: string;
  /** The botbuilder ConversationReference, as JSON. */
  reference: Record<string, unknown>;
  updatedAt: number;
}

export interface UserSettings {
  missedCallNotice: boolean;
  /** Overrides the admin's default for this user's client types; undefined means "use the default". */
  clickToCall?: { desktop?: string; ios?: string; android?: string; web?: string };
}

/** Missed-call notices are opt-in: a user who never chose gets none. */
export const DEFAULT_USER_SETTINGS: UserSettings = { missedCallNotice: false };

export class StoreConflictError extends Error {
  constructor(what: string) {
    super(`concurrent update of ${what}`);
    this.name = 'StoreConflictError';
  }
}

/**
 * The sync layer's contract with its host (bot/, the tests, the benchmark): what createSyncService takes and what the
 * service it builds answers. Types only, so every file of the layer can use them without importing the barrel.
 */
import type { Registry } from 'prom-client';
import type { HealthView, MappingTable, PhoneResetResult, SyncStatus, UserSelection } from '../api/contract';
import type { CloudLinkPort, PbxEvent } from '../ports/cloudlink';
import type { GraphPort, GraphSubscriptionPort, MonitorCredentials } from '../ports/graph';
import type { Store } from '../ports/store';
import type { MatchResult } from '../domain/matching';
import type { SyncClock } from './clock';
import type { CloudLinkAnswer, CloudLinkPost, GraphNotification, WebhookAnswer } from './webhooks';
import type { LeaseFence } from './fence';
import type { SpreadGate } from './cluster-spread';
import type { SyncLog } from './log';
import type { HybridReadOptions } from './hybrid-reader';
import type { TenantBudget } from './tenant-budget';

export type { SyncLog } from './log';

export interface SyncOptions {
  tenantId: string;
  /** The app's client id: the sessionId of our presence session on every user. */
  clientId: string;
  /**
   * `hybrid` (the default in bot/): change notifications plus batched reads of every user that spend the tenant's
   * spare presence budget (hybrid-reader.ts); `notifications`: notifications alone; `polling`: reads alone.
   */
  mode: 'notifications' | 'polling' | 'hybrid';
  /** Hybrid mode's budget and read intervals (hybrid-reader.ts has the defaults). */
  hybridReads?: Partial<HybridReadOptions>;
  /** Public URLs Graph posts change and lifecycle notifications to (notifications mode). */
  notificationUrl?: string;
  lifecycleNotificationUrl?: string;
  /** Polling mode: how often every synced user's Teams presence is read (default 5 s). */
  pollIntervalMs?: number;
  /** How often a full resync runs (default 1 h; 0 disables the periodic run). */
  resyncIntervalMs?: number;
  /** How often Graph's users delta is read for new hires, leavers and renames (default 5 min; 0 disables it). */
  directoryRefreshIntervalMs?: number;
  /** The CloudLink user list is read again at a directory refresh when older than this (default 1 h). */
  pbxUserListIntervalMs?: number;
  /** PBX presence reads in flight during a resync, across all its batches (default 32). */
  pbxReadConcurrency?: number;
  /** setPresence session length; renewed `sessionRenewAheadMs` before it ends (defaults PT1H and 10 min). */
  sessionDurationMs?: number;
  sessionRenewAheadMs?: number;
  /** After we clear our session, how long a notification still showing it counts as our late echo (default 60 s). */
  settleMs?: number;
  /** Presence subscription lifetime asked of Graph (default 58 min; Graph allows 60) and how early it is renewed. */
  subscriptionLifetimeMs?: number;
  subscriptionRenewAheadMs?: number;
  /**
   * A resync re-reads a user's PBX at least this often even while the CloudLink feed is live (default 24 h): it
   * bounds how long a webhook lost inside CloudLink can leave the PBX side wrong.
   */
  pbxViewMaxAgeMs?: number;
  /**
   * The feed is leaned on only while events arrive through it: one within this long (default 1 h). A subscription
   * whose posts stopped reaching us cannot be told apart from a quiet account otherwise.
   */
  pbxFeedQuietLimitMs?: number;
  /**
   * Each resync also reads the PBX of one slice of the users the feed vouches for, so every user is read at least
   * every this many resyncs (default 4: every four hours with the hourly resync); 0 turns it off.
   */
  pbxVerifySlices?: number;
  /** Where CloudLink should post PBX events (without the key); unset: bot/ subscribes some other way. */
  cloudLinkWebhookUrl?: string;
  /**
   * The `key` secret CloudLink webhooks must carry. Unset: the tenant's key kept sealed in the store (with
   * `deps.secrets`), so a restart reuses its CloudLink subscriptions; without `deps.secrets`, random per process.
   */
  cloudLinkWebhookKey?: string;
  /**
   * One process per tenant runs the engine: the holder of the tenant's `sync` lease in the store (ownership.ts).
   * `false` skips the lease (a test that runs one service on a private store).
   */
  ownership?: OwnershipOptions | false;
}

export interface SyncDeps {
  /**
   * The tenant's Graph and CloudLink budgets and its metrics (tenant-budget.ts), built by the host before the adapters
   * so they meter through it too: the adapters' beforeRequest/onOutcome go to it, not to the service.
   */
  budget: TenantBudget;
  graph: GraphPort;
  subscriptions: GraphSubscriptionPort;
  cloudlink: CloudLinkPort;
  store: Store;
  clock?: SyncClock;
  /** Turns a monitor's sealed password into credentials (the secret box lives with the composition root). */
  monitorCredentials: (username: string, passwordSealed: string) => MonitorCredentials;
  /** The admin's documents; defaults apply when undefined. Read on every decision, so edits apply at once. */
  mapping?: () => MappingTable;
  selection?: () => UserSelection;
  /** Seals the CloudLink webhook key kept in the store (the composition root's SecretBox). */
  secrets?: SecretSealer;
  /**
   * Where the sync layer reports what an operator acts on (pino's Logger fits): ownership, Graph and CloudLink
   * subscriptions created, renewed, lost or re-created, lifecycle notifications, monitor sign-in failures. Silent when
   * unset.
   */
  log?: SyncLog;
  /**
   * A batched store write of sync states or trace entries failed. Sync goes on (the state is written again at the
   * user's next change), so without this nothing would tell the operator: wire it to the logger.
   */
  onStoreError?: (err: unknown, what: 'syncStates' | 'traces') => void;
  /**
   * Where several tenants share one process (hosted mode), the turn a scheduled resync waits for. Every tenant's
   * sync starts at the same moment, so their resyncs fall due together: without turns, fifty tenants reading every
   * PBX at once held the event loop for seconds and delayed every tenant's calls (the hosted bench). Unset: at once.
   */
  resyncTurn?: (resync: () => Promise<void>) => Promise<void>;
}

export interface ResyncProgress {
  done: number;
  total: number;
}

export interface ResyncResult extends ResyncProgress {
  /** PBX presences read; the live CloudLink feed vouched for the other users' PBX side. */
  pbxReads: number;
}

export interface ResyncOptions {
  /** Read every user's PBX even where the live feed vouches for it (the admin's "deep" resync). */
  readEveryPbx?: boolean;
}

export interface SyncService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Graph change and lifecycle notification items, as the edge read them (`readGraphPost`); each item's kind is its
   * own (`lifecycleEvent`). The owner takes them at once (202); a standby answers once it has stored them for the owner.
   */
  receiveGraphNotifications(items: GraphNotification[]): Promise<WebhookAnswer>;
  /** A CloudLink post, read only when its key is right; an answer of 202 names the event it carried (`event`). */
  receiveCloudLinkPost(post: CloudLinkPost): Promise<CloudLinkAnswer>;
  /** The secret CloudLink webhooks must carry as `?key=`. */
  readonly cloudLinkWebhookKey: string;
  /** Direct entry points (used by the webhook handlers, polling and tests). */
  onGraphNotifications(notifications: GraphNotification[]): Promise<void>;
  /** A CloudLink webhook as the adapter read it (null: a post the sync does not follow, which shows the feed lives). */
  onPbxEvent(event: PbxEvent | null): Promise<void>;
  /**
   * Compares both sides for every synced user and repairs drift. The PBX is read only for users the live CloudLink
   * feed cannot vouch for (see pbx-feed.ts), unless `readEveryPbx`.
   */
  resyncAll(progress?: (p: ResyncProgress) => void, options?: ResyncOptions): Promise<ResyncResult>;
  resyncUser(entraUserId: string): Promise<SyncStatus>;
  statusOf(entraUserId: string): Promise<SyncStatus>;
  /** Clears our Teams session and any PBX DND we set for this user, then re-decides from what both sides say. */
  /** Says what it gave back: our Teams session, a phone DND Switchboard set (even by another process), or nothing. */
  resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult>;
  /** Matches PBX ↔ Entra users by mail/UPN, applies the selection, stores users, resubscribes; reports the unmatched. */
  refreshUsers(): Promise<MatchResult & { monitorsNeeded: number }>;
  /** ceil(synced users / 650). */
  monitorsNeeded(): number;
  /** Resolves when every queued write has gone out, retries included (tests, shutdown). */
  idle(): Promise<void>;
  /** Resolves when nothing is running right now (retries waiting on the clock may remain). */
  settled(): Promise<void>;
  /** The registry holding the tenant's series (the budget's metrics sink, shared with the process's other tenants). */
  readonly metrics: Registry;
  health(): HealthView;
}

/** What the engine wrapped by ownership.ts must offer beyond SyncService: stop without deleting what the next owner reuses. */
export interface OwnableSyncService extends SyncService {
  /** Stops the engine but keeps the CloudLink subscriptions (recorded in the store) for the next owner. */
  halt(): Promise<void>;
  /** The user's status as the store holds it (what a process that does not run the engine can answer). */
  storedStatusOf(entraUserId: string): Promise<SyncStatus>;
}

/** How this process takes part in the tenant's one-owner lease (ownership.ts). */
export interface OwnershipOptions {
  /** This process's name in the lease (default host/pid/random). */
  holder?: string;
  /** How long a taken lease holds without renewal (default 10 s; SYNC_LEASE_TTL_MS). */
  ttlMs?: number;
  /** How often the owner renews and a standby tries to take over (default 2.5 s; SYNC_LEASE_RENEW_MS). */
  renewEveryMs?: number;
  /**
   * Taken off the lease on the owner's side before its writes stop (default 2 s; SYNC_LEASE_MARGIN_MS): the most two
   * processes' wall clocks may disagree plus the time a checked request needs to leave (fence.ts).
   */
  marginMs?: number;
  /** The fence the engine's ports were wrapped with (createSyncService); made here when unset. */
  fence?: LeaseFence;
  /**
   * Hosted mode with several processes: spreads the tenants' leases fairly over them (cluster-spread.ts). Unset:
   * the first process to ask takes the lease, as in single-tenant mode.
   */
  spread?: SpreadGate;
}

/** Seals and opens a secret kept in the store (the composition root's SecretBox). */
export interface SecretSealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

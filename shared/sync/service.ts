import { said } from '../api/texts/english';
import { codedProblem, problemFromStore, problemOnly } from './stored-problem';
import { randomBytes } from 'node:crypto';
import type { PhoneResetResult, SyncStatus, TeamsReadsView, UserSelection } from '../api/contract';
import { DEFAULT_MAPPING } from '../domain/mapping';
import type { MatchResult } from '../domain/matching';
import { monitorsNeeded } from '../domain/monitors';
import { DEFAULT_SELECTION, directionsFor } from '../domain/selection';
import { EMPTY_SYNC_STATE, type UserSyncState } from '../domain/sync-state';
import type { PbxEvent } from '../ports/cloudlink';
import { systemSyncClock, type SyncClock } from './clock';
import { CloudLinkSubscriptions } from './cloudlink-subscriptions';
import { SyncEngine, type UserSyncView } from './engine/sync-engine';
import type {
  ResyncOptions,
  ResyncProgress,
  ResyncResult,
  SyncDeps,
  SyncLog,
  OwnableSyncService,
  SyncOptions,
  SyncService,
} from './contract';
import { tenantLog } from './log';
import type { SyncGaugeSources, SyncMetrics } from './metrics';
import { Monitors } from './monitors';
import { leaseSettings, OwnedSyncService } from './ownership';
import { withSyncInbox } from './inbox-handoff';
import { UserDirectory, type DirectoryReads } from './directory';
import { Poller } from './poller';
import { DEFAULT_HYBRID_READS, HybridReader } from './hybrid-reader';
import { RequestWindow } from './read-budget';
import type { RateLimiter } from './rate-limiter';
import { inVerificationSlice } from './pbx-feed';
import { concurrencyLimit, resync } from './resync';
import { fencedCloudLink, fencedGraph, fencedSubscriptions, LeaseFence } from './fence';
import {
  acceptCloudLinkPost,
  type CloudLinkAnswer,
  type CloudLinkPost,
  type GraphNotification,
  type WebhookAnswer,
} from './webhooks';

const MINUTE = 60_000;
/** With the hourly resync, every user's PBX is read at least every four hours even while the feed is live. */
const DEFAULT_VERIFY_SLICES = 4;

/** Builds the sync service for one tenant. Nothing runs until start(). */
export function createSyncService(options: SyncOptions, given: SyncDeps): SyncService {
  const deps = { ...given, log: tenantLog(given.log ?? SILENT_LOG, options.tenantId) };
  // One owner per tenant (ownership.ts); every outbound write of the engine passes the owner's fence (fence.ts).
  const fence = options.ownership === false ? undefined : ownershipFence(options, deps);
  const service = new Service(options, deps, fence);
  if (options.ownership === false) return service;
  const clock = deps.clock ?? systemSyncClock;
  const log = deps.log;
  // Webhooks and admin calls may land on any process: a standby hands them to the owner through the store.
  const inbox = deps.store.syncInbox?.();
  const handoff = inbox
    ? withSyncInbox(service, {
        tenantId: options.tenantId,
        inbox,
        store: deps.store,
        clock,
        log,
        fixedKey: options.cloudLinkWebhookKey,
        sealer: deps.secrets,
        readWebhook: (body) => deps.cloudlink.readWebhook(body),
      })
    : null;
  return new OwnedSyncService(
    handoff?.engine ?? service,
    options.tenantId,
    deps.store,
    clock,
    log,
    { ...options.ownership, fence },
    handoff?.standby,
  );
}

/** Without an injected logger (tests, the benchmark) the sync layer says nothing; the server always injects one. */
const SILENT_LOG: SyncLog = { error: () => undefined, warn: () => undefined, info: () => undefined };

function ownershipFence(options: SyncOptions, deps: SyncDeps): LeaseFence {
  const { ttlMs, marginMs } = leaseSettings(options.ownership || undefined);
  return new LeaseFence(
    { tenantId: options.tenantId, ttlMs, marginMs },
    deps.clock ?? systemSyncClock,
    deps.log ?? SILENT_LOG,
  );
}

class Service implements OwnableSyncService {
  /** Our CloudLink subscriptions (presence and calls) and the webhook key, kept in the store across restarts. */
  private readonly feeds: CloudLinkSubscriptions | null;
  /** The key when there is no CloudLink webhook URL (bot/ subscribes some other way). */
  private readonly fallbackKey: string;
  private readonly clock: SyncClock;
  /** The tenant's Graph presence bucket (deps.budget: built by the host, shared with the Graph adapter). */
  private readonly limiter: RateLimiter;
  private readonly syncMetrics: SyncMetrics;
  /** What the tenant's metrics read at scrape time while this service runs. */
  private readonly gauges: SyncGaugeSources;
  private readonly engine: SyncEngine;
  private readonly monitors: Monitors | null;
  private readonly poller: Poller | null;
  /** Hybrid mode's budgeted reads of Teams presence (hybrid-reader.ts). */
  private readonly reader: HybridReader | null;
  private cancelResync: (() => void) | null = null;
  /** Counts resyncs, to pick each one's verification slice (pbx-feed.ts). */
  private resyncRound = 0;
  /** Entra (Graph users delta) and CloudLink user lists, and the pairing of their users (directory.ts). */
  private readonly directory: UserDirectory;
  private cancelDirectory: (() => void) | null = null;
  /** Directory refreshes run one at a time: the timer, an admin's save and "Sync all" may ask together. */
  private directoryChain: Promise<unknown> = Promise.resolve();
  private started = false;
  /** Halted once (lost the lease): the next start() is a new ownership term on a clean slate. */
  private halted = false;
  /** Counts starts and halts: a start still running when the engine was halted schedules nothing afterwards. */
  private run = 0;
  private readonly deps: SyncDeps;

  constructor(
    private readonly options: SyncOptions,
    given: SyncDeps,
    /** The owner's fence (ownership.ts); unset when one service runs alone on a private store. */
    private readonly fence?: LeaseFence,
  ) {
    // The narrowest place every outbound write passes: the ports themselves. Presence writes and subscription
    // changes go out only through the fence, checked again before every HTTP attempt (fence.ts); reads pass.
    const deps = fence
      ? {
          ...given,
          graph: fencedGraph(given.graph, fence),
          subscriptions: fencedSubscriptions(given.subscriptions, fence),
          cloudlink: fencedCloudLink(given.cloudlink, fence),
        }
      : given;
    this.deps = deps;
    this.clock = deps.clock ?? systemSyncClock;
    this.fallbackKey = options.cloudLinkWebhookKey ?? randomBytes(24).toString('base64url');
    this.feeds = options.cloudLinkWebhookUrl
      ? new CloudLinkSubscriptions({
          tenantId: options.tenantId,
          webhookUrl: options.cloudLinkWebhookUrl,
          fixedKey: options.cloudLinkWebhookKey,
          sealer: deps.secrets,
          cloudlink: deps.cloudlink,
          store: deps.store,
          clock: this.clock,
          onLive: (topic, id) => {
            if (topic !== 'platform-api-presence') return;
            if (id) this.engine.pbxFeed.started(id);
            else this.engine.pbxFeed.lost();
          },
          count: (op, outcome) => this.syncMetrics.cloudlinkCall(op, outcome),
          log: deps.log ?? SILENT_LOG,
        })
      : null;
    this.syncMetrics = deps.budget.metrics;
    this.gauges = {
      queueDepth: () => this.engine.queueDepth(),
      subscriptions: () => this.monitors?.counts() ?? {},
    };
    this.syncMetrics.attach(this.gauges);
    fence?.countOn((op) => this.syncMetrics.fencedWrite(op));
    this.limiter = deps.budget.graph.limiter;
    this.engine = new SyncEngine(
      {
        tenantId: options.tenantId,
        sessionMs: options.sessionDurationMs ?? 60 * MINUTE,
        renewAheadMs: options.sessionRenewAheadMs ?? 10 * MINUTE,
        settleMs: options.settleMs ?? MINUTE,
      },
      deps.graph,
      deps.cloudlink,
      deps.store,
      this.clock,
      this.syncMetrics,
      deps.mapping ?? (() => DEFAULT_MAPPING),
      deps.selection ?? (() => DEFAULT_SELECTION),
      deps.onStoreError,
      deps.log ?? SILENT_LOG,
    );
    this.monitors =
      options.mode !== 'polling' && options.notificationUrl
        ? new Monitors(
            {
              tenantId: options.tenantId,
              notificationUrl: options.notificationUrl,
              lifecycleNotificationUrl: options.lifecycleNotificationUrl,
              lifetimeMs: options.subscriptionLifetimeMs ?? 58 * MINUTE,
              renewAheadMs: options.subscriptionRenewAheadMs ?? 10 * MINUTE,
            },
            deps.subscriptions,
            deps.store,
            this.clock,
            (m) => deps.monitorCredentials(m.username, m.passwordSealed),
            (userIds) =>
              this.reader
                ? this.reader.missed(userIds, this.clock.now())
                : this.engine.requestTeamsReads(userIds, this.clock.now()),
            deps.log ?? SILENT_LOG,
          )
        : null;
    this.poller =
      options.mode === 'polling'
        ? new Poller(
            this.engine,
            deps.graph,
            this.clock,
            options.pollIntervalMs ?? 5000,
            this.limiter,
            deps.log ?? SILENT_LOG,
          )
        : null;
    const clockNow = () => this.clock.now();
    this.reader =
      options.mode === 'hybrid'
        ? new HybridReader(
            this.engine,
            deps.graph,
            this.clock,
            this.limiter,
            deps.budget.graph.presenceRequests,
            () => new RequestWindow(clockNow),
            { ...DEFAULT_HYBRID_READS, ...options.hybridReads },
          )
        : null;
    this.directory = new UserDirectory({
      tenantId: options.tenantId,
      graph: deps.graph,
      cloudlink: deps.cloudlink,
      store: deps.store,
      clock: this.clock,
      engine: this.engine,
      selection: () => this.selection(),
      serving: () => !this.halted,
    });
  }

  /** Paces PBX reads of the linked CloudLink account (its budget; shared by every resync of the account). */
  private get pbxReadPacer(): RateLimiter | undefined {
    return this.deps.budget.cloudlink.pbxReads;
  }

  get metrics() {
    return this.syncMetrics.registry;
  }

  /** The secret CloudLink webhooks must carry; empty until start() loaded the tenant's key. */
  get cloudLinkWebhookKey(): string {
    return this.feeds ? (this.feeds.webhookKey ?? '') : this.fallbackKey;
  }

  /**
   * Restart recovery: reload users and state, subscribe to PBX events, re-read the PBX for everyone we hold a Teams
   * session or an unsent write for (a call that ended while we were down must not leave a stale Busy behind),
   * re-derive, then resubscribe to Teams. The first resync follows a minute later: PBX views from before the restart
   * are not vouched for by the new feed, so it reads every PBX once.
   */
  async start(): Promise<void> {
    const begun = this.clock.now();
    const run = ++this.run;
    if (this.halted) {
      // A new ownership term in this process: another one may have run the tenant meanwhile; start from the store.
      this.halted = false;
      this.engine.resume();
      this.monitors?.resume();
    }
    this.started = true;
    // What the lease said about the time nobody ran this tenant's sync (a takeover, or this process starting again).
    const term = this.fence?.term ?? null;
    // First, so the events our surviving subscriptions post during start-up are accepted.
    await this.feeds?.loadKey();
    await this.engine.loadUsers();
    // Subscribed before the reads, so what they find is kept current by the feed from then on. A full
    // reconciliation: subscriptions an earlier (crashed) process left at CloudLink are reused or deleted.
    await this.subscribePbx(true);
    const now = this.clock.now();
    // The outage: PBX changes made while nobody listened (a DND set, a call begun) were posted to nobody. Every
    // user whose stored PBX view is older than the last sign of life of the previous owner is read now, before
    // anything else, not at the first resync a minute later. Unknown outage (an old lease row): everyone.
    const outageFrom = term ? (term.lastAliveAt ?? Number.POSITIVE_INFINITY) : null;
    const toRead = this.engine.usersToReadAtStart(outageFrom);
    const slot = concurrencyLimit(Math.max(1, this.options.pbxReadConcurrency ?? 32));
    await Promise.all(
      toRead.map((id) =>
        slot(async () => {
          await this.pbxReadPacer?.acquire();
          await this.engine.readPbx(id, now);
        }),
      ),
    );
    this.engine.reevaluateAll();
    if (term)
      this.deps.log?.info(
        {
          tenantId: this.options.tenantId,
          event: 'sync.takeover',
          epoch: term.epoch,
          previousHolder: term.previousHolder,
          gapMs: term.lastAliveAt === null ? null : Math.max(0, begun - term.lastAliveAt),
          pbxReads: toRead.length,
          pbxReadMs: this.clock.now() - now,
        },
        term.lastAliveAt === null
          ? 'sync taken over after an outage of unknown length: every PBX read again, Teams presence read next'
          : `sync taken over ${Math.round((begun - term.lastAliveAt) / 1000)} s after the previous owner was last seen: ` +
              'PBX of users not heard from since read again, Teams presence read next',
      );
    await this.monitors?.reconcile(this.engine.watchedUserIds());
    if (run !== this.run) return; // halted meanwhile (the lease was lost during the start): nothing to schedule
    // Teams changes while we were down were delivered to nobody: read everyone's presence once.
    if (this.monitors) this.engine.requestTeamsReads(this.engine.watchedUserIds(), this.clock.now());
    this.poller?.start();
    this.reader?.start();
    this.scheduleResync(MINUTE);
    this.scheduleDirectory();
  }

  /** A clean stop: our CloudLink subscriptions are deleted too. */
  async stop(): Promise<void> {
    await this.halt(true);
    // Stopped for good (unlinked, shut down): the tenant's gauges no longer read this engine.
    this.syncMetrics.detach(this.gauges);
  }

  /**
   * Stops the engine. Without `unsubscribe` the CloudLink subscriptions stay, recorded in the store, for the process
   * that takes the tenant over (it reuses them).
   */
  async halt(unsubscribe = false): Promise<void> {
    this.started = false;
    // The next start is a new term on a clean slate.
    this.halted = true;
    this.run++;
    this.cancelResync?.();
    this.cancelDirectory?.();
    this.poller?.stop();
    this.reader?.stop();
    this.monitors?.stop();
    // Halted for the lease (not a clean stop): what is not saved yet belongs to the next owner's term, not ours.
    if (unsubscribe) this.engine.stop();
    else this.engine.abandon();
    if (unsubscribe) await this.feeds?.removeAll();
    else this.feeds?.detach();
    this.engine.pbxFeed.lost();
  }

  receiveGraphNotifications(items: GraphNotification[]): Promise<WebhookAnswer> {
    void this.onGraphNotifications(items);
    return Promise.resolve({ status: 202 });
  }

  receiveCloudLinkPost(post: CloudLinkPost): Promise<CloudLinkAnswer> {
    if (!this.cloudLinkWebhookKey) return Promise.resolve({ status: 503, problem: 'starting' });
    return Promise.resolve(
      acceptCloudLinkPost(
        post,
        this.cloudLinkWebhookKey,
        (body) => this.deps.cloudlink.readWebhook(body),
        (event) => void this.onPbxEvent(event),
      ),
    );
  }

  async onGraphNotifications(notifications: GraphNotification[]): Promise<void> {
    const receivedAt = this.clock.now();
    const ours = notifications.filter((n) => this.monitors?.isOurs(n));
    if (ours.length < notifications.length) {
      // Answered 202 all the same (Graph would resend it), but an operator sees forged or outdated posts, as the
      // standby's hand-over says of the ones it refuses (webhook-handoff.ts).
      this.deps.log?.warn(
        {
          event: 'graph.clientStateRefused',
          refused: notifications.length - ours.length,
          subscriptionIds: [
            ...new Set(notifications.filter((n) => !ours.includes(n)).map((n) => n.subscriptionId)),
          ],
        },
        'Graph notifications with a clientState that is not the current one of their subscription were dropped',
      );
    }
    const ids: string[] = [];
    for (const n of ours) {
      if (n.lifecycleEvent) await this.monitors?.onLifecycle(n);
      else {
        const id = userIdOf(n);
        if (id) ids.push(id);
      }
    }
    if (ids.length === 0) return;
    // Hybrid: the user rides in the reader's next batch (read more often for a minute); no read of its own.
    if (this.reader) this.reader.changed(ids, receivedAt);
    else this.engine.requestTeamsReads(ids, receivedAt);
  }

  async onPbxEvent(change: PbxEvent | null): Promise<void> {
    const receivedAt = this.clock.now();
    // Any event, ours to sync or not, shows the feed lives (pbx-feed.ts).
    this.engine.pbxFeed.heard(receivedAt);
    // Read once, by the CloudLink adapter: presence (DND, status text), a call's stage, or a call's end.
    if (change) await this.engine.applyPbxEvent(change, receivedAt);
  }

  async resyncAll(
    progress?: (p: ResyncProgress) => void,
    options: ResyncOptions = {},
  ): Promise<ResyncResult> {
    // New hires, leavers and renames first: both directories are read again (a failed read leaves the users as
    // they were; the resync still runs).
    await this.refreshDirectory({ entra: true, pbx: true }).catch(() => undefined);
    const ids = this.engine.selectedUserIds();
    const feedChecked = await this.checkPbxFeed();
    void this.monitors?.retryFailed(); // not awaited: an attempt that meets a Graph still down must not hold the resync

    const trustFeed =
      feedChecked &&
      !options.readEveryPbx &&
      this.engine.pbxFeed.flowing(this.clock.now(), this.options.pbxFeedQuietLimitMs ?? 60 * MINUTE);
    const maxAge = this.options.pbxViewMaxAgeMs ?? 24 * 60 * MINUTE;
    const slices = this.options.pbxVerifySlices ?? DEFAULT_VERIFY_SLICES;
    const round = this.resyncRound++;
    return resync(
      {
        ...this.resyncDeps(),
        needsPbxRead: trustFeed
          ? (id) => this.engine.needsPbxRead(id, maxAge) || inVerificationSlice(id, round, slices)
          : undefined,
      },
      ids,
      progress,
    );
  }

  async resyncUser(entraUserId: string): Promise<SyncStatus> {
    await resync(this.resyncDeps(), [entraUserId]);
    return this.statusOf(entraUserId);
  }

  async statusOf(entraUserId: string): Promise<SyncStatus> {
    const view = this.engine.view(entraUserId);
    return view ? statusFrom(view, view.enabled) : notMatchedStatus();
  }

  /**
   * The status as the store holds it, for a process that does not run the engine (a standby in a cluster): the owner
   * saves each user's state as it changes, so this lags the owner's view by one save at most.
   */
  async storedStatusOf(entraUserId: string): Promise<SyncStatus> {
    const { tenantId } = this.options;
    const [user, saved] = await Promise.all([
      this.deps.store.getUser(tenantId, entraUserId),
      this.deps.store.getSyncState(tenantId, entraUserId),
    ]);
    if (!user?.pbxPrincipalId) return notMatchedStatus();
    return statusFrom(
      {
        state: saved ? { ...EMPTY_SYNC_STATE, ...(saved.state as Partial<UserSyncState>) } : EMPTY_SYNC_STATE,
        lastSyncAt: saved?.lastSyncAt ?? null,
        lastError: saved?.lastError ? problemFromStore(saved.lastError) : null,
      },
      directionsFor(this.selection(), user),
    );
  }

  async resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult> {
    const nothing = {
      teamsSessionCleared: false,
      phoneDndCleared: null,
      phoneDndKept: null,
      callsForgotten: 0,
    };
    if (!this.engine.knows(entraUserId)) return { ...(await this.statusOf(entraUserId)), reset: nothing };
    // The phone as it is now, not as this process last heard it: another process may have set the DND. Every call we
    // believe in is asked about in the call records at that read (one they show finished ends as usual); the reset
    // then forgets the calls they could not settle.
    this.engine.checkCallsAtNextRead(entraUserId);
    await this.engine.readPbxOnce(entraUserId).catch(() => undefined);
    const outcome = this.engine.resetAssertions(entraUserId) ?? nothing;
    await this.engine.idle();
    return { ...(await this.resyncUser(entraUserId)), reset: outcome };
  }

  /**
   * Matches PBX users to Entra users by mail/UPN, applies the admin's selection, stores the result and resubscribes.
   * Unmatched and ambiguous users come back for the admin; they are never guessed.
   */
  async refreshUsers(): Promise<MatchResult & { monitorsNeeded: number }> {
    // An explicit refresh (the admin added, authorized or removed a monitor, or saved the selection) reconciles the
    // monitors even when the directories did not change: the monitor records did.
    return this.refreshDirectory({ entra: true, pbx: true }, true);
  }

  /**
   * Reads the directories (directory.ts), then reloads users into the engine and resubscribes when they changed (or
   * always, with `resubscribe`).
   */
  private refreshDirectory(
    reads: DirectoryReads,
    resubscribe = false,
  ): Promise<MatchResult & { monitorsNeeded: number }> {
    const run = this.directoryChain.then(async () => {
      const { match, changed } = await this.directory.refresh(reads).catch(async (e: unknown) => {
        await this.directory.recordFailure(e).catch(() => undefined);
        throw e;
      });
      if (changed) {
        await this.engine.loadUsers();
        // Users who left or lost their pair are unselected now: this gives back what we set for them.
        this.engine.reevaluateAll();
      }
      if ((changed || resubscribe) && this.started) {
        await this.subscribePbx();
        await this.monitors?.reconcile(this.engine.watchedUserIds());
      }
      return { ...match, monitorsNeeded: monitorsNeeded(this.engine.syncedUserCount()) };
    });
    this.directoryChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Every `directoryRefreshIntervalMs` (default 5 min) Graph's users delta says who joined, left or was renamed;
   * the CloudLink user list is read again when older than `pbxUserListIntervalMs` (default 1 h). Without change
   * tracking (a Graph port with no usersDelta) only "Sync all" and the periodic resync read the directories.
   */
  private scheduleDirectory(): void {
    const every = this.options.directoryRefreshIntervalMs ?? 5 * MINUTE;
    if (every <= 0 || !this.started || !this.deps.graph.usersDelta) return;
    this.cancelDirectory = this.clock.setTimer(every, () => {
      void this.directory
        .load()
        .then((doc) => {
          const pbxAge = this.clock.now() - (doc.pbxReadAt ?? 0);
          const pbx = pbxAge >= (this.options.pbxUserListIntervalMs ?? 60 * MINUTE);
          return this.refreshDirectory({ entra: true, pbx, onlyIfChanged: true });
        })
        .catch(() => undefined)
        .finally(() => this.scheduleDirectory());
    });
  }

  monitorsNeeded(): number {
    return monitorsNeeded(this.engine.syncedUserCount());
  }

  idle(): Promise<void> {
    return this.engine.idle();
  }

  settled(): Promise<void> {
    return this.engine.settled();
  }

  health() {
    const view = { ...this.syncMetrics.health(null), teamsReads: this.teamsReadsView() };
    return this.feeds ? { ...view, cloudlinkSubscriptions: this.feeds.view() } : view;
  }

  private teamsReadsView(): TeamsReadsView {
    if (this.reader) {
      const r = this.reader.view();
      return {
        mode: 'hybrid',
        intervalMs: r.sweepMs,
        readsPer30s: r.readsPer30s,
        budgetShare: r.budgetShare,
      };
    }
    if (this.poller)
      return {
        mode: 'polling',
        intervalMs: this.poller.currentIntervalMs,
        readsPer30s: null,
        budgetShare: null,
      };
    return { mode: 'notifications', intervalMs: null, readsPer30s: null, budgetShare: null };
  }

  private selection(): UserSelection {
    return (this.deps.selection ?? (() => DEFAULT_SELECTION))();
  }

  private resyncDeps() {
    return {
      engine: this.engine,
      graph: this.deps.graph,
      clock: this.clock,
      pbxReadConcurrency: this.options.pbxReadConcurrency ?? 32,
      pbxReadPacer: this.pbxReadPacer,
      log: this.deps.log ?? SILENT_LOG,
    };
  }

  /**
   * Before a resync trusts the feed, asks CloudLink whether our subscriptions (presence and calls) still exist (the
   * field reports subscriptions that silently stop). Any gone: every topic is made whole again
   * (cloudlink-subscriptions.ts), and a lost presence feed means every PBX is read this time.
   * Answers whether the presence feed can be trusted for this resync.
   */
  private async checkPbxFeed(): Promise<boolean> {
    return this.feeds ? this.feeds.check() : false;
  }

  private scheduleResync(delayMs?: number): void {
    const every = this.options.resyncIntervalMs ?? 60 * MINUTE;
    if (every <= 0 || !this.started) return;
    const turn = this.deps.resyncTurn ?? ((resync) => resync());
    const run = this.run;
    this.cancelResync = this.clock.setTimer(Math.min(every, delayMs ?? every), () => {
      // An admin's resync goes at once; only the scheduled one waits its turn among the process's tenants, and a
      // term that ended while it waited (halted, or restarted with a schedule of its own) lets its turn go.
      const current = () => run === this.run;
      void turn(() => (current() ? this.resyncAll().then(() => undefined) : Promise.resolve()))
        .catch(() => undefined)
        .finally(() => {
          if (current()) this.scheduleResync();
        });
    });
  }

  /**
   * Registers our webhook for every user's PBX presence and every call of the account: one subscription per topic
   * (subject filters match all presentities, all calls), instead of one per user. Events of users we do not sync are
   * ignored on arrival. `full`: reconcile with what CloudLink holds even when every topic looks live (at start).
   */
  private async subscribePbx(full = false): Promise<void> {
    if (this.feeds && (full || !this.feeds.allLive())) await this.feeds.reconcile();
  }
}

/** The user a change notification names: its resourceData id, else the id in `communications/presences('…')`. */
export function userIdOf(n: GraphNotification): string | undefined {
  if (typeof n.resourceData?.id === 'string') return n.resourceData.id;
  const m = /presences(?:\('([^']+)'\)|\/([^/?]+))/i.exec(n.resource ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function notMatchedStatus(): SyncStatus {
  return {
    teams: null,
    pbx: null,
    lastAssertion: null,
    lastSyncAt: null,
    enabled: { toTeams: false, fromTeams: false },
    problem: codedProblem(said('sync.notMatched'), said('fix.notMatched')),
  };
}

function statusFrom(
  e: Pick<UserSyncView, 'state' | 'lastSyncAt' | 'lastError'>,
  enabled: { toTeams: boolean; fromTeams: boolean },
): SyncStatus {
  const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);
  const s = e.state;
  return {
    teams: s.teams
      ? { availability: s.teams.availability, activity: s.teams.activity, at: iso(s.teams.at) }
      : null,
    pbx: s.pbx
      ? {
          callState: s.pbx.callState,
          dnd: s.pbx.dnd,
          statusText: s.pbx.statusText ?? null,
          at: iso(s.pbx.at),
        }
      : null,
    lastAssertion: s.lastAssertion
      ? { side: s.lastAssertion.side, what: s.lastAssertion.what, at: iso(s.lastAssertion.at) as string }
      : null,
    lastSyncAt: iso(e.lastSyncAt),
    enabled,
    problem: e.lastError ? problemOnly(e.lastError) : null,
  };
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PhoneResetResult, SyncStatus } from '../api/contract';
import { english, said } from '../api/texts/english';
import type { PbxEvent } from '../ports/cloudlink';
import type { LeaseRecord, Store } from '../ports/store';
import type { SyncClock } from './clock';
import { backoffMs } from './errors';
import { LeaseFence } from './fence';
import type {
  OwnableSyncService,
  OwnershipOptions,
  ResyncOptions,
  ResyncProgress,
  SyncLog,
  SyncService,
} from './contract';
import type { CloudLinkAnswer, CloudLinkPost, GraphNotification, WebhookAnswer } from './webhooks';
import type { StandbyHandoff } from './inbox-handoff';
import { DelegatingSyncService } from './delegating-service';
import type { SpreadGate } from './cluster-spread';

/** The store lease that makes one process the owner of a tenant's sync engine. */
export const SYNC_LEASE = 'sync';

export type { OwnershipOptions };

/**
 * The lease times. A takeover after `kill -9` waits for the lease to run out (ttl) and then at most a few hundred ms
 * (a standby tries again the moment the lease it saw expires): about 10 s by default, well within the 15 s promised.
 * The owner renews four times per lease, so it keeps the lease through two failed renewals in a row.
 */
export const DEFAULT_LEASE = { ttlMs: 10_000, renewEveryMs: 2_500, marginMs: 2_000 } as const;

export function leaseSettings(options: OwnershipOptions = {}): {
  ttlMs: number;
  renewEveryMs: number;
  marginMs: number;
} {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE.ttlMs;
  return {
    ttlMs,
    renewEveryMs: options.renewEveryMs ?? Math.min(DEFAULT_LEASE.renewEveryMs, Math.floor(ttlMs / 4)),
    marginMs: options.marginMs ?? Math.min(DEFAULT_LEASE.marginMs, Math.floor(ttlMs / 5)),
  };
}

/** A standby that saw the lease held tries again this long after it expires (a little slack for the store's clock). */
const TAKEOVER_SLACK_MS = 50;

/** A call that needs the engine, made on a process that does not run it. */
export class SyncStandbyError extends Error {
  constructor(tenantId: string) {
    super(
      `Another Switchboard process runs the sync of tenant ${tenantId}; this one is on standby. ` +
        'Try again on the owner, or wait: this process takes over if the owner stops.',
    );
    this.name = 'SyncStandbyError';
  }
}

/** A standby without a sync inbox cannot take events for the owner: the sender delivers them again later. */
const NOT_OWNER: WebhookAnswer = { status: 503, problem: "this process does not run this tenant's sync" };

/**
 * One process per tenant runs the sync engine (issue 12): the holder of the tenant's `sync` lease in the store.
 * The owner renews it every `renewEveryMs`; a process that cannot take it stays on standby (it serves the API, tab
 * and bot, says so in health, and refuses what needs the engine) and tries again on the same interval, and the moment
 * the lease it saw runs out, so it takes over when the owner stops (and releases the lease) or dies (and the lease
 * expires).
 *
 * Fencing (fence.ts): each term has an epoch from the store, and every outbound write passes the fence, which is open
 * only while this process's lease, measured on its monotonic clock from when the renewal was sent, has more than the
 * margin left. An owner that was frozen past its lease writes nothing when it wakes: the fence is already shut, and
 * the first thing its timers do is stand down (halt the engine, keeping the subscriptions the new owner uses). It may
 * take the lease again later, as a new term on a clean slate, once nobody else holds it.
 */
export class OwnedSyncService extends DelegatingSyncService implements SyncService {
  private state: 'stopped' | 'owner' | 'standby' = 'stopped';
  private wanted = false;
  private cancelTimer: (() => void) | null = null;
  private cancelExpiry: (() => void) | null = null;
  private otherOwnerLogged = false;
  /** When this process first found the lease held by another (store time), to tell a live owner from a gone one. */
  private standbySince: number | null = null;
  private renewFailureLogged = false;
  /** When the lease a standby saw held runs out (store time), to try the moment it does. */
  private heldUntil: number | null = null;
  private startError: unknown;
  private starting = false;
  private ticking: Promise<void> = Promise.resolve();
  /** The engine's start in this term: not awaited by the lease ticks, whose renewals must never wait for it. */
  private engineStart: Promise<void> = Promise.resolve();
  readonly holder: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  readonly fence: LeaseFence;
  /** Hosted mode's fair spreading over the processes (cluster-spread.ts); unset: take any free lease. */
  private readonly spread: SpreadGate | undefined;
  /** Logged once per wait: a free tenant left to a less loaded process. */
  private deferLogged = false;

  constructor(
    inner: OwnableSyncService,
    private readonly tenantId: string,
    private readonly store: Store,
    private readonly clock: SyncClock,
    private readonly log: SyncLog,
    options: OwnershipOptions = {},
    /** With a sync inbox in the store: how a standby hands webhooks and admin calls to the owner (issue 12). */
    private readonly handoff?: StandbyHandoff,
  ) {
    super(inner);
    this.spread = options.spread;
    this.holder =
      options.holder ??
      this.spread?.newHolder() ??
      `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
    const lease = leaseSettings(options);
    this.ttlMs = lease.ttlMs;
    this.renewEveryMs = lease.renewEveryMs;
    this.fence = options.fence ?? new LeaseFence({ tenantId, ...lease }, clock, log);
    // A write refused while this process still thought it owned the tenant: stand down now, not at the next tick.
    this.fence.onLapse = () => void this.tick();
  }

  /** `owner`: this process runs the engine; `standby`: another one holds the lease. */
  get ownership(): 'stopped' | 'owner' | 'standby' {
    return this.state;
  }

  /** Takes the lease and starts the engine, or goes on standby; rejects when the engine itself fails to start. */
  override async start(): Promise<void> {
    this.wanted = true;
    this.spread?.enlist(this.tenantId);
    this.startError = undefined;
    this.starting = true;
    try {
      await this.tick();
      await this.engineStart;
    } finally {
      this.starting = false;
    }
    const err = this.startError;
    this.startError = undefined;
    if (err !== undefined) throw err;
  }

  override async stop(): Promise<void> {
    this.wanted = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.ticking.catch(() => undefined);
    await this.engineStart;
    this.cancelExpiry?.();
    if (this.state === 'owner') {
      await this.inner.stop();
      await this.store.releaseLease(this.tenantId, SYNC_LEASE, this.holder).catch(() => undefined);
    }
    this.fence.revoke();
    this.state = 'stopped';
    this.spread?.withdraw(this.tenantId);
  }

  private tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.step()).finally(() => this.schedule());
    return this.ticking;
  }

  private schedule(): void {
    this.cancelTimer?.();
    let delay = this.renewEveryMs;
    // A standby that saw the lease held tries again the moment it runs out: a takeover waits for the ttl, no more.
    if (this.state !== 'owner' && this.heldUntil !== null)
      delay = Math.max(0, Math.min(delay, this.heldUntil - this.clock.now() + TAKEOVER_SLACK_MS));
    this.cancelTimer = this.wanted ? this.clock.setTimer(delay, () => void this.tick()) : null;
  }

  private async step(): Promise<void> {
    if (!this.wanted) return;
    // Before anything else (after a freeze, this runs first among the timers): has our own lease run out?
    if (this.state === 'owner' && !this.fence.open()) await this.standDown('expired');
    // The lease is valid from the moment the request is sent, not from when the store answers.
    const sentAt = this.fence.now();
    const now = this.clock.now();
    let epoch: number | null;
    let previous: LeaseRecord | undefined;
    try {
      // Who held it before, and until when: for the takeover's gap reads, and to try again the moment it runs out.
      if (this.state !== 'owner') {
        previous = await this.store.getLease(this.tenantId, SYNC_LEASE);
        if (this.spread && !(await this.spreadAllowsTake(previous, now))) return;
      }
      epoch = await this.store.acquireLease(this.tenantId, SYNC_LEASE, this.holder, now, this.ttlMs);
      if (this.state !== 'owner') this.spread?.took(this.tenantId, epoch !== null);
    } catch (err) {
      // The store did not answer: an owner keeps going while its fence is open, and steps down when it shuts
      // (the expiry timer); a standby tries again.
      if (this.state !== 'owner') this.spread?.took(this.tenantId, false);
      if (this.state === 'owner' && !this.renewFailureLogged) {
        this.renewFailureLogged = true;
        this.log.error(
          {
            err,
            tenantId: this.tenantId,
            event: 'sync.leaseRenewFailed',
            leaseLeftMs: Math.round(this.fence.remainingMs()),
          },
          'could not renew the sync lease: the sync stops here when the lease runs out unless a renewal gets through',
        );
      }
      return;
    }
    this.renewFailureLogged = false;
    if (epoch === null) {
      this.heldUntil =
        previous && previous.holder !== this.holder ? previous.expiresAt : now + this.renewEveryMs;
      if (this.state === 'owner') {
        this.log.error(
          { tenantId: this.tenantId, holder: this.holder, event: 'sync.leaseLost' },
          "another process took over this tenant's sync lease: stopping the sync engine here",
        );
        await this.standDown('taken');
      }
      this.state = 'standby';
      if (!this.otherOwnerLogged && previous && previous.holder !== this.holder)
        this.noteHeldLease(previous, now);
      // Only an owner seen renewing after we first found the lease held is alive: a process restarted after a crash
      // (kill -9, a reboot) waits out its own predecessor's lease, and that is no second owner to shout about.
      // A lease row from before renewals were recorded says nothing either way: logged at once, as it always was.
      if (
        !this.otherOwnerLogged &&
        previous &&
        (previous.renewedAt ?? Infinity) > (this.standbySince ?? now)
      ) {
        this.otherOwnerLogged = true;
        // Spread over several processes, standing by for most tenants is the design, not a fault to shout about.
        this.log[this.spread ? 'info' : 'error'](
          { tenantId: this.tenantId, holder: this.holder, event: 'sync.standby' },
          "another process owns this tenant's sync: this process does not run the sync engine (standby; it serves " +
            'the API, tab and bot and takes over if the owner stops)',
        );
      }
      return;
    }
    this.heldUntil = null;
    if (this.state === 'owner' && epoch === this.fence.heldEpoch) {
      this.fence.grant(epoch, sentAt);
      this.armExpiry();
      if (this.spread && (await this.spread.handOver(this.tenantId))) await this.handOver();
      return;
    }
    // A new term. Our own term lapsed in between (the store had let it expire): someone may have held the lease
    // meanwhile, so the old engine stops and the new term starts from the store like any takeover.
    if (this.state === 'owner') await this.standDown('lapsed');
    this.fence.grant(epoch, sentAt);
    if (!this.fence.open()) {
      // The answer came too late to be sure of anything (a stall mid-request): try again on the next tick.
      this.fence.revoke();
      this.spread?.lost(this.tenantId);
      return;
    }
    this.fence.term = {
      epoch,
      lastAliveAt: previous ? previous.renewedAt : null,
      previousHolder: previous?.holder ?? null,
    };
    // No lease row at all: nobody ever ran this tenant's sync here, so there is no outage to read up on.
    if (!previous) this.fence.term = null;
    this.armExpiry();
    this.state = 'owner';
    // Also after a lapsed term taken again while this process thought it owned the tenant (standDown forgot it).
    this.spread?.took(this.tenantId, true);
    this.otherOwnerLogged = false;
    this.standbySince = null;
    this.deferLogged = false;
    this.log.info(
      { tenantId: this.tenantId, holder: this.holder, epoch, event: 'sync.owner' },
      'this process now runs the tenant sync',
    );
    // Not awaited here: the start reads every user of a takeover's gap (minutes at 50,000 users and the CloudLink
    // rate), and the renewals that keep the lease must go on meanwhile. The first term ever of a tenant taken after
    // start() returned (spread: a process that stood by at start and took the tenant later) matches the users itself:
    // nobody has, and start()'s caller, which does it otherwise, saw a standby.
    this.startEngine(epoch, 0, !previous && !this.starting);
  }

  /**
   * Starts the engine for this term. A start that fails (CloudLink or Graph answering 503 while the subscriptions
   * are made, a store that hiccups) is tried again with backoff for as long as this process owns the tenant: an owner
   * whose engine never started would hold the lease with nobody syncing (found by the chaos test).
   */
  /** The first sight of a lease another process holds; says so when that process looks gone. */
  private noteHeldLease(previous: LeaseRecord, now: number): void {
    if (this.standbySince !== null) return;
    this.standbySince = now;
    if (previous.renewedAt === null) return;
    const silentMs = now - previous.renewedAt;
    if (silentMs <= 2 * this.renewEveryMs) return;
    this.log.info(
      {
        tenantId: this.tenantId,
        holder: this.holder,
        previousHolder: previous.holder,
        event: 'sync.waitingForLease',
        silentMs,
        leaseLeftMs: Math.max(0, previous.expiresAt - now),
      },
      `the previous owner of this tenant's sync has not renewed its lease for ${Math.round(silentMs / 1000)} s ` +
        `(stopped or crashed?): this process takes over when the lease runs out, in ` +
        `${Math.max(0, Math.ceil((previous.expiresAt - now) / 1000))} s`,
    );
  }

  private startEngine(epoch: number, attempt: number, matchUsers = false): void {
    this.engineStart = this.inner.start().then(
      () => {
        if (matchUsers && attempt === 0) void this.inner.refreshUsers().catch(() => undefined);
        if (attempt > 0) {
          this.log.info(
            { tenantId: this.tenantId, epoch, attempt, event: 'sync.started' },
            'presence sync started after earlier attempts failed',
          );
          // The first start's caller gave up before matching users; do it now that the engine runs.
          void this.inner.refreshUsers().catch(() => undefined);
        }
      },
      (err: unknown) => {
        // start() hands the first error to its caller; the log says it each time, with when it is tried again.
        if (this.starting) this.startError = err;
        const retryInMs = backoffMs(attempt, 5000, 5 * 60_000);
        this.log.error(
          { err, tenantId: this.tenantId, epoch, attempt, retryInMs, event: 'sync.startFailed' },
          'presence sync could not start; trying again (run the configuration check if this repeats)',
        );
        this.clock.setTimer(retryInMs, () => {
          if (!this.wanted || this.state !== 'owner' || this.fence.heldEpoch !== epoch) return;
          void this.inner
            .halt()
            .catch(() => undefined)
            .then(() => {
              if (this.wanted && this.state === 'owner' && this.fence.heldEpoch === epoch)
                this.startEngine(epoch, attempt + 1);
            });
        });
      },
    );
  }

  /** Wakes the owner when its fence shuts without a renewal in between, so it stands down then and not later. */
  private armExpiry(): void {
    this.cancelExpiry?.();
    this.cancelExpiry = this.clock.setTimer(Math.max(0, this.fence.remainingMs()), () => {
      this.cancelExpiry = null;
      if (this.state === 'owner' && !this.fence.open()) void this.tick();
    });
  }

  /**
   * Stops the engine without deleting anything the next owner reuses (CloudLink subscriptions, Graph subscriptions,
   * sessions: all recorded in the store). The fence is shut first, so nothing the engine still has in flight leaves.
   */
  private async standDown(reason: 'expired' | 'taken' | 'lapsed'): Promise<void> {
    if (this.state !== 'owner') return;
    const epoch = this.fence.heldEpoch;
    this.fence.revoke();
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    this.state = 'standby';
    this.spread?.lost(this.tenantId);
    this.log.error(
      { tenantId: this.tenantId, holder: this.holder, epoch, reason, event: 'sync.standDown' },
      reason === 'expired'
        ? 'the sync lease ran out before it could be renewed (a stall or a lost database connection): the sync ' +
            'engine of this process stops; it stands by and takes the tenant again only if nobody else holds it'
        : reason === 'taken'
          ? 'another process holds the sync lease now: the sync engine of this process stops and stands by'
          : 'the sync lease had run out before this process renewed it: the engine stops and starts a new term',
    );
    // A start still running (a takeover's reads) notices the halt and schedules nothing (service.ts).
    await this.inner.halt().catch(() => undefined);
  }

  /**
   * Before a process that does not own the tenant takes its lease: held by another process, try anyway (the store
   * refuses, as without spreading); free, ask the spread gate. A refusal waits (standby) and looks again when the
   * gate says the answer may change.
   */
  private async spreadAllowsTake(previous: LeaseRecord | undefined, now: number): Promise<boolean> {
    const spread = this.spread!;
    if (previous && previous.holder !== this.holder && previous.expiresAt > now) {
      spread.heldElsewhere(this.tenantId);
      return true;
    }
    const decision = await spread.mayTake(this.tenantId);
    if (decision.take) {
      if (decision.reason === 'orphan')
        this.log.info(
          { tenantId: this.tenantId, holder: this.holder, event: 'sync.orphanTaken' },
          "this tenant was left without an owner past the grace: taking it beyond this process's fair share",
        );
      return true;
    }
    this.state = 'standby';
    this.heldUntil = now + decision.recheckInMs;
    if (!this.deferLogged) {
      this.deferLogged = true;
      this.log.info(
        { tenantId: this.tenantId, holder: this.holder, event: 'sync.spreadDeferred' },
        'the tenant is free but this process holds its fair share: left to a less loaded process (it takes the ' +
          'tenant itself if nobody does)',
      );
    }
    return false;
  }

  /**
   * Fair spreading: this process holds two or more tenants above the least loaded live process, so it gives this one
   * up: the fence shuts, the engine halts keeping what the next owner reuses (subscriptions, sessions), and the lease
   * is released so the other process takes it at its next look instead of after the ttl.
   */
  private async handOver(): Promise<void> {
    const epoch = this.fence.heldEpoch;
    this.fence.revoke();
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    this.state = 'standby';
    this.heldUntil = null;
    this.log.info(
      { tenantId: this.tenantId, holder: this.holder, epoch, event: 'sync.handedOver' },
      "handing this tenant's sync to a less loaded process (fair spreading): engine stopped, lease released",
    );
    await this.inner.halt().catch(() => undefined);
    await this.store.releaseLease(this.tenantId, SYNC_LEASE, this.holder).catch(() => undefined);
  }

  /** The engine, unless another process owns it (before start, calls go through as they always did). */
  private engine(): OwnableSyncService {
    if (this.state === 'standby') throw new SyncStandbyError(this.tenantId);
    return this.inner;
  }

  /**
   * A standby checks a post against the store and hands it to the owner through the sync inbox (202 once stored);
   * without an inbox it answers 503 (retry later): the events are for the owner, whose engine holds the state.
   */
  override receiveGraphNotifications(items: GraphNotification[]): Promise<WebhookAnswer> {
    if (this.state !== 'standby') return this.inner.receiveGraphNotifications(items);
    return this.handoff ? this.handoff.receiveGraphNotifications(items) : Promise.resolve(NOT_OWNER);
  }

  override receiveCloudLinkPost(post: CloudLinkPost): Promise<CloudLinkAnswer> {
    if (this.state !== 'standby') return this.inner.receiveCloudLinkPost(post);
    return this.handoff ? this.handoff.receiveCloudLinkPost(post) : Promise.resolve(NOT_OWNER);
  }

  override onGraphNotifications(notifications: GraphNotification[]): Promise<void> {
    return this.engine().onGraphNotifications(notifications);
  }

  override onPbxEvent(event: PbxEvent | null): Promise<void> {
    return this.engine().onPbxEvent(event);
  }

  // On a standby with a sync inbox, these run on the owner (queued there, see inbox-handoff.ts).

  override async resyncAll(progress?: (p: ResyncProgress) => void, options?: ResyncOptions) {
    if (this.state === 'standby' && this.handoff) return this.handoff.resyncAll(progress, options);
    return this.engine().resyncAll(progress, options);
  }

  override async resyncUser(entraUserId: string): Promise<SyncStatus> {
    if (this.state === 'standby' && this.handoff) return this.handoff.resyncUser(entraUserId);
    return this.engine().resyncUser(entraUserId);
  }

  /** On a standby, the status the owner last saved: a user's tab may be served by any process. */
  override async statusOf(entraUserId: string): Promise<SyncStatus> {
    if (this.state !== 'standby') return this.inner.statusOf(entraUserId);
    return this.inner.storedStatusOf(entraUserId);
  }

  override async resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult> {
    if (this.state === 'standby' && this.handoff) return this.handoff.resetPhoneStatus(entraUserId);
    return this.engine().resetPhoneStatus(entraUserId);
  }

  override async refreshUsers() {
    if (this.state === 'standby' && this.handoff) return this.handoff.refreshUsers();
    return this.engine().refreshUsers();
  }

  override health() {
    const view = this.inner.health();
    const detail =
      this.state === 'standby'
        ? said('health.standby')
        : this.state === 'stopped'
          ? said('health.stopped')
          : null;
    return {
      ...view,
      syncOwnership: {
        state: this.state,
        detail: detail && english(detail),
        ...(detail && { detailText: detail }),
      },
    };
  }
}

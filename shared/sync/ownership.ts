import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PhoneResetResult, SyncStatus } from '../api/contract';
import type { GraphOutcome, GraphRequestKind } from '../adapters/graph/options';
import type { CloudLinkOutcome } from '../adapters/cloudlink/options';
import type { CloudLinkEvent } from '../ports/cloudlink';
import type { Store } from '../ports/store';
import type { SyncClock } from './clock';
import type { ResyncOptions, ResyncProgress, SyncLog, SyncService } from './index';
import type { GraphNotification, WebhookRequest, WebhookResponse } from './webhooks';

/** The store lease that makes one process the owner of a tenant's sync engine. */
export const SYNC_LEASE = 'sync';

export interface OwnershipOptions {
  /** This process's name in the lease (default host/pid/random). */
  holder?: string;
  /** How long a taken lease holds without renewal (default 30 s). */
  ttlMs?: number;
  /** How often the owner renews and a standby tries to take over (default 10 s). */
  renewEveryMs?: number;
}

/** What the wrapped engine must offer beyond SyncService: stop without deleting what the next owner reuses. */
export interface OwnableSyncService extends SyncService {
  /** Stops the engine but keeps the CloudLink subscriptions (recorded in the store) for the next owner. */
  halt(): Promise<void>;
}

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

const text = (status: number, body: string): WebhookResponse => ({
  status,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body,
});

/**
 * One process per tenant runs the sync engine (issue 12): the holder of the tenant's `sync` lease in the store.
 * The owner renews it every `renewEveryMs`; a process that cannot take it stays on standby (it serves the API, tab
 * and bot, says so in health, and refuses what needs the engine) and tries again on the same interval, so it takes
 * over when the owner stops (and releases the lease) or dies (and the lease expires).
 *
 * Not fencing: an owner that stalls longer than the ttl (a long GC pause, a frozen VM) may still write after a standby
 * took over, until its own next renewal fails and it halts. See docs/architecture.md.
 */
export class OwnedSyncService implements SyncService {
  private state: 'stopped' | 'owner' | 'standby' = 'stopped';
  private wanted = false;
  private cancelTimer: (() => void) | null = null;
  private leaseUntil = 0;
  private otherOwnerLogged = false;
  /** An owner that stepped down (lost its lease) does not run the engine again in this process. */
  private steppedDown = false;
  private startError: unknown;
  private starting = false;
  private ticking: Promise<void> = Promise.resolve();
  readonly holder: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly inner: OwnableSyncService,
    private readonly tenantId: string,
    private readonly store: Store,
    private readonly clock: SyncClock,
    private readonly log: SyncLog,
    options: OwnershipOptions = {},
  ) {
    this.holder = options.holder ?? `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.renewEveryMs = options.renewEveryMs ?? 10_000;
  }

  /** `owner`: this process runs the engine; `standby`: another one holds the lease. */
  get ownership(): 'stopped' | 'owner' | 'standby' {
    return this.state;
  }

  /** Takes the lease and starts the engine, or goes on standby; rejects when the engine itself fails to start. */
  async start(): Promise<void> {
    this.wanted = true;
    this.startError = undefined;
    this.starting = true;
    await this.tick().finally(() => (this.starting = false));
    const err = this.startError;
    this.startError = undefined;
    if (err !== undefined) throw err;
  }

  async stop(): Promise<void> {
    this.wanted = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.ticking.catch(() => undefined);
    if (this.state === 'owner') {
      await this.inner.stop();
      await this.store.releaseLease(this.tenantId, SYNC_LEASE, this.holder).catch(() => undefined);
    }
    this.state = 'stopped';
  }

  private tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.step()).finally(() => this.schedule());
    return this.ticking;
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.wanted ? this.clock.setTimer(this.renewEveryMs, () => void this.tick()) : null;
  }

  private async step(): Promise<void> {
    if (!this.wanted) return;
    const now = this.clock.now();
    let held: boolean;
    try {
      held =
        (await this.store.acquireLease(this.tenantId, SYNC_LEASE, this.holder, now, this.ttlMs)) !== null;
    } catch (err) {
      // The store did not answer: an owner keeps going until its lease would have run out, then steps down.
      if (this.state === 'owner' && now >= this.leaseUntil) {
        this.log.error(
          { err, tenantId: this.tenantId, event: 'sync.leaseRenewFailed' },
          'could not renew the sync lease: stopping the sync engine',
        );
        await this.stepDown();
      }
      return;
    }
    if (held) {
      this.leaseUntil = now + this.ttlMs;
      if (this.state === 'owner') return;
      this.log.info(
        { tenantId: this.tenantId, holder: this.holder, event: 'sync.owner' },
        'this process now runs the tenant sync',
      );
      if (this.steppedDown) {
        // Its engine was halted mid-flight; a fresh process takes over cleanly. Give the lease back.
        await this.store.releaseLease(this.tenantId, SYNC_LEASE, this.holder).catch(() => undefined);
        return;
      }
      this.state = 'owner';
      this.otherOwnerLogged = false;
      try {
        await this.inner.start();
      } catch (err) {
        // start() hands the error to its caller; a takeover on the timer has nobody to tell but the log.
        if (this.starting) this.startError = err;
        else
          this.log.error(
            { err, tenantId: this.tenantId, event: 'sync.startFailed' },
            'presence sync could not start; run the configuration check',
          );
      }
      return;
    }
    if (this.state === 'owner') {
      this.log.error(
        { tenantId: this.tenantId, holder: this.holder, event: 'sync.leaseLost' },
        "another process took over this tenant's sync lease: stopping the sync engine here",
      );
      await this.stepDown();
      return;
    }
    this.state = 'standby';
    if (!this.otherOwnerLogged) {
      this.otherOwnerLogged = true;
      this.log.error(
        { tenantId: this.tenantId, holder: this.holder, event: 'sync.standby' },
        "another process owns this tenant's sync: this process does not run the sync engine (standby; it serves " +
          'the API, tab and bot and takes over if the owner stops)',
      );
    }
  }

  private async stepDown(): Promise<void> {
    this.state = 'standby';
    this.steppedDown = true;
    this.log.error(
      { tenantId: this.tenantId, event: 'sync.leaseLost' },
      'the sync engine of this process stays stopped until the process restarts',
    );
    await this.inner.halt().catch(() => undefined);
  }

  /** The engine, unless another process owns it (before start, calls go through as they always did). */
  private engine(): OwnableSyncService {
    if (this.state === 'standby') throw new SyncStandbyError(this.tenantId);
    return this.inner;
  }

  // --- delegated ---

  get metrics() {
    return this.inner.metrics;
  }

  get cloudLinkWebhookKey(): string {
    return this.inner.cloudLinkWebhookKey;
  }

  beforeGraphRequest(kind: GraphRequestKind): Promise<void> {
    return this.inner.beforeGraphRequest(kind);
  }

  onGraphOutcome(outcome: GraphOutcome): void {
    this.inner.onGraphOutcome(outcome);
  }

  onCloudLinkOutcome(outcome: CloudLinkOutcome): void {
    this.inner.onCloudLinkOutcome(outcome);
  }

  /** A standby answers 503 (retry later): the events are for the owner, whose engine holds the state. */
  handleGraphNotification(req: WebhookRequest): WebhookResponse {
    if (this.state === 'standby' && req.query.validationToken === undefined) return this.notOwner();
    return this.inner.handleGraphNotification(req);
  }

  handleGraphLifecycle(req: WebhookRequest): WebhookResponse {
    if (this.state === 'standby' && req.query.validationToken === undefined) return this.notOwner();
    return this.inner.handleGraphLifecycle(req);
  }

  handleCloudLinkWebhook(req: WebhookRequest): WebhookResponse {
    if (this.state === 'standby') return this.notOwner();
    return this.inner.handleCloudLinkWebhook(req);
  }

  private notOwner(): WebhookResponse {
    return text(503, "this process does not run this tenant's sync");
  }

  onGraphNotifications(notifications: GraphNotification[]): Promise<void> {
    return this.engine().onGraphNotifications(notifications);
  }

  onCloudLinkEvent(event: CloudLinkEvent): Promise<void> {
    return this.engine().onCloudLinkEvent(event);
  }

  async resyncAll(progress?: (p: ResyncProgress) => void, options?: ResyncOptions) {
    return this.engine().resyncAll(progress, options);
  }

  async resyncUser(entraUserId: string): Promise<SyncStatus> {
    return this.engine().resyncUser(entraUserId);
  }

  async statusOf(entraUserId: string): Promise<SyncStatus> {
    if (this.state !== 'standby') return this.inner.statusOf(entraUserId);
    return {
      teams: null,
      pbx: null,
      lastAssertion: null,
      lastSyncAt: null,
      enabled: { toTeams: false, fromTeams: false },
      problem: {
        message: 'This server does not run the presence sync right now: another Switchboard process does.',
        fix: 'Try again in a moment. If this stays, ask your admin to look at the sync health.',
      },
    };
  }

  async resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult> {
    return this.engine().resetPhoneStatus(entraUserId);
  }

  async refreshUsers() {
    return this.engine().refreshUsers();
  }

  monitorsNeeded(): number {
    return this.inner.monitorsNeeded();
  }

  idle(): Promise<void> {
    return this.inner.idle();
  }

  settled(): Promise<void> {
    return this.inner.settled();
  }

  health() {
    const view = this.inner.health();
    const detail =
      this.state === 'standby'
        ? "Another Switchboard process owns this tenant's sync; this one is on standby and takes over if it stops."
        : this.state === 'stopped'
          ? 'The sync engine is not running.'
          : null;
    return { ...view, syncOwnership: { state: this.state, detail } };
  }
}

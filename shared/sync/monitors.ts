import { english, said } from '../api/texts/english';
import { assignUsers } from '../domain/monitors';
import { GraphError, type GraphSubscriptionPort, type MonitorCredentials } from '../ports/graph';
import { SignInError } from '../ports/sign-in';
import type { MonitorRecord, MonitorState, Store } from '../ports/store';
import { isClientStateOf, newClientState, storedFormOf } from './client-state';
import type { SyncClock } from './clock';
import type { SyncLog } from './log';
import { backoffMs, classify } from './errors';
import {
  isRefusedSignIn,
  isSubscriptionConflict,
  monitorProblem,
  storedMonitorProblem,
} from './monitor-problem';
import type { GraphNotification } from './webhooks';

/**
 * A monitor whose sign-in Entra refused (wrong password, disabled, locked, MFA): nothing signs it in again until the
 * admin acts (Authorize or a new password set it to 'new'), since repeating a wrong password is how Entra's smart
 * lockout locks the account.
 */
function waitsForAdmin(m: MonitorRecord): boolean {
  return m.state === 'failed' && isRefusedSignIn(m.lastError);
}

export interface MonitorSettings {
  tenantId: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  /** Requested subscription lifetime (Graph allows at most 60 minutes for presence). */
  lifetimeMs: number;
  /** Renew this long before expiry. */
  renewAheadMs: number;
}

/**
 * Presence monitors: user accounts that each hold one Graph presence subscription for up to 650 users. Keeps every
 * subscription alive (renew before the 60-minute limit, recreate when Graph lost it, reauthorize when asked), and
 * tells the engine which users may have missed changes so it can resync them.
 */
export class Monitors {
  private readonly monitors = new Map<string, MonitorRecord>();
  private readonly timers = new Map<string, () => void>();
  private readonly attempts = new Map<string, number>();
  /** The tail of each monitor's queue of subscription operations (serial()). */
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly settings: MonitorSettings,
    private readonly subs: GraphSubscriptionPort,
    private readonly store: Store,
    private readonly clock: SyncClock,
    private readonly credentials: (m: MonitorRecord) => MonitorCredentials,
    /** Users whose changes may have been missed (subscription recreated, `missed` lifecycle event). */
    private readonly onMissed: (userIds: string[]) => void,
    /** Subscriptions created, renewed, re-created, refused; lifecycle notifications; monitor sign-in failures. */
    private readonly log: SyncLog,
  ) {}

  /** Whether a notification really comes from one of our subscriptions (its clientState is the secret we chose). */
  isOurs(n: GraphNotification): boolean {
    const m = this.bySubscription(n.subscriptionId);
    return !!m && isClientStateOf(n.clientState, m.clientState);
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of this.monitors.values()) counts[m.state] = (counts[m.state] ?? 0) + 1;
    return counts;
  }

  list(): MonitorRecord[] {
    return [...this.monitors.values()];
  }

  /** Loads monitors, spreads the watched users over them, and brings every subscription up (restart included). */
  async reconcile(watchedUserIds: string[]): Promise<string[]> {
    const stored = (await this.store.listMonitors(this.settings.tenantId)).filter(
      (m) => m.state !== 'deleted',
    );
    for (const m of stored) {
      const known = this.monitors.get(m.monitorId);
      // A record the admin changed since (a new password, "authorize again"), or written after ours: it wins.
      if (!known || m.adminVersion > known.adminVersion || m.updatedAt > known.updatedAt)
        this.monitors.set(m.monitorId, m);
    }
    for (const id of [...this.monitors.keys()]) if (!stored.some((m) => m.monitorId === id)) this.forget(id);
    const monitors = [...this.monitors.values()].sort((a, b) => a.monitorId.localeCompare(b.monitorId));
    const plan = assignUsers(watchedUserIds, monitors);
    await Promise.all(
      monitors.map((m) =>
        this.serial(m.monitorId, async () => {
          const userIds = plan.byMonitor.get(m.monitorId) ?? [];
          const changed = plan.changed.includes(m.monitorId);
          // Fresh: a lifecycle notification handled while this reconcile waited its turn may have re-created it.
          const current: MonitorRecord = { ...this.current(m), userIds };
          this.monitors.set(m.monitorId, current);
          if (userIds.length === 0) return this.retire(current);
          if (waitsForAdmin(current)) return void (await this.saved(current, {}));
          const alive =
            current.subscriptionId &&
            current.subscriptionExpiresAt &&
            current.subscriptionExpiresAt > this.clock.now();
          // 'new' and 'updateRequired' mean the admin asked for a fresh sign-in and subscription, not a renewal.
          const reauthorize = current.state === 'new' || current.state === 'updateRequired';
          if (alive && !changed && !reauthorize) return this.renew(current);
          return this.create(current);
        }),
      ),
    );
    return plan.unassigned;
  }

  /**
   * The periodic resync: a monitor whose subscription failed tries again now instead of waiting out its backoff. The
   * backoff grows with every failure and is only reset by a success, so a Graph outage of a few minutes left the
   * users without notifications for up to 15 minutes after Graph was back (the chaos test met it). One attempt per
   * resync costs nothing while Graph is still down. A 409 is left to its own timer: the old subscription has to lapse.
   */
  async retryFailed(): Promise<void> {
    // A refused sign-in waits for the admin (see failed()); a failed spare has no subscription to bring back.
    const failed = [...this.monitors.values()].filter(
      (m) =>
        m.state === 'failed' &&
        m.userIds.length > 0 &&
        !isSubscriptionConflict(m.lastError) &&
        !waitsForAdmin(m),
    );
    await Promise.all(
      failed.map((m) =>
        this.serial(m.monitorId, async () => {
          if (this.stopped || this.current(m).state !== 'failed') return; // repaired meanwhile
          await this.create(this.current(m));
        }),
      ),
    );
  }

  async onLifecycle(n: GraphNotification): Promise<void> {
    const m = this.bySubscription(n.subscriptionId);
    if (!m) return;
    this.log[n.lifecycleEvent === 'reauthorizationRequired' ? 'info' : 'warn'](
      {
        tenantId: this.settings.tenantId,
        event: 'graph.lifecycle',
        lifecycleEvent: n.lifecycleEvent,
        monitorId: m.monitorId,
        subscriptionId: n.subscriptionId,
      },
      `Graph lifecycle notification: ${n.lifecycleEvent}`,
    );
    if (n.lifecycleEvent === 'reauthorizationRequired')
      return this.serial(m.monitorId, () => this.reauthorize(this.current(m)));
    if (n.lifecycleEvent === 'subscriptionRemoved')
      return this.serial(m.monitorId, async () => {
        // Re-created meanwhile (a reconcile that ran first): the removed one is already replaced.
        if (this.current(m).subscriptionId !== n.subscriptionId) return;
        await this.create(this.current(m));
      });
    if (n.lifecycleEvent === 'missed') this.onMissed(m.userIds);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /**
   * A new ownership term after a stop: the records are read again from the store at the next reconcile (the process
   * that owned the tenant meanwhile may have re-created subscriptions with a new clientState).
   */
  resume(): void {
    this.stop();
    this.monitors.clear();
    this.attempts.clear();
    this.stopped = false;
  }

  /**
   * One subscription operation per monitor at a time. Graph allows one presence subscription per monitor account, so
   * two creates racing (a lifecycle `subscriptionRemoved` and a reconcile) would end with a 409 and the monitor
   * recorded as failed while Graph holds a live subscription nobody renews (found by the chaos test).
   */
  private serial(monitorId: string, op: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(monitorId) ?? Promise.resolve()).then(op, op);
    const settled = next.catch(() => undefined);
    this.chains.set(monitorId, settled);
    void settled.then(() => {
      if (this.chains.get(monitorId) === settled) this.chains.delete(monitorId);
    });
    return next;
  }

  private bySubscription(subscriptionId: string): MonitorRecord | undefined {
    for (const m of this.monitors.values()) if (m.subscriptionId === subscriptionId) return m;
    return undefined;
  }

  private async create(m: MonitorRecord): Promise<void> {
    if (m.subscriptionId) {
      // One presence subscription per monitor: the old one must go first, or Graph answers 409.
      await this.subs.delete(this.credentials(m), m.subscriptionId).catch(() => undefined);
    }
    const clientState = newClientState();
    try {
      const sub = await this.subs.create(this.credentials(m), {
        userIds: m.userIds,
        notificationUrl: this.settings.notificationUrl,
        lifecycleNotificationUrl: this.settings.lifecycleNotificationUrl,
        clientState: clientState.secret,
        expirationDateTime: new Date(this.clock.now() + this.settings.lifetimeMs).toISOString(),
      });
      const kept = await this.saved(m, {
        state: 'active',
        subscriptionId: sub.id,
        subscriptionExpiresAt: Date.parse(sub.expirationDateTime),
        clientState: clientState.stored,
        lastError: null,
      });
      // The admin changed the monitor meanwhile: nothing records this subscription, and left alone it would hold
      // the account's one presence subscription (409 for the next create) until it lapses.
      if (!kept) return void (await this.subs.delete(this.credentials(m), sub.id).catch(() => undefined));
      this.log.info(
        {
          tenantId: this.settings.tenantId,
          event: 'graph.subscriptionCreated',
          monitorId: m.monitorId,
          subscriptionId: sub.id,
          replaced: m.subscriptionId,
          users: m.userIds.length,
        },
        m.subscriptionId ? 'presence subscription re-created' : 'presence subscription created',
      );
      this.onMissed(m.userIds); // changes while we had no subscription are lost: read them now
    } catch (err) {
      await this.failed(m, err, { subscriptionId: null, subscriptionExpiresAt: null });
    }
  }

  private async renew(m: MonitorRecord): Promise<void> {
    try {
      await this.saved(m, { state: 'renewing' });
      const sub = await this.subs.renew(
        this.credentials(m),
        m.subscriptionId as string,
        new Date(this.clock.now() + this.settings.lifetimeMs).toISOString(),
      );
      await this.saved(m, {
        state: 'active',
        subscriptionExpiresAt: Date.parse(sub.expirationDateTime),
        // A record from before digests is rewritten as one at its first renewal.
        clientState: m.clientState && storedFormOf(m.clientState),
        lastError: null,
      });
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return this.create(this.current(m));
      await this.failed(m, err, {});
    }
  }

  private async reauthorize(m: MonitorRecord): Promise<void> {
    try {
      await this.subs.reauthorize(this.credentials(m), m.subscriptionId as string);
      await this.saved(m, { state: 'active', lastError: null });
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return this.create(this.current(m));
      // Renewing also reauthorizes; try that before giving up.
      return this.renew(this.current(m));
    }
  }

  /**
   * A monitor no user needs now (a spare): its subscription goes and it waits in reserve. A new account, or one the
   * admin asked to authorize, is signed in first, so a wrong password shows now rather than on the day it is needed.
   * A failed spare stays failed until the admin acts: signing in again and again with a wrong password is how an
   * account gets locked out.
   */
  private async retire(m: MonitorRecord): Promise<void> {
    if (m.subscriptionId)
      await this.subs.delete(this.credentials(m), m.subscriptionId).catch(() => undefined);
    const unsubscribed = { subscriptionId: null, subscriptionExpiresAt: null, clientState: null };
    if (m.state === 'failed') return void (await this.saved(m, unsubscribed)); // its own timer, if any, tries again
    if (m.state === 'new' || m.state === 'updateRequired') return this.standBy(m, unsubscribed);
    await this.saved(m, { ...unsubscribed, state: 'standby', lastError: null });
  }

  private async standBy(m: MonitorRecord, patch: Partial<MonitorRecord> = {}): Promise<void> {
    try {
      await this.subs.signIn(this.credentials(m));
    } catch (err) {
      return this.failed(m, err, patch);
    }
    this.log.info(
      { tenantId: this.settings.tenantId, event: 'monitor.standby', monitorId: m.monitorId },
      'presence monitor signed in and kept in reserve',
    );
    await this.saved(m, { ...patch, state: 'standby', lastError: null });
  }

  private current(m: MonitorRecord): MonitorRecord {
    return this.monitors.get(m.monitorId) ?? m;
  }

  private async failed(m: MonitorRecord, err: unknown, patch: Partial<MonitorRecord>): Promise<void> {
    const f = classify(err, this.log);
    const conflict = err instanceof GraphError && err.status === 409;
    const problem = conflict
      ? said('monitor.subscriptionConflict')
      : f.retry
        ? monitorProblem(f.message)
        : monitorProblem(f.message, f.fix);
    const lastError = storedMonitorProblem(problem);
    const state: MonitorState =
      !f.retry && !conflict && err instanceof GraphError && err.status === 403 ? 'updateRequired' : 'failed';
    await this.saved(m, { ...patch, state, lastError });
    this.log.warn(
      {
        tenantId: this.settings.tenantId,
        event: err instanceof GraphError ? 'graph.subscriptionFailed' : 'monitor.signInFailed',
        monitorId: m.monitorId,
        state,
        problem: english(problem),
      },
      err instanceof GraphError
        ? 'a presence monitor could not hold its subscription'
        : 'a presence monitor could not sign in',
    );
    // A refused sign-in is not tried again on its own (waitsForAdmin).
    if (err instanceof SignInError && err.refusal !== undefined) return this.unschedule(m.monitorId);
    const attempt = this.attempts.get(m.monitorId) ?? 0;
    this.attempts.set(m.monitorId, attempt + 1);
    this.schedule(m.monitorId, conflict ? 5 * 60_000 : backoffMs(attempt, 5000, 15 * 60_000), () => {
      const now = this.current(m);
      return now.userIds.length > 0 ? this.create(now) : this.standBy(now);
    });
  }

  /**
   * Records what an operation on `m` came to, unless an admin changed the monitor after the operation started: a
   * sign-in or renewal begun with the old password must not write over the new one, nor bring a deleted monitor
   * back. The store holds the write to the admin version `m` was read at, so this holds across processes too.
   */
  private async saved(m: MonitorRecord, patch: Partial<MonitorRecord>): Promise<boolean> {
    const current = this.current(m);
    // The reconcile the admin's change asked for has taken it in already, and works from it.
    if (current.adminVersion !== m.adminVersion) {
      this.logStaleResult(m);
      return false;
    }
    const next: MonitorRecord = { ...current, ...patch, updatedAt: this.clock.now() };
    // In memory at once: a notification on a subscription just created must find its client state.
    this.monitors.set(m.monitorId, next);
    if (patch.state === 'standby') {
      this.attempts.delete(m.monitorId);
      this.unschedule(m.monitorId);
    }
    if (patch.state === 'active') {
      this.attempts.delete(m.monitorId);
      const due =
        (next.subscriptionExpiresAt ?? this.clock.now()) - this.settings.renewAheadMs - this.clock.now();
      this.schedule(m.monitorId, due, () => this.renew(this.current(m)));
    }
    if (await this.store.saveMonitorProgress(next)) return true;
    await this.adminChangedMeanwhile(m);
    return false;
  }

  /** The store refused the write: the admin's change stands, and the reconcile it asks for works from it. */
  private async adminChangedMeanwhile(m: MonitorRecord): Promise<void> {
    this.logStaleResult(m);
    const stored = await this.store.getMonitor(this.settings.tenantId, m.monitorId);
    if (!stored || stored.state === 'deleted') return this.forget(m.monitorId);
    this.unschedule(m.monitorId);
    this.monitors.set(m.monitorId, stored);
  }

  private schedule(monitorId: string, ms: number, fn: () => Promise<void>): void {
    this.timers.get(monitorId)?.();
    if (this.stopped) return;
    this.timers.set(
      monitorId,
      this.clock.setTimer(ms, () => {
        this.timers.delete(monitorId);
        void this.serial(monitorId, fn);
      }),
    );
  }

  private unschedule(monitorId: string): void {
    this.timers.get(monitorId)?.();
    this.timers.delete(monitorId);
  }

  private logStaleResult(m: MonitorRecord): void {
    this.log.info(
      { tenantId: this.settings.tenantId, event: 'monitor.adminChangeWins', monitorId: m.monitorId },
      "an admin changed the presence monitor while an operation on it ran: the operation's result is dropped",
    );
  }

  private forget(monitorId: string): void {
    this.unschedule(monitorId);
    this.monitors.delete(monitorId);
  }
}

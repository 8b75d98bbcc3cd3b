import { withAttemptGate } from '../adapters/http/attempt-gate';
import type { CloudLinkPort } from '../ports/cloudlink';
import type { GraphPort, GraphSubscriptionPort } from '../ports/graph';
import type { SyncClock } from './clock';
import type { SyncLog } from './log';

/** A write the ownership fence held back: this process may no longer own the tenant's sync. Never retried. */
export class FencedWriteError extends Error {
  constructor(readonly op: string) {
    super(`${op} not sent: this process's sync lease ran out, another process may own the tenant's sync now`);
    this.name = 'FencedWriteError';
  }
}

export interface FenceSettings {
  tenantId: string;
  /** How long a taken or renewed lease holds in the store (OwnershipOptions.ttlMs). */
  ttlMs: number;
  /**
   * Taken off the lease on our side: the most the wall clocks of two processes may disagree, plus the time a checked
   * request needs to leave the machine. A write goes out only while more than this is left of the lease.
   */
  marginMs: number;
}

/** What the process that takes over needs to know about the time nobody ran the sync. */
export interface SyncTerm {
  epoch: number;
  /** When the previous holder last took or renewed the lease (store time); null: unknown (read everything). */
  lastAliveAt: number | null;
  previousHolder: string | null;
}

/**
 * The ownership fence (issue 12). Neither Graph nor CloudLink can check a fencing token for us, so the check is ours,
 * made right before every outbound write leaves (attempt-gate.ts): a write is sent only while this process holds the
 * lease at a known epoch and its lease, measured on this process's monotonic clock from the moment the renewal that
 * granted it was *sent* (not answered), has more than `marginMs` left. The store gave the lease until
 * sentAt + ttlMs by its own reckoning, so the lease cannot have passed to another process before
 * sentAt + ttlMs − clock skew; a process frozen past that point finds the fence shut the instant it wakes, before
 * any timer or webhook of the old term can write. The epoch is checked against the store on every renewal
 * (OwnedSyncService): a renewal that answers another epoch, or none, ends the term at once.
 */
export class LeaseFence {
  private epoch: number | null = null;
  private validUntil = Number.NEGATIVE_INFINITY;
  private refusalLogged = false;
  private countRefusal: ((op: string) => void) | null = null;
  /** Refused writes since start (tests, health). */
  refusals = 0;
  /** The term this process holds now, for the start-up reads of a takeover; null while it holds none. */
  term: SyncTerm | null = null;
  /** Told when a write was refused while this process still thought it owned the tenant (stand down now). */
  onLapse: () => void = () => undefined;

  constructor(
    readonly settings: FenceSettings,
    private readonly clock: SyncClock,
    private readonly log: SyncLog,
  ) {}

  /** The fence's time: steady, and counting while the process is stopped. */
  now(): number {
    return this.clock.monotonicNow?.() ?? this.clock.now();
  }

  /** The store granted (or renewed) the lease at `epoch`, for the request sent at `sentAt` (this.now() before it). */
  grant(epoch: number, sentAt: number): void {
    this.epoch = epoch;
    this.validUntil = sentAt + this.settings.ttlMs - this.settings.marginMs;
    this.refusalLogged = false;
  }

  /** This process gave the lease up or lost it: nothing goes out until the next grant. */
  revoke(): void {
    this.epoch = null;
    this.validUntil = Number.NEGATIVE_INFINITY;
    this.term = null;
  }

  get heldEpoch(): number | null {
    return this.epoch;
  }

  /** Whether a write may go out now. */
  open(): boolean {
    return this.epoch !== null && this.now() < this.validUntil;
  }

  /** How long the fence stays open without another renewal (≤ 0: shut). */
  remainingMs(): number {
    return this.epoch === null ? 0 : this.validUntil - this.now();
  }

  /** Counts refused writes in the tenant's sync metrics (switchboard_sync_fenced_writes_total{tenant,op}). */
  countOn(count: (op: string) => void): void {
    this.countRefusal = count;
  }

  /** Right before a write leaves: throws FencedWriteError unless the fence is open. */
  admit(op: string): void {
    if (this.open()) return;
    this.refusals++;
    this.countRefusal?.(op);
    const lapsed = this.epoch !== null;
    if (!this.refusalLogged) {
      this.refusalLogged = true;
      this.log.error(
        {
          tenantId: this.settings.tenantId,
          event: 'sync.fencedWrite',
          op,
          epoch: this.epoch,
          leaseLeftMs: Math.round(this.remainingMs()),
        },
        "a presence write was not sent: this process's sync lease ran out (another process may own the tenant " +
          'now); further refused writes are counted in switchboard_sync_fenced_writes_total, not logged',
      );
    }
    if (lapsed) this.onLapse();
    throw new FencedWriteError(op);
  }

  /** Runs one outbound write behind the fence: checked now, and again before every HTTP attempt it makes. */
  guard<T>(op: string, write: () => Promise<T>): Promise<T> {
    return withAttemptGate(
      () => this.admit(op),
      async () => {
        this.admit(op);
        return write();
      },
    );
  }
}

/** The Graph port with every write (presence sessions) behind the fence; reads pass. */
export function fencedGraph(graph: GraphPort, fence: LeaseFence): GraphPort {
  return {
    setPresence: (userId, presence, expiration) =>
      fence.guard('setPresence', () => graph.setPresence(userId, presence, expiration)),
    clearPresence: (userId) => fence.guard('clearPresence', () => graph.clearPresence(userId)),
    getPresence: (userId) => graph.getPresence(userId),
    getPresencesByUserId: (userIds) => graph.getPresencesByUserId(userIds),
    findUser: (idOrUpnOrMail) => graph.findUser(idOrUpnOrMail),
    listUsers: () => graph.listUsers(),
    searchGroups: (text, limit) => graph.searchGroups(text, limit),
    getGroup: (groupId) => graph.getGroup(groupId),
    listGroupMemberIds: (groupId) => graph.listGroupMemberIds(groupId),
    ...(graph.usersDelta && {
      usersDelta: (deltaLink?: string) => graph.usersDelta!(deltaLink),
    }),
  };
}

/**
 * Graph presence subscriptions behind the fence too: a stale owner that re-created or deleted one would cut the new
 * owner off from Teams changes (its clientState and subscription ids are in the store).
 */
export function fencedSubscriptions(subs: GraphSubscriptionPort, fence: LeaseFence): GraphSubscriptionPort {
  return {
    create: (monitor, request) => fence.guard('createSubscription', () => subs.create(monitor, request)),
    renew: (monitor, id, expiry) => fence.guard('renewSubscription', () => subs.renew(monitor, id, expiry)),
    reauthorize: (monitor, id) => fence.guard('reauthorizeSubscription', () => subs.reauthorize(monitor, id)),
    delete: (monitor, id) => fence.guard('deleteSubscription', () => subs.delete(monitor, id)),
    // A token request changes nothing at Graph: no fence needed.
    signIn: (monitor) => subs.signIn(monitor),
  };
}

/** The CloudLink port with DND writes and subscription changes behind the fence; reads pass. */
export function fencedCloudLink(cloudlink: CloudLinkPort, fence: LeaseFence): CloudLinkPort {
  return {
    listCallRecords: (query) => cloudlink.listCallRecords(query),
    listUsers: () => cloudlink.listUsers(),
    getPresence: (principalId) => cloudlink.getPresence(principalId),
    setDnd: (principalId, dnd, statusText) =>
      fence.guard('setDnd', () => cloudlink.setDnd(principalId, dnd, statusText)),
    subscribe: (request) => fence.guard('subscribe', () => cloudlink.subscribe(request)),
    unsubscribe: (subscriptionId) => fence.guard('unsubscribe', () => cloudlink.unsubscribe(subscriptionId)),
    subscriptionExists: (subscriptionId) => cloudlink.subscriptionExists(subscriptionId),
    listSubscriptions: () => cloudlink.listSubscriptions(),
    readWebhook: (body) => cloudlink.readWebhook(body),
  };
}

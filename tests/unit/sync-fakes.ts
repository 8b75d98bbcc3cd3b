/**
 * In-memory stand-ins for the ports, for engine unit tests (the integration tests use the real emulators). The fake
 * Graph aggregates presence the documented way: preferred presence beats sessions; DoNotDisturb > Busy > Available > Away.
 */
import type { CallStage } from '../../shared/domain/pbx-calls';
import type { AppSessionPresence, PbxStatus, TeamsPresence } from '../../shared/domain/presence';
import {
  CloudLinkError,
  type CallRecord,
  type CloudLinkPort,
  type PbxSubscription,
  type PbxSubscriptionRequest,
  type PbxEvent,
  type PbxUser,
  type PbxWebhookReading,
  type PbxWriteReceipt,
} from '../../shared/ports/cloudlink';
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import {
  GraphError,
  type GraphGroup,
  type GraphPort,
  type GraphSubscription,
  type GraphSubscriptionPort,
  type GraphUser,
  type MonitorCredentials,
  type PresenceSubscriptionRequest,
} from '../../shared/ports/graph';
import type { SyncClock } from '../../shared/sync/clock';

/** A call event of the user, as the CloudLink adapter reads a media webhook (`at`: CloudLink's time, if given). */
export function callEvent(
  principalId: string,
  callId: string,
  stage: CallStage,
  at: number | null,
): PbxEvent {
  const call = { direction: null, from: null, fromName: null, to: null, toName: null, createdOn: null };
  return stage === 'ended'
    ? { kind: 'callEnded', principalId, callId, cause: null, at, call }
    : { kind: 'call', principalId, callId, stage, at, call };
}

const RANK: Record<string, number> = { DoNotDisturb: 4, Busy: 3, Available: 2, Away: 1 };

interface TeamsUser {
  own: { availability: string; activity: string };
  preferred: { availability: string; activity: string } | null;
  session: { presence: AppSessionPresence; expiresAt: number } | null;
  seq: number;
  last: string;
}

export class FakeGraph implements GraphPort {
  readonly users = new Map<string, TeamsUser>();
  readonly calls: { op: string; userId?: string; presence?: AppSessionPresence; ids?: number }[] = [];
  /** Errors the next writes (setPresence, clearPresence) throw, in order (a TypeError stands for a bug of ours). */
  failures: Error[] = [];
  /** Errors the next reads throw, in order. */
  readFailures: GraphError[] = [];
  /** Makes every write wait for `release()`. */
  hold = false;
  private held: (() => void)[] = [];
  private seq = 0;
  onChange: (userId: string) => void = () => undefined;

  constructor(
    private readonly clock: SyncClock,
    private readonly beforeRequest: () => Promise<void> = async () => undefined,
  ) {}

  addUser(id: string): void {
    this.users.set(id, {
      own: { availability: 'Available', activity: 'Available' },
      preferred: null,
      session: null,
      seq: 0,
      last: '',
    });
  }

  release(): void {
    const h = this.held;
    this.held = [];
    h.forEach((r) => r());
  }

  /** The user's own Teams clients (a Teams call, a meeting). */
  setOwn(id: string, availability: string, activity: string): void {
    this.u(id).own = { availability, activity };
    this.changed(id);
  }

  setPreferred(id: string, p: { availability: string; activity: string } | null): void {
    this.u(id).preferred = p;
    this.changed(id);
  }

  presenceOf(id: string): TeamsPresence {
    const u = this.u(id);
    const session = u.session && u.session.expiresAt > this.clock.now() ? u.session.presence : null;
    let shown = u.preferred ?? u.own;
    if (!u.preferred && session && (RANK[session.availability] ?? 0) >= (RANK[u.own.availability] ?? 0))
      shown = session;
    return {
      userId: id,
      availability: shown.availability,
      activity: shown.activity,
      sequenceNumber: String(u.seq).padStart(10, '0'),
    };
  }

  private changed(id: string): void {
    const u = this.u(id);
    const p = this.presenceOf(id);
    const key = `${p.availability}/${p.activity}`;
    if (key === u.last) return;
    u.last = key;
    u.seq = ++this.seq;
    this.onChange(id);
  }

  private u(id: string): TeamsUser {
    const u = this.users.get(id);
    if (!u) throw new GraphError(404, 'NotFound', `no user ${id}`);
    return u;
  }

  private async call(op: string, extra: Partial<FakeGraph['calls'][number]> = {}): Promise<void> {
    await this.beforeRequest();
    this.calls.push({ op, ...extra });
    const write = op === 'setPresence' || op === 'clearPresence';
    if (write && this.hold) await new Promise<void>((r) => this.held.push(r));
    const f = write ? this.failures.shift() : this.readFailures.shift();
    if (f) throw f;
  }

  async setPresence(userId: string, presence: AppSessionPresence, expiration: string): Promise<void> {
    await this.call('setPresence', { userId, presence });
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(expiration);
    if (!m) throw new GraphError(400, 'BadRequest', 'bad duration');
    const ms = (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000;
    this.u(userId).session = { presence, expiresAt: this.clock.now() + ms };
    this.changed(userId);
  }

  async clearPresence(userId: string): Promise<boolean> {
    await this.call('clearPresence', { userId });
    const had = !!this.u(userId).session;
    this.u(userId).session = null;
    this.changed(userId);
    return had;
  }

  async getPresence(userId: string): Promise<TeamsPresence> {
    await this.call('getPresence', { userId });
    return this.presenceOf(userId);
  }

  async getPresencesByUserId(userIds: string[]): Promise<TeamsPresence[]> {
    const out: TeamsPresence[] = [];
    for (let i = 0; i < userIds.length; i += 650) {
      const chunk = userIds.slice(i, i + 650);
      await this.call('getPresencesByUserId', { ids: chunk.length });
      out.push(...chunk.filter((id) => this.users.has(id)).map((id) => this.presenceOf(id)));
    }
    return out;
  }

  async findUser(): Promise<GraphUser | undefined> {
    return undefined;
  }

  async *listUsers(): AsyncIterable<GraphUser> {
    for (const id of this.users.keys())
      yield { id, userPrincipalName: `${id}@contoso.com`, mail: `${id}@contoso.com`, displayName: id };
  }

  async searchGroups(): Promise<GraphGroup[]> {
    return [];
  }

  async getGroup(): Promise<GraphGroup | undefined> {
    return undefined;
  }

  async listGroupMemberIds(): Promise<string[]> {
    return [];
  }

  writes(op?: 'setPresence' | 'clearPresence'): FakeGraph['calls'] {
    return this.calls.filter((c) => (op ? c.op === op : c.op === 'setPresence' || c.op === 'clearPresence'));
  }
}

export class FakeCloudLink implements CloudLinkPort {
  /** What each presentity says: DND and status text (CloudLink presence carries no call state). */
  readonly presence = new Map<string, PbxStatus>();
  /** Call records per principal, newest first, as GET /calls/records lists them. */
  readonly records = new Map<string, CallRecord[]>();
  /** Called for every call event, as CloudLink would post a media (platform-api-media) event. */
  onCall: (principalId: string, callId: string, stage: CallStage) => void = () => undefined;
  private readonly callNumbers = new Map<string, number>();
  readonly setDndCalls: { principalId: string; dnd: boolean; statusText: string | null }[] = [];
  readonly subscriptions: PbxSubscriptionRequest[] = [];
  /** Subscription ids CloudLink still has (a test may drop one, as a broken feed). */
  readonly liveSubscriptions = new Set<string>();
  /** While set, the user list waits for it: a directory read still running when the sync is stopped. */
  userListHeld: Promise<void> | undefined;
  /** Every principal whose presence was read, in order. */
  readonly presenceReads: string[] = [];
  failures: CloudLinkError[] = [];
  /** Called after every change, as CloudLink would post a presence event. */
  onChange: (principalId: string) => void = () => undefined;

  add(principalId: string): void {
    this.presence.set(principalId, { dnd: false, statusText: null });
  }

  set(principalId: string, p: Partial<PbxStatus>): void {
    this.presence.set(principalId, { ...(this.presence.get(principalId) as PbxStatus), ...p });
    this.onChange(principalId);
  }

  /**
   * A call event of the user's current call (`call-{principal}-{n}`; a new call after each end), or of `callId`.
   * `idle` is the current call ending.
   */
  call(principalId: string, stage: CallStage | 'idle', callId?: string): string {
    const n = this.callNumbers.get(principalId) ?? 1;
    const id = callId ?? `call-${principalId}-${n}`;
    const s: CallStage = stage === 'idle' ? 'ended' : stage;
    if (s === 'ended' && !callId) this.callNumbers.set(principalId, n + 1);
    this.onCall(principalId, id, s);
    return id;
  }

  /** CloudLink's call record of a finished call (it shows in GET /calls/records). */
  addRecord(principalId: string, callId: string, endTime: number): void {
    const record: CallRecord = {
      callId,
      from: '+4930123456',
      fromName: null,
      to: principalId,
      toName: null,
      direction: 'inbound',
      state: 'disconnected',
      cause: 'normal',
      createdOn: new Date(endTime - 60_000).toISOString(),
      endTime: new Date(endTime).toISOString(),
      completed: true,
      ringTime: 5_000,
      billingTime: 55_000,
    };
    this.records.set(principalId, [record, ...(this.records.get(principalId) ?? [])]);
  }

  readonly recordReads: string[] = [];

  async listCallRecords(query: { principalId: string }) {
    this.recordReads.push(query.principalId);
    return { records: this.records.get(query.principalId) ?? [], hasMore: false };
  }

  async listUsers(): Promise<PbxUser[]> {
    await this.userListHeld;
    return [...this.presence.keys()].map((p) => ({
      principalId: p,
      name: p,
      email: `${p.replace(/^pbx-/, '')}@contoso.com`,
      extension: null,
    }));
  }

  async getPresence(principalId: string): Promise<PbxStatus> {
    this.presenceReads.push(principalId);
    const f = this.failures.shift();
    if (f) throw f;
    return { ...(this.presence.get(principalId) as PbxStatus) };
  }

  /** CloudLink's clock, when its answers to DND writes date them (`updatedOn`); unset, they carry no time. */
  stampWith: (() => number) | null = null;

  async setDnd(principalId: string, dnd: boolean, statusText: string | null): Promise<PbxWriteReceipt> {
    const f = this.failures.shift();
    if (f) throw f;
    this.setDndCalls.push({ principalId, dnd, statusText });
    this.set(principalId, { dnd, statusText });
    return { updatedOn: this.stampWith?.() ?? null };
  }

  readWebhook(body: unknown): PbxWebhookReading {
    return readCloudLinkWebhook(body);
  }

  async subscribe(request: PbxSubscriptionRequest): Promise<{ subscriptionId: string }> {
    this.subscriptions.push(request);
    const subscriptionId = `s${this.subscriptions.length}`;
    this.liveSubscriptions.add(subscriptionId);
    return { subscriptionId };
  }

  async unsubscribe(subscriptionId: string): Promise<void> {
    this.liveSubscriptions.delete(subscriptionId);
  }

  async subscriptionExists(subscriptionId: string): Promise<boolean> {
    return this.liveSubscriptions.has(subscriptionId);
  }

  async listSubscriptions(): Promise<PbxSubscription[]> {
    return this.subscriptions
      .map((r, i) => ({ subscriptionId: `s${i + 1}`, topic: r.topic, subjectFilter: r.subject, url: r.url }))
      .filter((s) => this.liveSubscriptions.has(s.subscriptionId));
  }
}

export class FakeSubscriptions implements GraphSubscriptionPort {
  readonly live = new Map<
    string,
    { monitor: string; request: PresenceSubscriptionRequest; expiresAt: number }
  >();
  readonly log: string[] = [];
  failures: Error[] = [];
  /** Accounts whose sign-in Entra refuses (a wrong password), with the refusal. */
  readonly refusedSignIns = new Map<string, Error>();
  /** While set, a renewal waits for it before Graph answers: an operation still running when the admin acts. */
  renewalHeld: Promise<void> | undefined;
  private next = 1;

  constructor(private readonly clock: SyncClock) {}

  async create(
    monitor: MonitorCredentials,
    request: PresenceSubscriptionRequest,
  ): Promise<GraphSubscription> {
    this.log.push(`create ${monitor.username}`);
    const f = this.failures.shift();
    if (f) throw f;
    if ([...this.live.values()].some((s) => s.monitor === monitor.username))
      throw new GraphError(409, 'Conflict', 'one presence subscription per user');
    const id = `sub-${this.next++}`;
    const expiresAt = Math.min(Date.parse(request.expirationDateTime), this.clock.now() + 3_600_000);
    this.live.set(id, { monitor: monitor.username, request, expiresAt });
    return {
      id,
      resource: 'communications/presences',
      expirationDateTime: new Date(expiresAt).toISOString(),
      clientState: request.clientState,
    };
  }

  async renew(
    monitor: MonitorCredentials,
    id: string,
    expirationDateTime: string,
  ): Promise<GraphSubscription> {
    this.log.push(`renew ${monitor.username}`);
    await this.renewalHeld;
    const s = this.alive(id);
    s.expiresAt = Math.min(Date.parse(expirationDateTime), this.clock.now() + 3_600_000);
    return {
      id,
      resource: 'communications/presences',
      expirationDateTime: new Date(s.expiresAt).toISOString(),
    };
  }

  async reauthorize(monitor: MonitorCredentials, id: string): Promise<void> {
    this.log.push(`reauthorize ${monitor.username}`);
    this.alive(id);
  }

  async signIn(monitor: MonitorCredentials): Promise<void> {
    this.log.push(`signIn ${monitor.username}`);
    const refusal = this.refusedSignIns.get(monitor.username);
    if (refusal) throw refusal;
  }

  async delete(monitor: MonitorCredentials, id: string): Promise<void> {
    this.log.push(`delete ${monitor.username}`);
    this.alive(id);
    this.live.delete(id);
  }

  private alive(id: string) {
    const s = this.live.get(id);
    if (!s || s.expiresAt <= this.clock.now()) {
      this.live.delete(id);
      throw new GraphError(404, 'ResourceNotFound', 'subscription not found');
    }
    return s;
  }
}

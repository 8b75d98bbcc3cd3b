/**
 * The sync inbox (issue 12 part B) on an in-memory SQLite store and simulated time: the owner's drain applies what a
 * standby handed over in arrival order and deletes it, runs admin calls beside it, takes over calls a gone owner left
 * running; the inbox is bounded (a cap answered 503 with a log line, finished calls pruned); a standby's webhook
 * handoff checks Graph clientState and the CloudLink key against the store, in constant time, before storing.
 */
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import type { PbxEvent, PbxWebhookReading } from '../../shared/ports/cloudlink';
import type { MonitorRecord, Store } from '../../shared/ports/store';
import { InboxFullError, type SyncInbox } from '../../shared/ports/sync-inbox';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';
import { VirtualClock } from '../support/virtual-clock';
import type { SyncLog } from '../../shared/sync';
import { InboxDrain, type InboxTarget } from '../../shared/sync/inbox-drain';
import { OwnerCalls, SyncQueuedError, type OwnerCallPayload } from '../../shared/sync/owner-calls';
import { WebhookHandoff } from '../../shared/sync/webhook-handoff';
import type { GraphNotification } from '../../shared/sync/webhooks';

const TENANT = '11111111-1111-1111-1111-111111111111';

interface Logged {
  level: string;
  event: unknown;
}

function recordingLog(into: Logged[]): SyncLog {
  const push = (level: string) => (obj: object) =>
    void into.push({ level, event: (obj as { event?: unknown }).event });
  return { error: push('error'), warn: push('warn'), info: push('info') };
}

/** Records what the owner's engine is asked to do, in order; a call finishes when the test says so. */
class RecordingTarget implements InboxTarget {
  readonly applied: string[] = [];
  readonly calls: { call: OwnerCallPayload; finish: (v: unknown) => void; fail: (e: Error) => void }[] = [];
  failOn: string | null = null;
  progressOf: ((done: number, total: number) => void) | null = null;

  async onGraphNotifications(items: GraphNotification[]): Promise<void> {
    for (const n of items) this.applied.push(`graph ${String(n.resourceData?.id)}`);
  }

  async onPbxEvent(event: PbxEvent | null): Promise<void> {
    if (event?.principalId === this.failOn) throw new Error('cannot apply');
    this.applied.push(`cloudlink ${event ? `${event.kind} ${event.principalId}` : 'not followed'}`);
  }

  readWebhook(body: unknown): PbxWebhookReading {
    return readCloudLinkWebhook(body);
  }

  runCall(call: OwnerCallPayload, progress: (done: number, total: number) => void): Promise<unknown> {
    this.progressOf = progress;
    return new Promise((finish, fail) => this.calls.push({ call, finish, fail }));
  }
}

/** The row a standby stores: the event as the CloudLink adapter read it. */
const cloudlinkEvent = (principalId: string) => ({
  pbx: { kind: 'presence', principalId, status: null, at: null },
});
/** The post CloudLink sends (a presence event naming its user only). */
const cloudlinkPost = (principalId: string) => ({
  topic: 'platform-api-presence',
  method: 'PUT',
  subject: `/presentities/${principalId}`,
  content: {},
});
const graphItems = (userId: string) => ({
  items: [{ subscriptionId: 's1', clientState: 'x', resourceData: { id: userId } }],
});

describe('the owner drains the sync inbox', () => {
  let store: Store;
  let inbox: SyncInbox;
  let clock: VirtualClock;
  let logged: Logged[];
  const drains: InboxDrain[] = [];

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    inbox = store.syncInbox!();
    clock = new VirtualClock();
    logged = [];
  });
  afterEach(async () => {
    for (const d of drains.splice(0)) await d.stop();
    await store.close();
  });

  const drain = (target: InboxTarget, holder = 'owner-1', pollMs = 3000) => {
    const d = new InboxDrain(
      { tenantId: TENANT, inbox, clock, log: recordingLog(logged), holder, pollMs },
      target,
    );
    drains.push(d);
    return d;
  };

  it('applies events in arrival order, across batches and kinds, and deletes them', async () => {
    for (let i = 0; i < 250; i++) {
      const payload = i % 3 === 0 ? graphItems(`u${i}`) : cloudlinkEvent(`p${i}`);
      await inbox.enqueue(TENANT, i % 3 === 0 ? 'graph' : 'cloudlink', payload, clock.now(), 10_000);
    }
    await inbox.enqueue('another-tenant', 'cloudlink', cloudlinkEvent('theirs'), 0, 10_000);
    const target = new RecordingTarget();
    await drain(target).start();
    expect(target.applied).toEqual(
      Array.from({ length: 250 }, (_, i) => (i % 3 === 0 ? `graph u${i}` : `cloudlink presence p${i}`)),
    );
    expect(await inbox.depth(TENANT)).toBe(0);
    // Another tenant's rows are not this owner's.
    expect(await inbox.depth('another-tenant')).toBe(1);
  });

  it('applies a row an earlier version stored as the raw post, read by the CloudLink adapter', async () => {
    await inbox.enqueue(TENANT, 'cloudlink', { event: cloudlinkPost('old') }, clock.now(), 10_000);
    await inbox.enqueue(TENANT, 'cloudlink', { event: { nonsense: true } }, clock.now(), 10_000);
    const target = new RecordingTarget();
    await drain(target).start();
    expect(target.applied).toEqual(['cloudlink presence old']);
    expect(await inbox.depth(TENANT)).toBe(0);
  });

  it('finds rows added later at the next poll, and an event it cannot apply does not hold up the rest', async () => {
    const target = new RecordingTarget();
    target.failOn = 'bad';
    await drain(target).start();
    for (const s of ['a', 'bad', 'b'])
      await inbox.enqueue(TENANT, 'cloudlink', cloudlinkEvent(s), clock.now(), 10_000);
    expect(target.applied).toEqual([]); // SQLite has no LISTEN: nothing until the poll
    await clock.advance(3000);
    expect(target.applied).toEqual(['cloudlink presence a', 'cloudlink presence b']);
    expect(logged).toContainEqual({ level: 'error', event: 'inbox.applyFailed' });
    expect(await inbox.depth(TENANT)).toBe(0);
  });

  it('runs an admin call beside the events, with progress and result in its row for the caller', async () => {
    const target = new RecordingTarget();
    const calls = new OwnerCalls({ tenantId: TENANT, inbox, clock, log: recordingLog(logged), pollMs: 100 });
    const seen: string[] = [];
    const answer = calls.call(
      { op: 'resyncAll', options: { readEveryPbx: true } },
      { waitMs: null, progress: (d, t) => seen.push(`${d}/${t}`) },
    );
    await clock.advance(0);
    await inbox.enqueue(TENANT, 'cloudlink', cloudlinkEvent('after'), clock.now(), 10_000);
    await drain(target).start();
    // The event behind the call did not wait for it.
    expect(target.applied).toEqual(['cloudlink presence after']);
    expect(target.calls.map((c) => c.call)).toEqual([{ op: 'resyncAll', options: { readEveryPbx: true } }]);
    target.progressOf!(5, 10);
    await clock.advance(300, 100);
    expect(seen).toEqual(['5/10']);
    target.calls[0].finish({ done: 10, total: 10, pbxReads: 10 });
    await drains[0].callsDone();
    await clock.advance(300, 100);
    await expect(answer).resolves.toEqual({ done: 10, total: 10, pbxReads: 10 });
  });

  it('a caller that may wait only so long gets SyncQueuedError; the owner still runs the call', async () => {
    const calls = new OwnerCalls({ tenantId: TENANT, inbox, clock, log: recordingLog(logged), pollMs: 100 });
    const answer = calls.call({ op: 'resyncUser', userId: 'u1' }, { waitMs: 1000 });
    const outcome = answer.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await clock.advance(1500, 100);
    const err = await outcome;
    expect(err).toBeInstanceOf(SyncQueuedError);
    const target = new RecordingTarget();
    await drain(target).start();
    expect(target.calls.map((c) => c.call)).toEqual([{ op: 'resyncUser', userId: 'u1' }]);
    expect((await inbox.get(TENANT, (err as SyncQueuedError).requestId))?.state).toBe('running');
  });

  it('a failed call reaches its caller as an error with the owner’s message', async () => {
    const calls = new OwnerCalls({ tenantId: TENANT, inbox, clock, log: recordingLog(logged), pollMs: 100 });
    const answer = calls.call({ op: 'resetPhoneStatus', userId: 'u1' }, { waitMs: 10_000 });
    const target = new RecordingTarget();
    await clock.advance(0);
    await drain(target).start();
    target.calls[0].fail(new Error('CloudLink refused the write'));
    await drains[0].callsDone();
    const outcome = answer.catch((e: unknown) => e);
    await clock.advance(300, 100);
    expect(await outcome).toEqual(new Error('CloudLink refused the write'));
  });

  it('a handed-over call that throws at once fails in its row and holds nothing up', async () => {
    const id = await inbox.enqueue(TENANT, 'call', { op: 'resyncUser' }, clock.now(), 10_000); // no user id
    await inbox.enqueue(TENANT, 'cloudlink', cloudlinkEvent('after'), clock.now(), 10_000);
    const target = new RecordingTarget();
    // What the owner's engine did for a row without a user id: a throw before any promise existed.
    target.runCall = (call) => {
      throw new Error(`${call.op} needs a user id`);
    };
    await drain(target).start();
    await drains[0].callsDone();
    expect(target.applied).toEqual(['cloudlink presence after']);
    expect(await inbox.get(TENANT, id)).toMatchObject({ state: 'failed' });
    expect(logged).toContainEqual({ level: 'warn', event: 'inbox.callFailed' });
  });

  it('a new owner runs again the calls the old one left running; its own running calls are not run twice', async () => {
    await inbox.enqueue(TENANT, 'call', { op: 'refreshUsers' }, clock.now(), 10_000);
    const first = new RecordingTarget();
    await drain(first, 'owner-1').start();
    expect(first.calls).toHaveLength(1);
    await drains[0].kick();
    expect(first.calls).toHaveLength(1);
    await drains[0].stop(); // the old owner dies with the call running
    const second = new RecordingTarget();
    await drain(second, 'owner-2').start();
    expect(second.calls.map((c) => c.call)).toEqual([{ op: 'refreshUsers' }]);
  });

  it('is bounded: past the cap nothing is written, the handoff answers 503 and says so; old calls are pruned', async () => {
    for (let i = 0; i < 3; i++)
      await inbox.enqueue(TENANT, 'cloudlink', cloudlinkEvent(`p${i}`), clock.now(), 3);
    await expect(
      inbox.enqueue(TENANT, 'cloudlink', cloudlinkEvent('p4'), clock.now(), 3),
    ).rejects.toBeInstanceOf(InboxFullError);
    const handoff = new WebhookHandoff({
      tenantId: TENANT,
      inbox,
      store,
      clock,
      log: recordingLog(logged),
      fixedKey: 'the-key',
      cap: 3,
      readWebhook: readCloudLinkWebhook,
    });
    const answer = await handoff.cloudlink({ key: 'the-key', body: cloudlinkPost('p5') });
    expect(answer.status).toBe(503);
    expect(logged).toContainEqual({ level: 'error', event: 'inbox.full' });
    expect(await inbox.depth(TENANT)).toBe(3);

    // Finished calls stay an hour for their callers, then go at a poll.
    const target = new RecordingTarget();
    const d = drain(target);
    await d.start();
    const id = await inbox.enqueue(TENANT, 'call', { op: 'refreshUsers' }, clock.now(), 10);
    await d.kick();
    target.calls[0].finish({ ok: true });
    await d.callsDone();
    await clock.advance(30 * 60_000, 3000);
    expect((await inbox.get(TENANT, id))?.state).toBe('done');
    await clock.advance(40 * 60_000, 3000);
    expect(await inbox.get(TENANT, id)).toBeUndefined();
  });
});

describe('a standby checks webhooks against the store before handing them over', () => {
  let store: Store;
  let inbox: SyncInbox;
  let clock: VirtualClock;
  let logged: Logged[];
  const sealer = new SecretBox(Buffer.alloc(32, 7));

  const monitor = (clientState: string | null, subscriptionId = 'sub-1'): MonitorRecord => ({
    tenantId: TENANT,
    monitorId: 'm1',
    username: 'monitor@contoso.example',
    passwordSealed: 'sealed',
    passwordExpiresAt: null,
    state: 'active',
    subscriptionId,
    subscriptionExpiresAt: clock.now() + 3_600_000,
    userIds: ['u1'],
    clientState,
    lastError: null,
    updatedAt: clock.now(),
    adminVersion: 0,
  });

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    inbox = store.syncInbox!();
    clock = new VirtualClock();
    logged = [];
  });
  afterEach(() => store.close());

  const handoff = () =>
    new WebhookHandoff({
      tenantId: TENANT,
      inbox,
      store,
      clock,
      log: recordingLog(logged),
      sealer,
      readWebhook: readCloudLinkWebhook,
    });
  const post = (subscriptionId: string, clientState: string) => [
    { subscriptionId, clientState, resource: "communications/presences('u1')" },
  ];
  const stored = async () => (await inbox.next(TENANT, 'reader', 100)).map((i) => i.payload);

  it('takes the current clientState and refuses the one before the subscription was re-created', async () => {
    await store.putMonitor(monitor('old-state', 'sub-1'));
    const h = handoff();
    expect((await h.graph(post('sub-1', 'old-state'))).status).toBe(202);
    // The owner re-creates the subscription after subscriptionRemoved: a new id and clientState in the store.
    await store.putMonitor(monitor('new-state', 'sub-2'));
    expect((await h.graph(post('sub-2', 'new-state'))).status).toBe(202);
    expect((await h.graph(post('sub-1', 'old-state'))).status).toBe(202); // acknowledged, dropped
    expect((await h.graph(post('sub-2', 'old-state'))).status).toBe(202); // acknowledged, dropped
    expect(await stored()).toEqual([
      { items: [expect.objectContaining({ subscriptionId: 'sub-1', clientState: 'old-state' })] },
      { items: [expect.objectContaining({ subscriptionId: 'sub-2', clientState: 'new-state' })] },
    ]);
    expect(logged.filter((l) => l.event === 'graph.clientStateRefused')).toHaveLength(2);
  });

  it('takes a CloudLink post only with the tenant’s sealed key from the store, and stores no key', async () => {
    const key = 'tenant-webhook-key';
    await store.initCloudLinkWebhookKey(TENANT, sealer.seal(key), clock.now());
    const h = handoff();
    const body = cloudlinkPost('p1');
    expect((await h.cloudlink({ key: 'guess', body })).status).toBe(401);
    expect((await h.cloudlink({ key: '', body })).status).toBe(401);
    expect(await h.cloudlink({ key, body })).toMatchObject({
      status: 202,
      event: { kind: 'presence', principalId: 'p1' },
    });
    // Stored as the adapter read it: the owner does not parse the post again.
    const rows = await stored();
    expect(rows).toEqual([{ pbx: { kind: 'presence', principalId: 'p1', status: null, at: null } }]);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('answers 503 when the store cannot take the event, so the sender delivers it again', async () => {
    await store.putMonitor(monitor('state', 'sub-1'));
    const h = handoff();
    inbox.enqueue = () => Promise.reject(new Error('connection lost'));
    expect((await h.graph(post('sub-1', 'state'))).status).toBe(503);
    expect(logged).toContainEqual({ level: 'error', event: 'inbox.enqueueFailed' });
  });
});

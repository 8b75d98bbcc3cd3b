import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Delivery } from '../../emulators/cloudlink/notifications';
import type { PbxSubscription } from '../../shared/ports/cloudlink';
import { startSyncWorld, type SpawnedProcess, type SyncWorld } from './sync-harness';

/**
 * Issue 10 and 12: what outlives a process at CloudLink is found again after a crash, and one process per tenant runs
 * the sync engine. Against the emulators: CloudLink keeps our subscriptions across our restarts and posts to each.
 */
jest.setTimeout(60_000);

const PRESENCE = 'platform-api-presence';
const MEDIA = 'platform-api-media';
/** The default sync lease: 10 s, renewed (or retried by a standby) every 2.5 s (DEFAULT_LEASE). */
const LEASE_TTL = 10_000;
const LEASE_RENEW = 2_500;
/** What issue 12 promises: another process runs the tenant within 15 s of the owner's death. */
const TAKEOVER_LIMIT = 15_000;

/**
 * Moves simulated time on in 1 s steps, letting every store call finish before the next: the lease is taken and
 * renewed over real I/O (PostgreSQL), which the simulated clock cannot wait for by itself.
 */
async function pass(w: SyncWorld, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    await w.clock.advance(1000, 1000);
    await w.storeIdle();
  }
}

/** Passes simulated time until `service` runs the engine with both subscriptions live (at most two minutes). */
async function untilOwner(w: SyncWorld, service: SyncWorld['service']): Promise<number> {
  const start = w.clock.now();
  const running = () => {
    const h = service.health();
    return (
      h.syncOwnership?.state === 'owner' &&
      h.cloudlinkSubscriptions?.length === 2 &&
      h.cloudlinkSubscriptions.every((s) => s.state === 'active')
    );
  };
  while (!running()) {
    if (w.clock.now() - start > 120_000) throw new Error('no takeover within two simulated minutes');
    await pass(w, 1000);
  }
  return w.clock.now() - start;
}

/** A world as production runs it: the webhook key kept sealed in the store, no key fixed by configuration. */
async function productionWorld(extra: Parameters<typeof startSyncWorld>[0] = {}): Promise<SyncWorld> {
  const w = await startSyncWorld({
    users: 2,
    sealWebhookKey: true,
    ...extra,
    options: { cloudLinkWebhookKey: undefined, ...extra.options },
  });
  await w.service.refreshUsers();
  await w.service.start();
  return w;
}

/** What the emulated CloudLink holds, read from its side (not through the adapter under test). */
async function subscriptionsAtCloudLink(w: SyncWorld): Promise<PbxSubscription[]> {
  return w.emulators.cloudlink.control.subscriptions(w.accountId).map((s) => ({
    subscriptionId: s.subscriptionId,
    topic: s.topic,
    subjectFilter: s.subjectFilter,
    url: s.deviceId,
  }));
}

function byTopic(subs: PbxSubscription[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of subs) (out[s.topic] ??= []).push(s.subscriptionId);
  return out;
}

/** Places a missed call to user 0 and turns user 1's DND on: events on both topics. Answers the deliveries made. */
async function pbxActivity(w: SyncWorld): Promise<Delivery[]> {
  const control = w.emulators.cloudlink.control;
  const from = control.deliveries.length;
  const pbx = w.emulators.cloudlink.pbx;
  const call = pbx.placeCall('+4930111', w.pbxIds[0]);
  pbx.hangUp(call.callId);
  pbx.setDnd(w.pbxIds[1], true, 'Lunch');
  await control.deliveriesIdle();
  return control.deliveries.slice(from);
}

/** Every event reached us exactly once, through the live subscription of its topic, and was accepted. */
function expectDeliveredOnceAndAccepted(deliveries: Delivery[], live: Record<string, string[]>): void {
  expect(deliveries.map((d) => d.body.topic).sort()).toEqual(expect.arrayContaining([MEDIA, PRESENCE]));
  for (const d of deliveries) {
    expect({ topic: d.body.topic, subscription: d.subscriptionId, status: d.status }).toEqual({
      topic: d.body.topic,
      subscription: live[d.body.topic][0],
      status: 202,
    });
  }
  const events = deliveries.map((d) =>
    JSON.stringify([d.body.topic, d.body.method, d.body.subject, d.body.content]),
  );
  expect(new Set(events).size).toBe(events.length); // no event posted twice
}

describe('CloudLink subscriptions across crashes (issue 10)', () => {
  let w: SyncWorld;
  afterEach(async () => w?.close());

  it('after kill -9 and restarts, reuses its subscriptions: exactly one per topic, each event delivered once', async () => {
    w = await productionWorld();
    const first = byTopic(await subscriptionsAtCloudLink(w));
    expect(first).toEqual({ [PRESENCE]: [expect.any(String)], [MEDIA]: [expect.any(String)] });

    for (let crash = 1; crash <= 3; crash++) {
      await w.crash();
      // The dead process's lease holds until it expires; then the new process takes the tenant over.
      expect(w.service.health().syncOwnership?.state).toBe('standby');
      const took = await untilOwner(w, w.service);
      expect(took).toBeGreaterThanOrEqual(LEASE_TTL - LEASE_RENEW);
      expect(took).toBeLessThanOrEqual(TAKEOVER_LIMIT);
      expect(byTopic(await subscriptionsAtCloudLink(w))).toEqual(first);
    }

    const deliveries = await pbxActivity(w);
    expectDeliveredOnceAndAccepted(deliveries, first);
    expect(w.service.health().cloudlinkSubscriptions).toEqual([
      expect.objectContaining({ topic: PRESENCE, subscriptionId: first[PRESENCE][0], state: 'active' }),
      expect.objectContaining({ topic: MEDIA, subscriptionId: first[MEDIA][0], state: 'active' }),
    ]);
  });

  it('deletes subscriptions to our webhook that are not ours any more, and leaves other apps’ alone', async () => {
    w = await productionWorld();
    w.emulators.cloudlink.control.setDelivery({ retryDelaysMs: [50] }); // the leaked one's 401s give up quickly
    const ours = await subscriptionsAtCloudLink(w);
    const webhook = ours[0].url.replace(/[?&]key=[^&]*/, '');
    // A process that crashed between subscribing and recording it, with a key nobody has any more.
    const leaked = await w.cloudlink.subscribe({
      topic: PRESENCE,
      subject: '^/presentities/[^/]+$',
      url: `${webhook}?key=lost-key`,
    });
    const otherApp = await w.cloudlink.subscribe({
      topic: MEDIA,
      subject: '^/2017-09-01/endpoints/[^/]+/calls/[^/]+$',
      url: 'http://127.0.0.1:9/another-app/webhook',
    });
    const before = await pbxActivity(w);
    expect(before.some((d) => d.subscriptionId === leaked.subscriptionId && d.status === 401)).toBe(true);

    await w.crash();
    await untilOwner(w, w.service);
    const after = await subscriptionsAtCloudLink(w);
    expect(after.map((s) => s.subscriptionId).sort()).toEqual(
      [...ours.map((s) => s.subscriptionId), otherApp.subscriptionId].sort(),
    );
    const deliveries = (await pbxActivity(w)).filter((d) => d.subscriptionId !== otherApp.subscriptionId);
    expectDeliveredOnceAndAccepted(deliveries, byTopic(ours));
  });

  it('a clean restart deletes its subscriptions on stop and the next start makes one per topic', async () => {
    w = await productionWorld();
    await w.restart(); // stop() releases the lease: the new process owns the tenant at once
    expect(w.service.health().syncOwnership?.state).toBe('owner');
    const subs = byTopic(await subscriptionsAtCloudLink(w));
    expect(Object.values(subs).map((ids) => ids.length)).toEqual([1, 1]);
    expectDeliveredOnceAndAccepted(await pbxActivity(w), subs);
  });

  it('re-creates every topic CloudLink lost at the next resync, and shows them on the health view', async () => {
    w = await productionWorld();
    const before = byTopic(await subscriptionsAtCloudLink(w));
    expect(w.emulators.cloudlink.control.loseSubscriptions(w.accountId)).toBe(2);
    expect(await pbxActivity(w)).toEqual([]); // nothing reaches us now

    await w.run(w.service.resyncAll());
    const after = byTopic(await subscriptionsAtCloudLink(w));
    expect(Object.keys(after).sort()).toEqual([MEDIA, PRESENCE]);
    expect(after[MEDIA]).toHaveLength(1);
    expect(after[PRESENCE]).toHaveLength(1);
    expect(after[MEDIA][0]).not.toBe(before[MEDIA][0]);
    expect(
      w.service.health().cloudlinkSubscriptions?.map((s) => [s.topic, s.state, s.subscriptionId]),
    ).toEqual([
      [PRESENCE, 'active', after[PRESENCE][0]],
      [MEDIA, 'active', after[MEDIA][0]],
    ]);
    expectDeliveredOnceAndAccepted(await pbxActivity(w), after);

    // The new ids were recorded: a crash now reuses them rather than leaking them.
    await w.crash();
    await untilOwner(w, w.service);
    expect(byTopic(await subscriptionsAtCloudLink(w))).toEqual(after);
  });

  it('re-creates only the calls subscription when only that one was lost', async () => {
    w = await productionWorld();
    const before = byTopic(await subscriptionsAtCloudLink(w));
    await w.cloudlink.unsubscribe(before[MEDIA][0]); // CloudLink dropped our calls subscription
    await w.run(w.service.resyncAll());
    const after = byTopic(await subscriptionsAtCloudLink(w));
    expect(after[PRESENCE]).toEqual(before[PRESENCE]);
    expect(after[MEDIA]).toHaveLength(1);
    expect(after[MEDIA][0]).not.toBe(before[MEDIA][0]);
    expectDeliveredOnceAndAccepted(await pbxActivity(w), after);
  });
});

describe('the CloudLink adapter’s view of the subscriptions', () => {
  let w: SyncWorld;
  afterEach(async () => w?.close());

  it('lists every subscription of the account, across pages, as CloudLink holds them', async () => {
    w = await startSyncWorld({ users: 1 });
    for (let i = 0; i < 105; i++)
      await w.cloudlink.subscribe({
        topic: i % 2 ? MEDIA : PRESENCE,
        subject: `^/presentities/p${i}$`,
        url: `http://127.0.0.1:9/hook?n=${i}`,
      });
    const listed = await w.cloudlink.listSubscriptions();
    expect(listed).toHaveLength(105);
    expect(new Set(listed.map((s) => s.subscriptionId)).size).toBe(105);
    expect(listed.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId))).toEqual(
      (await subscriptionsAtCloudLink(w)).sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
    );
  });
});

describe('one process runs a tenant’s sync (issue 12), two processes on one PostgreSQL schema', () => {
  const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `sync_owner_${process.pid}_${randomBytes(4).toString('hex')}`;
  let w: SyncWorld | undefined;
  let second: SpawnedProcess | undefined;

  afterEach(async () => {
    await second?.close();
    await w?.close();
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('the second process stays on standby, loudly, and takes over when the owner stops', async () => {
    w = await productionWorld({ storeUrl: `${PG_URL}?schema=${schema}` });
    expect(w.service.health().syncOwnership?.state).toBe('owner');
    const owned = byTopic(await subscriptionsAtCloudLink(w));
    const graphSubscriptions = w.emulators.graph.control.subscriptions().length;

    const errors: string[] = [];
    second = await w.spawn({
      log: { error: (_o, m) => errors.push(m), warn: () => undefined, info: () => undefined },
    });
    await second.service.start();
    expect(second.service.health().syncOwnership).toEqual({
      state: 'standby',
      detail: expect.stringMatching(/another Switchboard process owns this tenant.s sync/i),
      detailText: { code: 'health.standby' },
    });
    await pass(w, 40_000); // the standby retries: still held by the owner, which renews
    // Said once the owner is seen renewing (a crashed predecessor's lease would be waited out without it).
    expect(errors).toEqual([expect.stringMatching(/another process owns this tenant's sync/)]);
    expect(second.service.health().syncOwnership?.state).toBe('standby');
    expect(w.service.health().syncOwnership?.state).toBe('owner');
    // The standby subscribed nowhere and wrote nothing: CloudLink and Graph hold only the owner's subscriptions.
    expect(byTopic(await subscriptionsAtCloudLink(w))).toEqual(owned);
    expect(w.emulators.graph.control.subscriptions()).toHaveLength(graphSubscriptions);
    // A post without the tenant's key is refused by the standby too: it checks the key kept in the store.
    expect((await second.service.receiveCloudLinkPost({ key: '', body: {} })).status).toBe(401);
    // A user's status asked of the standby is the one the owner saved, not a refusal.
    expect(await second.service.statusOf(w.people[0].id)).toEqual(await w.service.statusOf(w.people[0].id));

    // The owner stops cleanly (releases the lease, removes its subscriptions); the standby takes over.
    await w.service.stop();
    // Released, so no waiting for expiry: the standby's next try (every 2.5 s) takes it.
    expect(await untilOwner(w, second.service)).toBeLessThanOrEqual(LEASE_RENEW + 2_000);
    w.service = second.service; // webhooks now reach the new owner
    const now = byTopic(await subscriptionsAtCloudLink(w));
    expect(Object.values(now).map((ids) => ids.length)).toEqual([1, 1]);
    expectDeliveredOnceAndAccepted(await pbxActivity(w), now);
  });

  it('an owner that stalled past its lease steps down when it wakes, leaving its subscriptions to the new owner', async () => {
    w = await startSyncWorld({
      users: 2,
      sealWebhookKey: true,
      storeUrl: `${PG_URL}?schema=${schema}`,
      options: { cloudLinkWebhookKey: undefined },
    });
    await w.service.refreshUsers();
    await w.service.start();
    const stalled = w.service;
    const owned = byTopic(await subscriptionsAtCloudLink(w));
    second = await w.spawn();
    await second.service.start();

    const resume = w.stall(); // e.g. a frozen VM: no renewals
    const took = await untilOwner(w, second.service);
    expect(took).toBeGreaterThanOrEqual(LEASE_TTL - LEASE_RENEW);
    expect(took).toBeLessThanOrEqual(TAKEOVER_LIMIT);
    w.service = second.service;
    resume();
    // Its next renewal finds the lease taken: it stops its engine, and deletes nothing.
    while (stalled.health().syncOwnership?.state === 'owner') await pass(w, 1000);
    expect(stalled.health().syncOwnership?.state).toBe('standby');
    await pass(w, 30_000); // and it does not take the tenant back
    expect(stalled.health().syncOwnership?.state).toBe('standby');
    expect(second.service.health().syncOwnership?.state).toBe('owner');
    expect(byTopic(await subscriptionsAtCloudLink(w))).toEqual(owned);
    expectDeliveredOnceAndAccepted(await pbxActivity(w), owned);
    await stalled.stop();
  });

  it('a standby takes over from an owner that died once its lease expires, reusing its subscriptions', async () => {
    w = await productionWorld({ storeUrl: `${PG_URL}?schema=${schema}` });
    const owned = byTopic(await subscriptionsAtCloudLink(w));
    second = await w.spawn();
    await second.service.start();
    expect(second.service.health().syncOwnership?.state).toBe('standby');

    // kill -9 of the owner: the world's current process stops running, nothing released.
    const owner = w.service;
    await w.crash(); // the replacement process starts on standby too
    expect(w.service.health().syncOwnership?.state).toBe('standby');
    expect(owner).not.toBe(w.service);

    await pass(w, LEASE_TTL - LEASE_RENEW - 1_000); // the dead owner renewed at most 2.5 s before it died
    expect([second.service, w.service].map((s) => s.health().syncOwnership?.state)).toEqual([
      'standby',
      'standby',
    ]);
    const started = w.clock.now();
    while ([second.service, w.service].every((s) => s.health().syncOwnership?.state !== 'owner')) {
      if (w.clock.now() - started > 120_000) throw new Error('nobody took over');
      await pass(w, 1000);
    }
    await pass(w, 20_000); // and the other one stays on standby
    const states = [second.service, w.service].map((s) => s.health().syncOwnership?.state).sort();
    expect(states).toEqual(['owner', 'standby']); // exactly one took over
    const newOwner = second.service.health().syncOwnership?.state === 'owner' ? second.service : w.service;
    expect(byTopic(await subscriptionsAtCloudLink(w))).toEqual(owned);
    w.service = newOwner;
    expectDeliveredOnceAndAccepted(await pbxActivity(w), owned);
  });
});

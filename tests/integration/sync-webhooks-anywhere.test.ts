import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { JobRegistry } from '../../bot/services/jobs';
import type { Logger } from '../../shared/platform/logger';
import type { SyncLog } from '../../shared/sync';
import { storedFormOf } from '../../shared/sync/client-state';
import { startSyncWorld, type SpawnedProcess, type SyncWorld } from './sync-harness';

/**
 * Issue 12 part B, on the real PostgreSQL (a schema of its own) and the emulators: two sync processes on one store;
 * Graph and CloudLink post to the standby only (the harness's webhook receiver reaches `w.service`), so whatever
 * reaches the phones and Teams went through the sync inbox to the owner. The owner is a second process
 * (`w.spawn`), started first.
 */
jest.setTimeout(90_000);

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

interface Logged {
  event: unknown;
  obj: Record<string, unknown>;
}

function recording(into: Logged[]): SyncLog {
  const push = (obj: object) =>
    void into.push({ event: (obj as { event?: unknown }).event, obj: obj as Record<string, unknown> });
  return { error: push, warn: push, info: push };
}

/** Moves simulated time in 1 s steps, letting the store's real I/O finish between them. */
async function pass(w: SyncWorld, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    await w.clock.advance(1000, 1000);
    await w.storeIdle();
  }
}

describe('webhooks land on any process and reach the owner (issue 12)', () => {
  const schema = `sync_anywhere_${process.pid}_${randomBytes(4).toString('hex')}`;
  let w: SyncWorld | undefined;
  let owner: SpawnedProcess | undefined;
  let ownerLog: Logged[];

  afterEach(async () => {
    await owner?.close();
    await w?.close();
    owner = w = undefined;
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  /** A killed owner is not stopped again after the test (its store is closed already). */
  const ownerGone = () => (owner = undefined);

  /** The owner (spawned, started first) and the standby (`w.service`, which every webhook reaches). */
  async function twoProcesses(): Promise<{ w: SyncWorld; owner: SpawnedProcess }> {
    w = await startSyncWorld({
      users: 3,
      sealWebhookKey: true,
      storeUrl: `${PG_URL}?schema=${schema}`,
      options: { cloudLinkWebhookKey: undefined },
    });
    ownerLog = [];
    owner = await w.spawn({ log: recording(ownerLog) });
    await owner.service.refreshUsers();
    await owner.service.start();
    await w.service.start();
    expect(owner.service.health().syncOwnership?.state).toBe('owner');
    expect(w.service.health().syncOwnership?.state).toBe('standby');
    // Said by code too, so the admin's German tab says it in German.
    expect(w.service.health().syncOwnership?.detailText).toEqual({ code: 'health.standby' });
    for (const p of w.people) w.emulators.graph.control.teams(p.id, 'signIn');
    await pass(w, 2000);
    return { w, owner };
  }

  const presence = (w: SyncWorld, i: number) => w.emulators.graph.control.presence(w.people[i].id);
  const phone = (w: SyncWorld, i: number) => w.emulators.cloudlink.pbx.presentity(w.pbxIds[i]);

  it('a Graph notification and a CloudLink event posted to the standby are applied by the owner', async () => {
    const { w } = await twoProcesses();
    const graphFrom = w.emulators.graph.control.deliveries().length;
    const cloudlinkFrom = w.emulators.cloudlink.control.deliveries.length;

    // Teams → phone: the meeting's notification reaches the standby, the owner sets the phone's DND.
    w.emulators.graph.control.teams(w.people[1].id, 'joinMeeting');
    await w.eventually(() => expect(phone(w, 1)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }));

    // Phone → Teams: the call's CloudLink events reach the standby, the owner sets Teams Busy/InACall.
    const call = w.emulators.cloudlink.pbx.placeCall('+4930123456', w.pbxIds[0]);
    w.emulators.cloudlink.pbx.answer(call.callId);
    await w.eventually(() =>
      expect(presence(w, 0)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
    );
    // A user's tab served by the standby shows what the owner saved: the call and our Teams status, no problem.
    await w.eventually(async () =>
      expect(await w.service.statusOf(w.people[0].id)).toMatchObject({
        pbx: { callState: 'connected' },
        lastAssertion: { side: 'teams' },
        enabled: { toTeams: true, fromTeams: true },
        problem: null,
      }),
    );

    // Every post was taken (202) by the standby, and handed over rather than applied there.
    const graphPosts = w.emulators.graph.control.deliveries().slice(graphFrom);
    expect(graphPosts.length).toBeGreaterThan(0);
    expect(graphPosts.filter((d) => d.status !== 202)).toEqual([]);
    await w.emulators.cloudlink.control.deliveriesIdle();
    const clPosts = w.emulators.cloudlink.control.deliveries.slice(cloudlinkFrom);
    expect(clPosts.length).toBeGreaterThan(0);
    expect(clPosts.filter((d) => d.status !== 202)).toEqual([]);
    await w.eventually(async () => expect(await owner!.store.syncInbox!().depth(w.tenant.id)).toBe(0));
    expect(w.service.health().syncOwnership?.state).toBe('standby');
  });

  it('after the owner re-creates a removed subscription, both processes refuse the old clientState and take the new one', async () => {
    const { w, owner } = await twoProcesses();
    const [before] = await w.store.listMonitors(w.tenant.id);
    // What Graph sends back is the secret it was given; the store keeps only its digest.
    const secretOf = (subscriptionId: string | null) =>
      w.emulators.graph.control.subscriptions().find((s) => s.id === subscriptionId)?.clientState as string;
    const oldSecret = secretOf(before.subscriptionId);
    expect(oldSecret).toEqual(expect.any(String));
    expect(before.clientState).toBe(storedFormOf(oldSecret));
    expect(before.clientState).not.toContain(oldSecret);
    await w.emulators.graph.control.triggerLifecycle(before.subscriptionId!, 'subscriptionRemoved');
    // The lifecycle notification went to the standby; the owner re-created the subscription with a new clientState.
    let after = before;
    await w.eventually(async () => {
      [after] = await w.store.listMonitors(w.tenant.id);
      expect(after.subscriptionId).not.toBe(before.subscriptionId);
      expect(after.state).toBe('active');
    });
    expect(after.clientState).not.toBe(before.clientState);
    // The owner reads everyone's Teams presence after a re-creation (changes may have been missed): let it finish.
    await pass(w, 5000);
    await w.run(owner.service.idle());

    // A Teams change whose notification never arrives (answered 503, Graph's retry far away).
    w.emulators.graph.control.configureDelivery({ retryBaseMs: 3_600_000 });
    w.failGraphDeliveries = 1;
    w.emulators.graph.control.teams(w.people[2].id, 'joinMeeting');
    await w.eventually(() => expect(w.failGraphDeliveries).toBe(0));
    const notification = (subscriptionId: string, clientState: string) => [
      {
        subscriptionId,
        clientState,
        changeType: 'updated',
        resource: `communications/presences('${w.people[2].id}')`,
        resourceData: { id: w.people[2].id },
      },
    ];
    // The old clientState, under the old and the new subscription id, posted to each process: acknowledged, dropped;
    // the standby stores nothing for the owner (the inbox's id sequence does not move).
    const inboxIds = async () => {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      try {
        return (await c.query(`SELECT last_value, is_called FROM ${schema}.sync_inbox_id_seq`))
          .rows[0] as unknown;
      } finally {
        await c.end();
      }
    };
    const idsBefore = await inboxIds();
    for (const service of [w.service, owner.service])
      for (const id of [before.subscriptionId!, after.subscriptionId!])
        expect((await service.receiveGraphNotifications(notification(id, oldSecret))).status).toBe(202);
    expect(await inboxIds()).toEqual(idsBefore);
    await pass(w, 3000);
    expect(phone(w, 2)).toMatchObject({ status: 'available' });

    // The same post with the current clientState, to the standby: the owner reads Teams and sets the phone.
    // (the digest itself, posted as a clientState by someone who read the database, is refused like any other)
    expect(
      (await w.service.receiveGraphNotifications(notification(after.subscriptionId!, after.clientState!)))
        .status,
    ).toBe(202);
    await pass(w, 3000);
    expect(phone(w, 2)).toMatchObject({ status: 'available' });
    const current = notification(after.subscriptionId!, secretOf(after.subscriptionId));
    expect((await w.service.receiveGraphNotifications(current)).status).toBe(202);
    await w.eventually(() => expect(phone(w, 2)).toMatchObject({ status: 'dnd', reason: 'In a meeting' }));
  });

  it('events posted while the owner is dead and before the standby takes over are all applied after the takeover', async () => {
    const { w, owner } = await twoProcesses();
    // kill -9: its timers stop and its connections close (the LISTEN one too); its lease stays until it runs out.
    owner.kill();
    await owner.store.close();
    ownerGone();
    const inbox = w.store.syncInbox!();

    const pbx = w.emulators.cloudlink.pbx;
    const call = pbx.placeCall('+4930555', w.pbxIds[0]);
    pbx.answer(call.callId);
    const second = pbx.placeCall('+4930666', w.pbxIds[1]);
    pbx.answer(second.callId);
    w.emulators.graph.control.teams(w.people[2].id, 'joinMeeting');
    await w.emulators.cloudlink.control.deliveriesIdle();
    await w.eventually(async () => expect(await inbox.depth(w.tenant.id)).toBeGreaterThanOrEqual(3));
    expect(w.service.health().syncOwnership?.state).toBe('standby');
    expect(presence(w, 0).activity).not.toBe('InACall');
    expect(phone(w, 2)).toMatchObject({ status: 'available' });

    // The lease runs out; the standby takes over and drains what waited.
    for (let t = 0; t < 60_000 && w.service.health().syncOwnership?.state !== 'owner'; t += 1000)
      await pass(w, 1000);
    expect(w.service.health().syncOwnership?.state).toBe('owner');
    await w.eventually(() => {
      expect(presence(w, 0)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      expect(presence(w, 1)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      expect(phone(w, 2)).toMatchObject({ status: 'dnd', reason: 'In a meeting' });
    });
    await w.eventually(async () => expect(await inbox.depth(w.tenant.id)).toBe(0));
  });

  it('"Sync all" started on the standby runs on the owner, and both processes show the same job and progress', async () => {
    const { w, owner } = await twoProcesses();
    const quiet = {
      warn: () => undefined,
      info: () => undefined,
      error: () => undefined,
    } as unknown as Logger;
    const now = () => w.clock.now();
    const onStandby = new JobRegistry(quiet, now, w.store, { progressWriteMs: 10 });
    const onOwner = new JobRegistry(quiet, now, owner.store);
    try {
      const started = await onStandby.start(w.tenant.id, 'resyncAll', async (job) => {
        const r = await w.service.resyncAll((p) => job.progress(p.done, p.total), { readEveryPbx: true });
        return `${r.done} of ${r.total} users resynced`;
      });
      expect(started.state).toBe('running');
      await w.eventually(async () => {
        const a = await onStandby.get(w.tenant.id, started.jobId);
        const b = await onOwner.get(w.tenant.id, started.jobId);
        expect(a).toMatchObject({ state: 'succeeded', summary: '3 of 3 users resynced', done: 3, total: 3 });
        expect(b).toEqual(a);
      }, 20_000);
      // It ran on the owner's engine (the standby runs none): the owner claimed and ran the call.
      expect(ownerLog.map((l) => l.event)).toContain('inbox.callStarted');
      expect(ownerLog.find((l) => l.event === 'inbox.callStarted')?.obj).toMatchObject({ op: 'resyncAll' });
    } finally {
      onStandby.close();
      onOwner.close();
    }
  });
});

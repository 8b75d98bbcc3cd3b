import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startCloudLinkFixture,
  startWebhookSink,
  type CloudLinkFixture,
  type WebhookSink,
} from './cloudlink-fixture';

let f: CloudLinkFixture;
let sink: WebhookSink;
let app: string;
beforeAll(async () => {
  f = await startCloudLinkFixture();
  sink = await startWebhookSink();
  app = await f.appToken();
  f.emu.control.setDelivery({ retryDelaysMs: [20, 20, 20] });
});
afterAll(async () => {
  await f.emu.control.deliveriesIdle();
  await Promise.all([f.emu.close(), sink.close()]);
});
beforeEach(() => {
  sink.received.length = 0;
  sink.failFirst = 0;
});

const subscribe = (json: Record<string, unknown>, token = app) =>
  f.call('notifications', '/subscriptions', {
    token,
    json: {
      applicationId: 'b7e3f1a2-5c4d-4e6f-8a9b-1c2d3e4f5a6b',
      transport: 'webhook',
      deviceId: sink.url,
      ...json,
    },
  });
const remove = (id: string, token = app) =>
  f.call('notifications', `/subscriptions/${id}`, { token, method: 'DELETE' });

describe('CloudLink emulator: notification subscriptions', () => {
  it('refuses subscriptions without webhook transport, a known topic, a URL or a valid subjectFilter', async () => {
    const cases: Record<string, unknown>[] = [
      { topic: 'platform-api-presence', subjectFilter: '/presentities/x', transport: 'websocket' },
      { topic: 'platform-api-chat', subjectFilter: '/presentities/x' },
      { topic: 'platform-api-presence', subjectFilter: '/presentities/x', deviceId: 'not a url' },
      { topic: 'platform-api-presence', subjectFilter: '/presentities/(' },
      { topic: 'platform-api-presence' },
      { topic: 'platform-api-presence', subjectFilter: '/presentities/x', applicationId: '' },
    ];
    for (const json of cases) {
      const r = await subscribe(json);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('InvalidArgument');
    }
    expect((await f.call('notifications', '/subscriptions', { json: { topic: 'x' } })).status).toBe(401);
  });

  it('creates, lists, reads and deletes subscriptions within the account only', async () => {
    const created = await subscribe({
      topic: 'platform-api-presence',
      subjectFilter: `^/presentities/${f.alice}$`,
    });
    expect(created.status).toBe(201);
    const id = created.body.subscriptionId as string;
    expect(created.body).toMatchObject({
      topic: 'platform-api-presence',
      transport: 'webhook',
      deviceId: sink.url,
    });

    const other = await f.appToken('B');
    expect((await f.call('notifications', `/subscriptions/${id}`, { token: other })).status).toBe(404);
    expect((await f.call('notifications', '/subscriptions', { token: other })).body.count).toBe(0);
    expect((await remove(id, other)).status).toBe(404);

    const list = await f.call('notifications', '/subscriptions', { token: app });
    expect(list.body._embedded.items.map((s: { subscriptionId: string }) => s.subscriptionId)).toContain(id);
    expect((await remove(id)).status).toBe(204);
    expect((await remove(id)).status).toBe(404);
  });
});

describe('CloudLink emulator: webhook delivery', () => {
  it('posts presence changes to subscriptions whose subject matches, and to no other', async () => {
    const mine = await subscribe({
      topic: 'platform-api-presence',
      subjectFilter: `^/presentities/${f.bob}$`,
    });
    const otherAccount = await subscribe(
      { topic: 'platform-api-presence', subjectFilter: '/presentities/' },
      await f.appToken('B'),
    );
    f.emu.pbx.setDnd(f.bob, true, 'In a meeting');
    f.emu.pbx.setDnd(f.carol, true, 'Focus');
    f.emu.pbx.setDnd(f.mallory, true);
    await f.emu.control.deliveriesIdle();

    const bodies = sink.received.map((r) => r.body);
    expect(bodies.filter((b) => b.subject === `/presentities/${f.bob}`)).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      topic: 'platform-api-presence',
      method: 'PUT',
      subject: `/presentities/${f.bob}`,
      content: { principalId: f.bob, status: 'dnd', reason: 'In a meeting' },
    });
    expect(bodies[0]!.content).not.toHaveProperty('callState');
    // Mallory's account has a catch-all subscription, but Carol is in another account and Mallory's goes to B only.
    expect(bodies.filter((b) => b.subject === `/presentities/${f.carol}`)).toHaveLength(0);
    expect(bodies.filter((b) => b.subject === `/presentities/${f.mallory}`)).toHaveLength(1);
    expect(sink.received[0]!.path).toBe('/hook?key=s3cret');

    await remove(mine.body.subscriptionId);
    await remove(otherAccount.body.subscriptionId, await f.appToken('B'));
    f.emu.pbx.setDnd(f.bob, false);
    f.emu.pbx.setDnd(f.carol, false);
    await f.emu.control.deliveriesIdle();
  });

  it('posts a media event for every change of a call (ringing, connected, held, retrieved, ended), and no presence', async () => {
    const media = await subscribe({
      topic: 'platform-api-media',
      subjectFilter: `^/2017-09-01/endpoints/${f.alice}/calls/`,
    });
    const presence = await subscribe({
      topic: 'platform-api-presence',
      subjectFilter: `^/presentities/${f.alice}$`,
    });
    const call = f.emu.pbx.placeCall(f.bob, f.alice);
    f.emu.pbx.answer(call.callId);
    f.emu.pbx.hold(call.callId);
    f.emu.pbx.retrieve(call.callId);
    f.emu.pbx.hangUp(call.callId);
    await f.emu.control.deliveriesIdle();

    const mediaEvents = sink.received.map((r) => r.body).filter((b) => b.topic === 'platform-api-media');
    // Posted concurrently, as CloudLink may: arrival order is not guaranteed, so compare as a set.
    expect(mediaEvents.map((b) => `${b.method} ${b.content.state}`).sort()).toEqual(
      ['POST ringing', 'PUT connected', 'PUT held', 'PUT connected', 'DELETE disconnected'].sort(),
    );
    expect(mediaEvents.find((b) => b.method === 'DELETE')!.content).toMatchObject({ cause: 'normal' });
    expect(
      mediaEvents.every((b) => b.subject === `/2017-09-01/endpoints/${f.alice}/calls/${call.callId}`),
    ).toBe(true);
    expect(mediaEvents[0]!.content).toMatchObject({ direction: 'inbound', from: '2002', fromName: 'Bob' });
    // Presence is a status and a reason: a call posts no presence event.
    expect(sink.received.filter((r) => r.body.topic === 'platform-api-presence')).toEqual([]);
    await remove(media.body.subscriptionId);
    await remove(presence.body.subscriptionId);
  });

  it('retries a failing subscriber a few times, then gives up', async () => {
    const sub = await subscribe({
      topic: 'platform-api-presence',
      subjectFilter: `^/presentities/${f.carol}$`,
    });
    sink.failFirst = 2;
    f.emu.pbx.setDnd(f.carol, true, 'x');
    await f.emu.control.deliveriesIdle();
    expect(sink.received).toHaveLength(1);
    const delivered = f.emu.control.deliveries.filter((d) => d.subscriptionId === sub.body.subscriptionId);
    expect(delivered.at(-1)).toMatchObject({ attempts: 3, delivered: true, status: 202 });

    sink.failFirst = 10;
    f.emu.pbx.setDnd(f.carol, false);
    await f.emu.control.deliveriesIdle();
    const failed = f.emu.control.deliveries
      .filter((d) => d.subscriptionId === sub.body.subscriptionId)
      .at(-1);
    expect(failed).toMatchObject({ attempts: 4, delivered: false, status: 503 });
    await remove(sub.body.subscriptionId);
  });

  it('never makes the PBX wait for a subscriber that does not answer', async () => {
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/slow`;
    f.emu.control.setDelivery({ timeoutMs: 200, retryDelaysMs: [] });
    const sub = await subscribe({
      topic: 'platform-api-presence',
      subjectFilter: `^/presentities/${f.carol}$`,
      deviceId: url,
    });
    for (let i = 0; i < 20; i++) f.emu.pbx.setDnd(f.carol, i % 2 === 0);
    // The PBX changed state 20 times while no delivery has even been attempted yet: they are queued, not awaited.
    const queued = f.emu.control.deliveries.filter((d) => d.subscriptionId === sub.body.subscriptionId);
    expect(queued).toHaveLength(20);
    expect(queued.every((d) => d.attempts === 0)).toBe(true);
    expect(f.emu.pbx.presentity(f.carol).status).toBe('available');
    await f.emu.control.deliveriesIdle();
    expect(
      f.emu.control.deliveries
        .filter((d) => d.subscriptionId === sub.body.subscriptionId)
        .every((d) => !d.delivered),
    ).toBe(true);
    f.emu.control.setDelivery({ timeoutMs: 5000, retryDelaysMs: [20, 20, 20] });
    await remove(sub.body.subscriptionId);
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });
});

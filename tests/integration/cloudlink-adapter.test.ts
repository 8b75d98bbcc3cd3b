import { CloudLinkClient } from '../../shared/adapters/cloudlink/client';
import type { CloudLinkAdapterOptions } from '../../shared/adapters/cloudlink/options';
import { mediaSubjectFilter, presenceSubjectFilter } from '../../shared/adapters/cloudlink/subjects';
import { CloudLinkError } from '../../shared/ports/cloudlink';
import {
  startCloudLinkFixture,
  startWebhookSink,
  type CloudLinkFixture,
  type WebhookSink,
} from './cloudlink-fixture';

let f: CloudLinkFixture;
let sink: WebhookSink;
let waits: number[];
beforeAll(async () => {
  f = await startCloudLinkFixture();
  sink = await startWebhookSink();
  for (let i = 0; i < 3; i++) {
    const c = f.emu.pbx.placeCall(f.bob, f.alice);
    f.clock.advance(3_000);
    f.emu.pbx.hangUp(c.callId);
  }
});
afterAll(async () => {
  await f.emu.control.deliveriesIdle();
  await Promise.all([f.emu.close(), sink.close()]);
});
beforeEach(() => {
  waits = [];
});

function client(overrides: Partial<CloudLinkAdapterOptions> = {}): CloudLinkClient {
  return new CloudLinkClient({
    apiBase: f.emu.apiBase,
    accountId: f.accountA,
    clientId: f.clientA.clientId,
    clientSecret: f.clientA.clientSecret,
    appId: 'switchboard/0.1',
    now: () => f.clock.now(),
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

const callsSince = (n: number) => f.emu.control.calls.slice(n);
const tokenCalls = (n: number) => callsSince(n).filter((c) => c.path.endsWith('/token'));

describe('CloudLink adapter against the emulator', () => {
  it('reads call records, users and presence, sending X-Mitel-App on every call', async () => {
    const start = f.emu.control.calls.length;
    const cl = client();
    const page = await cl.listCallRecords({ principalId: f.alice, top: 2 });
    expect(page.records).toHaveLength(2);
    expect(page).toMatchObject({ count: 3, hasMore: true });
    expect(page.records[0]).toMatchObject({
      direction: 'inbound',
      completed: false,
      cause: 'callNotAnswer',
      ringTime: 3_000,
    });
    const rest = await cl.listCallRecords({ principalId: f.alice, top: 2, skip: 2 });
    expect(rest).toMatchObject({ hasMore: false });
    expect(
      (await cl.listCallRecords({ principalId: f.alice, filter: "direction eq 'outbound'" })).records,
    ).toHaveLength(0);

    const users = await cl.listUsers();
    expect(users.map((u) => u.email).sort()).toEqual([
      'alice@example.test',
      'bob@example.test',
      'carol@example.test',
    ]);
    expect(users.find((u) => u.principalId === f.alice)).toEqual({
      principalId: f.alice,
      name: 'Alice',
      email: 'alice@example.test',
      extension: '2001',
    });

    // The answer dates the write by CloudLink's clock: the time its presence event for the change carries.
    const on = await cl.setDnd(f.carol, true, 'In a Teams meeting');
    expect(on.updatedOn).toBe(Date.parse(f.emu.pbx.presentity(f.carol).updatedOn));
    expect(await cl.getPresence(f.carol)).toEqual({ dnd: true, statusText: 'In a Teams meeting' });
    await cl.setDnd(f.carol, false, null);
    expect(await cl.getPresence(f.carol)).toEqual({ dnd: false, statusText: null });

    expect(callsSince(start).every((c) => c.xMitelApp === 'switchboard/0.1')).toBe(true);
  });

  it('caps $top at the API limit instead of failing', async () => {
    const start = f.emu.control.calls.length;
    await client().listCallRecords({ principalId: f.alice, top: 500 });
    expect(callsSince(start).find((c) => c.path.includes('/calls/records'))!.query).toContain('%24top=100');
  });

  it('pages through more than one page of users', async () => {
    const big = f.emu.pbx.addAccount({ name: 'Big' });
    const creds = f.emu.control.addClient({ accountId: big.accountId });
    for (let i = 0; i < 230; i++)
      f.emu.pbx.addUser(big.accountId, {
        name: `User ${i}`,
        email: `u${i}@big.test`,
        extension: String(3000 + i),
      });
    const users = await client({
      accountId: big.accountId,
      clientId: creds.clientId,
      clientSecret: creds.clientSecret,
    }).listUsers();
    expect(users).toHaveLength(230);
    expect(new Set(users.map((u) => u.principalId)).size).toBe(230);
  });

  it('gets one token for many calls, including concurrent ones, and renews it with the refresh token near expiry', async () => {
    const start = f.emu.control.calls.length;
    const cl = client();
    await Promise.all([cl.getPresence(f.alice), cl.getPresence(f.bob), cl.getPresence(f.carol)]);
    await cl.getPresence(f.alice);
    expect(tokenCalls(start)).toHaveLength(1);

    f.clock.advance(3600_000 - 30_000); // inside the renewal margin
    await cl.getPresence(f.alice);
    const grants = tokenCalls(start);
    expect(grants).toHaveLength(2);
    expect(grants.every((g) => g.status === 200)).toBe(true);
  });

  it('falls back to client credentials when the refresh token has expired too', async () => {
    const cl = client();
    await cl.getPresence(f.alice);
    f.clock.advance(15 * 86_400_000);
    const start = f.emu.control.calls.length;
    await cl.getPresence(f.alice);
    expect(tokenCalls(start).map((c) => c.status)).toEqual([401, 200]);
  });

  it('gets a fresh token once when CloudLink revokes the current one', async () => {
    const cl = client();
    await cl.getPresence(f.alice);
    f.emu.control.revokeTokens(f.accountA);
    const start = f.emu.control.calls.length;
    await expect(cl.getPresence(f.alice)).resolves.toMatchObject({ dnd: false });
    expect(callsSince(start).map((c) => c.status)).toEqual([401, 401, 200, 200]);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const cl = client();
    await cl.getPresence(f.alice);
    f.emu.control.failNext({ status: 429, count: 2, pathIncludes: '/presentities/', retryAfterSeconds: 7 });
    await expect(cl.getPresence(f.alice)).resolves.toBeDefined();
    expect(waits).toEqual([7000, 7000]);
  });

  it('retries 5xx with growing backoff, bounded, then throws a typed error with the request id', async () => {
    const cl = client({ maxRetries: 3 });
    await cl.getPresence(f.alice);
    f.emu.control.failNext({ status: 503, count: 2, pathIncludes: '/presentities/' });
    await expect(cl.getPresence(f.alice)).resolves.toBeDefined();
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);

    waits = [];
    const start = f.emu.control.calls.length;
    f.emu.control.failNext({ status: 500, count: 10, pathIncludes: '/presentities/' });
    const err = await cl.getPresence(f.alice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudLinkError);
    const last = callsSince(start).at(-1)!;
    expect(err).toMatchObject({ status: 500, code: 'InternalServerError', requestId: last.correlationId });
    expect(callsSince(start)).toHaveLength(4);
    f.emu.control.clearFaults();
  });

  it('turns CloudLink refusals into CloudLinkError: bad credentials, other account, bad input', async () => {
    const bad = await client({ clientSecret: 'wrong' })
      .getPresence(f.alice)
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'CloudLinkError', status: 401, code: 'ClientCredentialsRefused' });
    expect((bad as CloudLinkError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(client().getPresence(f.mallory)).rejects.toMatchObject({ status: 403, code: 'Forbidden' });
    await expect(
      client().listCallRecords({ principalId: f.alice, filter: 'nonsense' }),
    ).rejects.toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('subscribes a webhook whose events parse into presence, and unsubscribes idempotently', async () => {
    const cl = client();
    const { subscriptionId } = await cl.subscribe({
      topic: 'platform-api-presence',
      subject: presenceSubjectFilter(f.bob),
      url: sink.url,
    });
    f.emu.pbx.setDnd(f.bob, true, 'Presenting');
    f.emu.pbx.setDnd(f.alice, true, 'Presenting');
    await f.emu.control.deliveriesIdle();
    expect(sink.received).toHaveLength(1);
    expect(cl.readWebhook(sink.received[0]!.body)).toMatchObject({
      ok: true,
      event: {
        kind: 'presence',
        principalId: f.bob,
        status: { dnd: true, statusText: 'Presenting' },
      },
    });

    await expect(cl.subscriptionExists(subscriptionId)).resolves.toBe(true);
    await cl.unsubscribe(subscriptionId);
    await expect(cl.subscriptionExists(subscriptionId)).resolves.toBe(false);
    await expect(cl.unsubscribe(subscriptionId)).resolves.toBeUndefined();
    f.emu.pbx.setDnd(f.bob, false);
    f.emu.pbx.setDnd(f.alice, false);
    await f.emu.control.deliveriesIdle();
    expect(sink.received).toHaveLength(1);
  });

  it("subscribes to one user's call events with the media subject filter the emulator's subjects match", async () => {
    const cl = client();
    sink.received.length = 0;
    const { subscriptionId } = await cl.subscribe({
      topic: 'platform-api-media',
      subject: mediaSubjectFilter(f.carol),
      url: sink.url,
    });
    const call = f.emu.pbx.placeCall(f.carol, f.bob);
    f.emu.pbx.answer(call.callId);
    f.emu.pbx.hold(call.callId);
    f.emu.pbx.hangUp(call.callId);
    f.emu.pbx.hangUp(f.emu.pbx.placeCall(f.alice, f.bob).callId);
    await f.emu.control.deliveriesIdle();
    // Deliveries are concurrent: their order is not the PBX's. Every change of the call came, each read once.
    const changes = sink.received.map((r) => {
      const reading = cl.readWebhook(r.body);
      return reading.ok ? reading.event : null;
    });
    expect(changes.map((c) => (c?.kind === 'call' ? c.stage : c?.kind)).sort()).toEqual(
      ['callEnded', 'connected', 'held', 'ringing'].sort(),
    );
    expect(
      changes.every((c) => c?.kind !== 'presence' && c?.principalId === f.carol && c.callId === call.callId),
    ).toBe(true);
    expect(changes.find((c) => c?.kind === 'callEnded')).toMatchObject({
      callId: call.callId,
      cause: 'normal',
      call: { direction: 'outbound' },
    });
    await cl.unsubscribe(subscriptionId);
  });
});

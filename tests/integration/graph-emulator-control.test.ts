import { randomUUID } from 'node:crypto';
import { startReceiver, startWorld, type Receiver, type World } from './graph-emulator.harness';

/** The test controls of the Graph emulator over HTTP, and how it treats an unhealthy webhook endpoint. */

let w: World;
const receivers: Receiver[] = [];
beforeAll(async () => {
  w = await startWorld({ delivery: { retryHorizonMs: 0, slowEndpointDelayMs: 200 } });
});
afterAll(async () => {
  await w.close();
  await Promise.all(receivers.map((r) => r.close()));
});

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${w.graph.baseUrl}/_control${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 5));
  }
}

describe('/_control over HTTP', () => {
  it('drives a Teams client and shows the sessions behind the aggregate', async () => {
    const id = w.users.carol.id;
    expect((await control('POST', `/users/${id}/teams`, { action: 'startCall', client: 'web' })).status).toBe(
      200,
    );
    const view = await control('GET', `/users/${id}/presence`);
    expect(view.body.aggregate).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    expect(view.body.sessions).toEqual([expect.objectContaining({ id: 'teams:web', kind: 'teams' })]);
    expect(
      (await control('PUT', `/users/${id}/manual-status`, { availability: 'DoNotDisturb' })).body
        .availability,
    ).toBe('DoNotDisturb');
    expect((await control('DELETE', `/users/${id}/manual-status`)).body.availability).toBe('Busy');
    expect((await control('POST', `/users/${id}/teams`, { action: 'dance' })).status).toBe(400);
  });

  it('shows what Teams clients display, late by the configured delay', async () => {
    const id = w.users.bob.id;
    expect((await control('PUT', '/teams-display', { delayMs: 120_000 })).status).toBe(204);
    await control('POST', `/users/${id}/teams`, { action: 'joinMeeting' });
    expect((await control('GET', `/users/${id}/teams-display`)).body.activity).not.toBe('InAMeeting');
    w.clock.advance(120_000);
    expect((await control('GET', `/users/${id}/teams-display`)).body.activity).toBe('InAMeeting');
    await control('PUT', '/teams-display', { delayMs: 0 });
    await control('POST', `/users/${id}/teams`, { action: 'signOut' });
  });

  it('sets the throttle, faults, and reads and clears the request log', async () => {
    expect((await control('PUT', '/throttle', { requests: 1, windowMs: 10_000 })).status).toBe(204);
    const token = await w.token();
    await control('DELETE', '/requests');
    expect((await w.call('GET', `/v1.0/users/${w.users.bob.id}/presence`, token)).status).toBe(200);
    const throttled = await w.call('GET', `/v1.0/users/${w.users.bob.id}/presence`, token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('10');
    await control('PUT', '/throttle', { requests: 1500, windowMs: 30_000 });
    await control('PUT', '/faults', { failNext: { count: 1, status: 504 } });
    expect((await w.call('GET', `/v1.0/users/${w.users.bob.id}/presence`, token)).status).toBe(504);
    await control('DELETE', '/faults');
    const log = await control('GET', '/requests');
    expect(log.body.value.map((e: { status: number }) => e.status)).toEqual([200, 429, 504]);
    expect(log.body.value[0].appId).toBe(w.app.clientId);
  });

  it('publishes the key that verifies validation tokens', async () => {
    const keys = await control('GET', '/validation-keys');
    expect(keys.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('lists subscriptions and triggers lifecycle events', async () => {
    const life = await startReceiver();
    receivers.push(life);
    const token = await w.userToken(w.users.monitor2);
    const created = await w.call('POST', '/v1.0/subscriptions', token, {
      changeType: 'updated',
      notificationUrl: life.url,
      lifecycleNotificationUrl: life.url,
      resource: `/communications/presences/${w.users.alice.id}`,
      expirationDateTime: new Date(w.clock.now() + 30 * 60_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const list = await control('GET', '/subscriptions');
    expect(list.body.value.map((s: { id: string }) => s.id)).toContain(created.body.id);
    expect(
      (await control('POST', `/subscriptions/${created.body.id}/lifecycle`, { event: 'missed' })).status,
    ).toBe(202);
    await life.waitFor(1);
    expect(life.notifications[0].value[0].lifecycleEvent).toBe('missed');
    expect(
      (await control('POST', `/subscriptions/${randomUUID()}/lifecycle`, { event: 'missed' })).status,
    ).toBe(404);
  });
});

describe('an unhealthy endpoint', () => {
  async function subscribedReceiver() {
    const r = await startReceiver();
    receivers.push(r);
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `h-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'H',
    });
    const monitor = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `m-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'M',
      password: 'monitor-password-1',
    });
    const res = await w.call('POST', '/v1.0/subscriptions', await w.userToken(monitor), {
      changeType: 'updated',
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
      expirationDateTime: new Date(w.clock.now() + 30 * 60_000).toISOString(),
    });
    expect(res.status).toBe(201);
    const records = () => w.graph.control.deliveries().filter((d) => d.url === r.url);
    /** One presence change, and its first delivery attempt settled. */
    const change = async (action: 'idle' | 'active') => {
      const before = records().length;
      w.graph.control.teams(user.id, action);
      await eventually(() => records().length > before);
    };
    return { r, records, change };
  }

  it('flags an endpoint slow at 10% bad answers of 100 (notifications wait) and drops at 15%', async () => {
    const { r, records, change } = await subscribedReceiver();
    for (let i = 0; i < 90; i++) await change(i % 2 === 0 ? 'idle' : 'active');
    r.behaviour.ackStatus = 500;
    for (let i = 0; i < 10; i++) await change(i % 2 === 0 ? 'idle' : 'active'); // 10 bad of 100
    r.behaviour.ackStatus = 202;
    await change('idle');
    expect(records().at(-1)).toMatchObject({ outcome: 'acknowledged', delayedMs: 200 });

    r.behaviour.ackStatus = 500;
    for (let i = 0; i < 7; i++) await change(i % 2 === 0 ? 'active' : 'idle'); // 17 bad of 108
    await change('idle');
    expect(records().at(-1)?.outcome).toBe('dropped');
    // The window is flushed every 10 minutes.
    r.behaviour.ackStatus = 202;
    w.clock.advance(10 * 60_000);
    await change('active');
    expect(records().at(-1)).toMatchObject({ outcome: 'acknowledged' });
    expect(records().at(-1)?.delayedMs).toBeUndefined();
  }, 20_000);
});

describe('delivery delays like Graph documents them', () => {
  it('holds each change notification for the configured time, and loses the share it is told to lose', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `d-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'D',
    });
    const monitor = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `dm-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'DM',
      password: 'monitor-password-1',
    });
    const res = await w.call('POST', '/v1.0/subscriptions', await w.userToken(monitor), {
      changeType: 'updated',
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
      expirationDateTime: new Date(w.clock.now() + 30 * 60_000).toISOString(),
    });
    expect(res.status).toBe(201);
    const records = () => w.graph.control.deliveries().filter((d) => d.url === r.url);
    expect(
      (await control('PUT', '/delivery', { latency: { kind: 'uniform', minMs: 300, maxMs: 300 } })).status,
    ).toBe(204);
    const changedAt = Date.now();
    w.graph.control.teams(user.id, 'idle');
    await eventually(() => records().length === 1);
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(290);
    expect(records()[0]).toMatchObject({ outcome: 'acknowledged', delayedMs: 300 });

    await control('PUT', '/delivery', { latency: { kind: 'uniform', minMs: 0, maxMs: 0, lostShare: 1 } });
    w.graph.control.teams(user.id, 'active');
    await eventually(() => records().length === 2);
    expect(records()[1]).toMatchObject({ outcome: 'lost', attempt: 0 });
    expect(r.notifications).toHaveLength(1);

    expect((await control('PUT', '/delivery', { latency: { kind: 'normal' } })).status).toBe(400);
    await control('PUT', '/delivery', { latency: { kind: 'fixed', ms: 0 } });
  });
});

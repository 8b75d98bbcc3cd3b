import {
  PASSWORD,
  startCloudLinkFixture,
  startWebhookSink,
  type CloudLinkFixture,
  type WebhookSink,
} from './cloudlink-fixture';

/**
 * Several CloudLink accounts in one emulator, as a hosting partner sees them (one account per customer): each has
 * its own credentials, users, subscriptions and rate limit, and an account's token never reads or changes another.
 * The fixture has account A (Alice, Bob, Carol) and B (Mallory).
 */
let f: CloudLinkFixture;
const sinks: WebhookSink[] = [];

beforeEach(async () => {
  f = await startCloudLinkFixture();
  f.emu.control.setDelivery({ retryDelaysMs: [20, 20, 20] });
});
afterEach(async () => {
  await f.emu.control.deliveriesIdle();
  await f.emu.close();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

describe('credentials belong to one account', () => {
  it("a client of A cannot get a token for B, and a user's password works only in the user's own account", async () => {
    const crossClient = await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: f.clientA.clientSecret,
      account_id: f.accountB,
    });
    expect(crossClient.status).toBe(401);
    expect(crossClient.body.access_token).toBeUndefined();
    // B's secret with A's client id: refused.
    const swapped = await f.token({
      grant_type: 'client_credentials',
      client_id: f.clientA.clientId,
      client_secret: f.clientB.clientSecret,
    });
    expect(swapped.status).toBe(401);

    const aliceInB = await f.token({
      grant_type: 'password',
      username: 'alice@example.test',
      password: PASSWORD,
      account_id: f.accountB,
    });
    expect(aliceInB.status).toBe(401);
    expect(aliceInB.body.access_token).toBeUndefined();
  });

  it('the same address in two accounts is two users with two passwords', async () => {
    const inA = f.emu.pbx.addUser(f.accountA, {
      name: 'Pat (A)',
      email: 'pat@consultants.example',
      password: 'pw-in-a',
    });
    const inB = f.emu.pbx.addUser(f.accountB, {
      name: 'Pat (B)',
      email: 'pat@consultants.example',
      password: 'pw-in-b',
    });
    const login = (account: string, password: string) =>
      f.token({ grant_type: 'password', username: 'pat@consultants.example', password, account_id: account });
    expect((await login(f.accountA, 'pw-in-b')).status).toBe(401);
    expect((await login(f.accountB, 'pw-in-a')).status).toBe(401);
    const a = await login(f.accountA, 'pw-in-a');
    expect(a.status).toBe(200);
    const own = await f.call('presence', `/presentities/${inA.principalId}`, { token: a.body.access_token });
    expect(own.status).toBe(200);
    const other = await f.call('presence', `/presentities/${inB.principalId}`, {
      token: a.body.access_token,
    });
    expect(other.status).toBe(403);
  });
});

describe("an account's token never reads or changes another account", () => {
  it('admin, media and presence of B are 403 for A, and B is unchanged', async () => {
    const a = await f.appToken('A');
    expect((await f.call('admin', `/accounts/${f.accountB}`, { token: a })).status).toBe(403);
    const users = await f.call('admin', `/accounts/${f.accountB}/users`, { token: a });
    expect(users.status).toBe(403);
    expect(JSON.stringify(users.body)).not.toContain('Mallory');
    expect((await f.call('media', `/users/${f.mallory}/calls/records`, { token: a })).status).toBe(403);
    expect((await f.call('presence', `/presentities/${f.mallory}`, { token: a })).status).toBe(403);
    const write = await f.call('presence', `/presentities/${f.mallory}`, {
      token: a,
      method: 'PUT',
      json: { status: 'dnd', reason: 'hijacked' },
    });
    expect(write.status).toBe(403);
    const b = await f.appToken('B');
    const mallory = await f.call('presence', `/presentities/${f.mallory}`, { token: b });
    expect(mallory.body).toMatchObject({ status: 'available', reason: null });
    // B's own listing holds B's users only.
    const bUsers = await f.call('admin', `/accounts/${f.accountB}/users`, { token: b });
    expect(bUsers.body._embedded.items.map((u: { name: string }) => u.name)).toEqual(['Mallory']);
  });

  it("subscriptions are per account: A neither lists, reads nor deletes B's, and A's webhook hears only A's users", async () => {
    const sinkA = await startWebhookSink();
    const sinkB = await startWebhookSink();
    sinks.push(sinkA, sinkB);
    const a = await f.appToken('A');
    const b = await f.appToken('B');
    const subscribe = (token: string, url: string) =>
      f.call('notifications', '/subscriptions', {
        token,
        json: {
          applicationId: 'switchboard',
          transport: 'webhook',
          deviceId: url,
          topic: 'platform-api-presence',
          // Every presentity: the filter is the account's own business, the account boundary is not.
          subjectFilter: '.*',
        },
      });
    const subA = await subscribe(a, sinkA.url);
    const subB = await subscribe(b, sinkB.url);
    expect([subA.status, subB.status]).toEqual([201, 201]);

    const listA = await f.call('notifications', '/subscriptions', { token: a });
    expect(listA.body._embedded.items.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([
      subA.body.subscriptionId,
    ]);
    expect(
      (await f.call('notifications', `/subscriptions/${subB.body.subscriptionId}`, { token: a })).status,
    ).toBe(404);
    expect(
      (
        await f.call('notifications', `/subscriptions/${subB.body.subscriptionId}`, {
          token: a,
          method: 'DELETE',
        })
      ).status,
    ).toBe(404);
    expect(f.emu.control.subscriptions(f.accountB).map((s) => s.subscriptionId)).toEqual([
      subB.body.subscriptionId,
    ]);

    f.emu.pbx.setDnd(f.mallory, true, 'In a meeting');
    f.emu.pbx.setDnd(f.alice, true, 'Lunch');
    await f.emu.control.deliveriesIdle();
    expect(sinkA.received.map((r) => r.body.subject)).toEqual([`/presentities/${f.alice}`]);
    expect(sinkB.received.map((r) => r.body.subject)).toEqual([`/presentities/${f.mallory}`]);
  });
});

describe('rate limits per account', () => {
  const read = (token: string, principal: string) =>
    f.call('presence', `/presentities/${principal}`, { token });

  it('A at its limit gets 429 with Retry-After while B is still served', async () => {
    const a = await f.appToken('A');
    const b = await f.appToken('B');
    f.emu.control.setRateLimit({ limit: 3, windowMs: 1000 });
    f.clock.advance(1000 - (f.clock.now() % 1000)); // the start of a window
    for (let i = 0; i < 3; i++) expect((await read(a, f.alice)).status).toBe(200);
    const refused = await read(a, f.alice);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    for (let i = 0; i < 3; i++) expect((await read(b, f.mallory)).status).toBe(200);
    expect((await read(b, f.mallory)).status).toBe(429);
  });

  it('an account can have a limit of its own; the others keep the default', async () => {
    const a = await f.appToken('A');
    const b = await f.appToken('B');
    f.emu.control.setRateLimit({ limit: 2, windowMs: 60_000 }, f.accountA);
    f.clock.advance(60_000 - (f.clock.now() % 60_000));
    expect((await read(a, f.alice)).status).toBe(200);
    expect((await read(a, f.alice)).status).toBe(200);
    const refused = await read(a, f.alice);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    // B: the default (200 per second) still applies.
    for (let i = 0; i < 10; i++) expect((await read(b, f.mallory)).status).toBe(200);
    f.clock.advance(60_000);
    expect((await read(a, f.alice)).status).toBe(200);

    const unknown = await fetch(`${f.emu.baseUrl}/_control/rate-limit`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ limit: 1, windowMs: 1000, accountId: 'no-such-account' }),
    });
    expect(unknown.status).toBe(400);
    const viaHttp = await fetch(`${f.emu.baseUrl}/_control/rate-limit`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ limit: 1, windowMs: 60_000, accountId: f.accountB }),
    });
    expect(viaHttp.status).toBe(204);
    f.clock.advance(60_000 - (f.clock.now() % 60_000));
    expect((await read(b, f.mallory)).status).toBe(200);
    expect((await read(b, f.mallory)).status).toBe(429);
  });
});

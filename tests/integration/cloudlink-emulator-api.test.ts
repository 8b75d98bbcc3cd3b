import { startCloudLinkFixture, type CloudLinkFixture } from './cloudlink-fixture';

let f: CloudLinkFixture;
let app: string;
let aliceToken: string;
beforeAll(async () => {
  f = await startCloudLinkFixture();
  // 30 calls from Bob to Alice, one minute apart: every 3rd missed, the rest answered for 10 s.
  for (let i = 0; i < 30; i++) {
    const call = f.emu.pbx.placeCall(f.bob, f.alice);
    f.clock.advance(2_000);
    if (i % 3 !== 0) {
      f.emu.pbx.answer(call.callId);
      f.clock.advance(10_000);
    }
    f.emu.pbx.hangUp(call.callId);
    f.clock.advance(60_000);
  }
  app = await f.appToken();
  aliceToken = await f.userToken('alice@example.test');
});
afterAll(() => f.emu.close());

const records = (principal: string, query = '', token = app) =>
  f.call('media', `/users/${principal}/calls/records${query}`, { token });

describe('CloudLink emulator: media call records', () => {
  it('pages newest first with count and a next link, $top capped at 100', async () => {
    const first = await records(f.alice, '?$top=10');
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(30);
    const items = first.body._embedded.items;
    expect(items).toHaveLength(10);
    const times = items.map((r: { createdOn: string }) => r.createdOn);
    expect([...times].sort().reverse()).toEqual(times);
    expect(first.body._links.next.href).toContain('%24skip=10');

    const last = await records(f.alice, '?$top=10&$skip=20');
    expect(last.body._embedded.items).toHaveLength(10);
    expect(last.body._links.next).toBeUndefined();
    const all = await records(f.alice);
    expect(all.body._embedded.items).toHaveLength(30);
    expect(new Set(all.body._embedded.items.map((r: { callId: string }) => r.callId)).size).toBe(30);
  });

  it('refuses $top over the cap, $top 0 and bad $skip with 400 InvalidArgument', async () => {
    for (const q of ['?$top=101', '?$top=0', '?$skip=-1', '?$top=ten']) {
      const r = await records(f.alice, q);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ code: 'InvalidArgument', message: expect.any(String) });
    }
    expect((await records(f.alice, '?$top=100')).status).toBe(200);
  });

  it('serves the documented fields of a record', async () => {
    const r = await records(f.alice, '?$top=1');
    expect(Object.keys(r.body._embedded.items[0]).sort()).toEqual(
      [
        'billingTime',
        'callId',
        'cause',
        'completed',
        'createdOn',
        'direction',
        'endTime',
        'from',
        'fromName',
        'ringTime',
        'state',
        'to',
        'toName',
      ].sort(),
    );
  });

  it('filters by direction, completed and createdOn, joined with and', async () => {
    const q = (filter: string) => records(f.alice, `?$filter=${encodeURIComponent(filter)}`);
    expect((await q("direction eq 'inbound'")).body.count).toBe(30);
    expect((await q("direction eq 'outbound'")).body.count).toBe(0);
    expect((await q('completed eq false')).body.count).toBe(10);
    expect((await q("completed eq true and direction eq 'inbound'")).body.count).toBe(20);
    expect(
      (await records(f.bob, `?$filter=${encodeURIComponent("direction eq 'outbound'")}`)).body.count,
    ).toBe(30);
    const all = (await records(f.alice)).body._embedded.items as { createdOn: string }[];
    const pivot = all[4]!.createdOn; // the 5th newest
    expect((await q(`createdOn ge ${pivot}`)).body.count).toBe(5);
    expect((await q(`createdOn lt '${pivot}'`)).body.count).toBe(25);
    expect((await q("fromName eq 'Bob' and to eq '2001'")).body.count).toBe(30);
  });

  it('refuses filters it cannot read rather than ignoring them', async () => {
    for (const filter of [
      "direction = 'inbound'",
      "colour eq 'red'",
      "completed eq 'yes'",
      'createdOn gt yesterday',
      "direction gt 'a'",
    ]) {
      const r = await records(f.alice, `?$filter=${encodeURIComponent(filter)}`);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('InvalidArgument');
    }
  });

  it("keeps accounts apart: another account's user is 403, an unknown one 404", async () => {
    expect((await records(f.mallory)).status).toBe(403);
    const otherApp = await f.appToken('B');
    expect((await records(f.alice, '', otherApp)).status).toBe(403);
    expect((await records('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('lets a user token read its own records only, on both paths; an account token must name the user', async () => {
    expect((await records(f.alice, '', aliceToken)).status).toBe(200);
    expect((await records(f.bob, '', aliceToken)).status).toBe(403);
    const own = await f.call('media', '/calls/records?$top=5', { token: aliceToken });
    expect(own.status).toBe(200);
    expect(own.body.count).toBe(30);
    expect((await f.call('media', '/calls/records', { token: app })).status).toBe(400);
  });
});

describe('CloudLink emulator: admin users', () => {
  it("lists the account's users with name, email and extension, paged", async () => {
    const r = await f.call('admin', `/accounts/${f.accountA}/users?$top=2`, { token: app });
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(3);
    expect(r.body._embedded.items[0]).toEqual({
      userId: f.alice,
      accountId: f.accountA,
      name: 'Alice',
      email: 'alice@example.test',
      extension: '2001',
    });
    expect(r.body._links.next).toBeDefined();
  });

  it('refuses another account and end-user tokens', async () => {
    expect((await f.call('admin', `/accounts/${f.accountB}/users`, { token: app })).status).toBe(403);
    expect((await f.call('admin', `/accounts/${f.accountA}/users`, { token: aliceToken })).status).toBe(403);
    expect((await f.call('admin', `/accounts/${f.accountA}`, { token: app })).body).toEqual({
      accountId: f.accountA,
      name: 'Contoso',
    });
  });
});

describe('CloudLink emulator: presence', () => {
  const presentity = (principal: string, token = app) =>
    f.call('presence', `/presentities/${principal}`, { token });
  const put = (principal: string, json: unknown, token = app) =>
    f.call('presence', `/presentities/${principal}`, { token, method: 'PUT', json });

  it('sets and clears DND with a status text', async () => {
    const on = await put(f.carol, { status: 'dnd', reason: 'In a Teams meeting' });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({
      principalId: f.carol,
      status: 'dnd',
      reason: 'In a Teams meeting',
    });
    expect(on.body).not.toHaveProperty('callState');
    expect((await presentity(f.carol)).body.status).toBe('dnd');
    expect((await put(f.carol, { status: 'available', reason: null })).body).toMatchObject({
      status: 'available',
      reason: null,
    });
  });

  it('presence carries a status and a reason only: no call state, and a call does not change it', async () => {
    const call = f.emu.pbx.placeCall(f.alice, f.carol);
    f.emu.pbx.answer(call.callId);
    const during = (await presentity(f.alice)).body;
    expect(Object.keys(during).sort()).toEqual(['principalId', 'reason', 'status', 'updatedOn']);
    expect(during).toMatchObject({ status: 'available', reason: null });
    f.emu.pbx.hangUp(call.callId);
    expect((await presentity(f.carol)).body).toMatchObject({ status: 'available' });
  });

  it('refuses bad writes: unknown status, busy, a reason too long, another user with a user token, another account', async () => {
    expect((await put(f.carol, { status: 'away' })).status).toBe(400);
    expect((await put(f.carol, { status: 'busy' })).status).toBe(400);
    expect((await put(f.carol, { status: 'dnd', reason: 'x'.repeat(257) })).status).toBe(400);
    expect((await put(f.carol, { status: 'dnd', reason: 'x'.repeat(256) })).status).toBe(200);
    expect((await put(f.carol, 'dnd')).status).toBe(400);
    expect((await put(f.bob, { status: 'dnd' }, aliceToken)).status).toBe(403);
    expect((await put(f.alice, { status: 'available' }, aliceToken)).status).toBe(200);
    expect((await put(f.mallory, { status: 'dnd' })).status).toBe(403);
    expect((await presentity(f.mallory)).status).toBe(403);
  });
});

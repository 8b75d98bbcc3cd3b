import { CloudLinkClient } from '../../shared/adapters/cloudlink/client';
import type { CallItem } from '../../shared/api/contract';
import { call, startHarness, type Harness } from './bot-harness';
import { startCloudLinkFixture, type CloudLinkFixture } from './cloudlink-fixture';

/**
 * The whole call history through the API, the CloudLink adapter and the CloudLink emulator over HTTP: 10,000 records
 * of one user over a year, read with the server's cursor one CloudLink read per page.
 */
describe('call history paging with cursors', () => {
  let f: CloudLinkFixture;
  let h: Harness;
  let bob: string;
  let alice: string;

  beforeAll(async () => {
    f = await startCloudLinkFixture();
    f.emu.pbx.generateHistory(f.bob, 10_000, { days: 365, seed: 11 });
    f.emu.pbx.generateHistory(f.alice, 50, { days: 30, seed: 12 });
    const cloudlink = new CloudLinkClient({
      apiBase: f.emu.apiBase,
      accountId: f.accountA,
      clientId: f.clientA.clientId,
      clientSecret: f.clientA.clientSecret,
      appId: 'switchboard-tests/1.0',
      now: () => f.clock.now(),
    });
    h = await startHarness({ cloudlink, limits: { burst: 10_000, perSecond: 10_000 } });
    const user = (entraUserId: string, pbxPrincipalId: string, upn: string) => ({
      tenantId: h.fx.contoso,
      entraUserId,
      upn,
      displayName: upn,
      pbxPrincipalId,
      extension: null,
      sendToTeams: null,
      getFromTeams: null,
      selected: true,
      updatedAt: 0,
    });
    await h.store.putUsers([
      user(h.fx.users.bob, f.bob, 'bob@contoso.example'),
      user(h.fx.users.alice, f.alice, 'alice@contoso.example'),
    ]);
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    alice = await h.sso(h.fx.contoso, h.fx.users.alice);
  });
  afterAll(async () => {
    await h.close();
    await f.emu.close();
  });
  beforeEach(() => {
    // The emulator's rate limit counts per second of its manual clock; these tests read fast, not at a PBX's rate.
    f.emu.control.setRateLimit({ limit: 100_000, windowMs: 1000 });
  });

  const recordReads = (since: number) =>
    f.emu.control.calls.slice(since).filter((c) => c.path.endsWith('/calls/records'));

  async function readAll(first: string, token: string, onPage?: (n: number) => void) {
    const items: CallItem[] = [];
    let path = first;
    let pages = 0;
    for (;;) {
      const res = await call(h, 'GET', path, token);
      expect(res.status).toBe(200);
      items.push(...(res.body.items as CallItem[]));
      pages++;
      onPage?.(pages);
      if (!res.body.nextCursor) return { items, pages };
      path = `/api/me/calls?cursor=${encodeURIComponent(res.body.nextCursor as string)}`;
    }
  }

  it('lists all 10,000 calls, newest first, with one CloudLink read per page', async () => {
    const start = f.emu.control.calls.length;
    const { items, pages } = await readAll('/api/me/calls', bob);
    expect(items).toHaveLength(10_000);
    expect(new Set(items.map((c) => c.callId)).size).toBe(10_000);
    const expected = f.emu.pbx.recordsOf(f.bob).map((r) => r.callId);
    expect(items.map((c) => c.callId)).toEqual(expected);
    // 100 full pages and the short (here empty) one that says the history ends.
    expect(pages).toBe(101);
    const reads = recordReads(start);
    expect(reads).toHaveLength(pages);
    expect(reads.map((r) => new URLSearchParams(r.query).get('$skip'))).toEqual(
      Array.from({ length: 101 }, (_v, i) => String(i * 100)),
    );
  }, 120_000);

  it('does not repeat or skip calls when new calls come in while the user scrolls', async () => {
    const before = f.emu.pbx.recordsOf(f.bob).map((r) => r.callId);
    const { items } = await readAll('/api/me/calls', bob, (page) => {
      if (page !== 3) return;
      // Later than the first page's "as of" (now and its two minutes' allowance for CloudLink's clock).
      f.clock.advance(5 * 60_000);
      for (let i = 0; i < 7; i++) {
        const c = f.emu.pbx.placeCall(f.alice, f.bob);
        f.emu.pbx.answer(c.callId);
        f.clock.advance(30_000);
        f.emu.pbx.hangUp(c.callId);
      }
      h.fx.clock.advance(5 * 60_000 + 7 * 30_000); // the server's clock keeps up with the PBX's
    });
    expect(items.map((c) => c.callId)).toEqual(before);
    // The next first page has them.
    const fresh = await call(h, 'GET', '/api/me/calls?top=10', bob);
    expect(fresh.body.items[0].callId).toBe(f.emu.pbx.recordsOf(f.bob)[0]!.callId);
    expect(fresh.body.items[0].number).toBe('2001');
  }, 120_000);

  it('asks CloudLink for the category and keeps it on every page', async () => {
    const start = f.emu.control.calls.length;
    const { items } = await readAll('/api/me/calls?filter=missed', bob);
    const missed = f.emu.pbx.recordsOf(f.bob).filter((r) => r.direction === 'inbound' && !r.completed);
    expect(missed.length).toBeGreaterThan(1000);
    expect(items.map((c) => c.callId)).toEqual(missed.map((r) => r.callId));
    expect(items.every((c) => c.missed)).toBe(true);
    for (const read of recordReads(start)) {
      expect(new URLSearchParams(read.query).get('$filter')).toMatch(
        /^direction eq 'inbound' and completed eq false and createdOn le \S+$/,
      );
    }
  }, 120_000);

  it('refuses a cursor issued to another user, an altered one, and one mixed with a new question', async () => {
    const page = await call(h, 'GET', '/api/me/calls', bob);
    const cursor = page.body.nextCursor as string;
    const stolen = await call(h, 'GET', `/api/me/calls?cursor=${encodeURIComponent(cursor)}`, alice);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('invalid_cursor');
    expect(JSON.stringify(stolen.body)).not.toContain('callId');

    const altered = cursor.slice(0, -4) + (cursor.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bad = await call(h, 'GET', `/api/me/calls?cursor=${encodeURIComponent(altered)}`, bob);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');

    const mixed = await call(
      h,
      'GET',
      `/api/me/calls?filter=missed&cursor=${encodeURIComponent(cursor)}`,
      bob,
    );
    expect(mixed.status).toBe(400);

    const skip = await call(h, 'GET', '/api/me/calls?skip=1000', bob);
    expect(skip.status).toBe(400);
  });

  it('searches within each read, so a page may be short while the cursor goes on', async () => {
    const { items, pages } = await readAll('/api/me/calls?q=fabrikam', bob);
    const all = f.emu.pbx
      .recordsOf(f.bob)
      .filter((r) => (r.direction === 'inbound' ? r.fromName : r.toName) === 'Fabrikam Sales');
    expect(items.map((c) => c.callId)).toEqual(all.map((r) => r.callId));
    expect(pages).toBe(101);
  }, 120_000);
});

describe('the CloudLink emulator pages call records only as CloudLink documents', () => {
  let f: CloudLinkFixture;
  beforeAll(async () => {
    f = await startCloudLinkFixture();
    f.emu.pbx.generateHistory(f.bob, 250, { days: 30, seed: 3 });
  });
  afterAll(async () => {
    await f.emu.close();
  });

  it.each(['$skiptoken=abc', '$orderby=createdOn', '$count=true', 'continuation=abc', '$select=callId'])(
    'refuses %s instead of ignoring it',
    async (option) => {
      const token = await f.appToken();
      const res = await f.call('media', `/users/${f.bob}/calls/records?${option}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('InvalidArgument');
    },
  );

  it('reads past 1,000 with $skip', async () => {
    f.emu.pbx.generateHistory(f.carol, 1_200, { days: 60, seed: 4 });
    const token = await f.appToken();
    const res = await f.call('media', `/users/${f.carol}/calls/records?$top=100&$skip=1100`, { token });
    expect(res.status).toBe(200);
    expect(res.body._embedded.items).toHaveLength(100);
  });
});

import type { CallRecord } from '../../shared/ports/cloudlink';
import {
  bobOnThePhone,
  call,
  FakeCallHistory,
  METRICS_TOKEN,
  startHarness,
  type Harness,
} from './bot-harness';

const record = (i: number, over: Partial<CallRecord> = {}): CallRecord => ({
  callId: `c${i}`,
  from: '+4930111000' + (i % 10),
  fromName: i % 3 === 0 ? 'Erika Mustermann' : null,
  to: '201',
  toName: 'Bob Agent',
  direction: 'inbound',
  state: 'completed',
  cause: null,
  createdOn: new Date(Date.UTC(2026, 10, 23, 8, 0, 0) - i * 60_000).toISOString(),
  endTime: null,
  completed: true,
  ringTime: 4000,
  billingTime: 61_000,
  ...over,
});

/** The signed-in user's own endpoints, and the server's limits on what clients may send. */
describe('API for the signed-in user', () => {
  let h: Harness;
  let bob: string;
  const records = Array.from({ length: 250 }, (_, i) =>
    i % 5 === 0
      ? record(i, { completed: false, cause: 'callNotAnswer' })
      : i % 4 === 0
        ? record(i, { direction: 'outbound', from: '201', to: '+4940222333', toName: 'Hamburg Office' })
        : record(i),
  );

  beforeAll(async () => {
    h = await startHarness({
      cloudlink: new FakeCallHistory(records),
      limits: { maxBodyBytes: 2048, burst: 40, perSecond: 1 },
    });
    await h.store.putUsers([bobOnThePhone(h)]);
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
  });
  afterAll(async () => {
    await h.close();
  });

  // Categories go to CloudLink as $filter, which this fake does not read: api-call-history.test.ts covers them
  // against the CloudLink emulator, with 10,000 records.
  it('pages through the call history with a cursor, and searches', async () => {
    const first = await call(h, 'GET', '/api/me/calls?top=20', bob);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.items[0]).toMatchObject({
      callId: 'c0',
      missed: true,
      direction: 'inbound',
      durationSeconds: 61,
      ringSeconds: 4,
    });
    const next = await call(
      h,
      'GET',
      `/api/me/calls?cursor=${encodeURIComponent(first.body.nextCursor)}`,
      bob,
    );
    expect(next.body.items.map((c: { callId: string }) => c.callId)).toEqual(
      Array.from({ length: 20 }, (_v, i) => `c${20 + i}`),
    );

    const byName = await call(h, 'GET', '/api/me/calls?q=erika&top=100', bob);
    expect(byName.body.items.length).toBeGreaterThan(0);
    expect(byName.body.items.every((c: { name: string }) => c.name === 'Erika Mustermann')).toBe(true);
    const byNumber = await call(h, 'GET', '/api/me/calls?q=222%20333&top=100', bob);
    expect(byNumber.body.items.length).toBeGreaterThan(0);
    expect(byNumber.body.items.every((c: { number: string }) => c.number === '+4940222333')).toBe(true);
  });

  it('answers bad query parameters with a 400 naming the field', async () => {
    const res = await call(h, 'GET', '/api/me/calls?filter=everything', bob);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/filter/);
  });

  it('tells a user without a phone match what is wrong instead of an empty list', async () => {
    const res = await call(h, 'GET', '/api/me/calls', await h.sso(h.fx.contoso, h.fx.users.alice));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('no_phone_user');
  });

  it('saves settings and refuses click-to-call links that could run script', async () => {
    const ok = await call(h, 'PUT', '/api/me/settings', bob, {
      missedCallNotice: true,
      clickToCall: { ios: 'micollab://dial?number={number}' },
    });
    expect(ok.status).toBe(200);
    const me = await call(h, 'GET', '/api/me', bob);
    expect(me.body.settings.missedCallNotice).toBe(true);
    expect(me.body.clickToCall.byClient).toEqual({
      desktop: 'tel',
      web: 'tel',
      android: 'tel',
      ios: 'micollab://dial?number={number}',
    });
    for (const bad of ['javascript:alert({number})', 'https://evil.example/?n={number}', 'micollab://dial']) {
      const res = await call(h, 'PUT', '/api/me/settings', bob, {
        missedCallNotice: true,
        clickToCall: { desktop: bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/clickToCall\.desktop/);
    }
  });

  it('resyncs the caller and only the caller', async () => {
    const res = await call(h, 'POST', '/api/me/sync', bob);
    expect(res.status).toBe(200);
    expect(h.sync.calls).toContain(`resync ${h.fx.contoso} ${h.fx.users.bob}`);
  });

  it('answers malformed JSON and oversized bodies with JSON errors, and keeps serving', async () => {
    const broken = await call(h, 'PUT', '/api/me/settings', bob, '{"missedCallNotice": tru');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toEqual({
      code: 'bad_request',
      message: 'The request body is not valid JSON.',
    });
    const big = await call(h, 'POST', '/api/me/reports', bob, {
      category: 'other',
      description: 'x'.repeat(5000),
      includeDiagnostics: false,
      client: { type: 'web' },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/2048 bytes/);
    const unknown = await call(h, 'GET', '/api/nothing-here', bob);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('resource_not_found');
    expect((await call(h, 'GET', '/healthz')).status).toBe(200);
  });

  it('serves the tab, confined to its folder', async () => {
    const index = await call(h, 'GET', '/tab/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect((await call(h, 'GET', '/tab/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await call(h, 'GET', '/tab/missing.js')).status).toBe(404);
  });

  it('exposes Prometheus metrics to the scraper holding the metrics token only', async () => {
    expect((await call(h, 'GET', '/metrics')).status).toBe(401);
    expect((await call(h, 'GET', '/metrics', bob)).status).toBe(401); // a user's SSO token is not the scraper's
    const res = await call(h, 'GET', '/metrics', METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(String(res.body)).toMatch(/switchboard_http_requests_total\{route="\/api\/me",status="200"\}/);
  });

  it('limits how fast one caller may call', async () => {
    const carol = await h.sso(h.fx.fabrikam, h.fx.users.fabrikamUser);
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await call(h, 'GET', '/api/me/settings', carol)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429]);
    const limited = await call(h, 'GET', '/api/me/settings', carol);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another user is not affected
    expect((await call(h, 'GET', '/api/me/settings', bob)).status).toBe(200);
  });
});

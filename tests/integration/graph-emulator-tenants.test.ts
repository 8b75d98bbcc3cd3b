import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph/server';
import { startReceiver, type Receiver } from './graph-emulator.harness';
import {
  appToken,
  consentAs,
  startMultiTenantFixture,
  type MultiTenantFixture,
} from './multi-tenant-fixture';

/**
 * The Graph emulator serving several customer tenants of one hosted app: the token's `tid` decides which directory,
 * presence and subscriptions a request sees; the presence budget is per app per tenant; notifications carry the
 * subscription's tenantId.
 */
let fx: MultiTenantFixture;
let graph: GraphEmulator;
const receivers: Receiver[] = [];

beforeEach(async () => {
  fx = await startMultiTenantFixture();
  graph = await startGraphEmulator({
    directory: fx.directory,
    clock: fx.clock,
    verifyToken: fx.entra.verifyAccessToken,
    delivery: { retryBaseMs: 100 },
  });
  await consentAs(fx, fx.contoso.tenantId, fx.contoso.admin);
  await consentAs(fx, fx.fabrikam.tenantId, fx.fabrikam.admin);
});
afterEach(async () => {
  await graph.close();
  await fx.entra.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function tokenFor(tenantId: string): Promise<string> {
  const answer = await appToken(fx, tenantId);
  expect(answer.status).toBe(200);
  return String(answer.body.access_token);
}

async function monitorToken(tenantId: string, upn: string): Promise<string> {
  const res = await fetch(fx.entra.tokenEndpoint(tenantId), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: fx.app.clientId,
      client_secret: fx.app.secret,
      username: upn,
      password: fx.password,
      scope: 'https://graph.microsoft.com/Presence.Read.All',
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status).toBe(200);
  return String(body.access_token);
}

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${graph.baseUrl}/v1.0${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? JSON.parse(text) : undefined) as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  };
}

const setBusy = (token: string, userId: string) =>
  call('POST', `/users/${userId}/presence/setPresence`, token, {
    sessionId: fx.app.clientId,
    availability: 'Busy',
    activity: 'InACall',
    expirationDuration: 'PT5M',
  });

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('the token decides the tenant', () => {
  it("a tenant's token lists and reads only its own users; another tenant's ids and UPNs are not found", async () => {
    const contoso = await tokenFor(fx.contoso.tenantId);
    const list = await call('GET', '/users?$top=999', contoso);
    expect(list.status).toBe(200);
    const upns = (list.body.value as { userPrincipalName: string }[]).map((u) => u.userPrincipalName);
    expect(upns.length).toBeGreaterThan(0);
    expect(upns.every((u) => u.endsWith('@contoso.example'))).toBe(true);

    expect((await call('GET', `/users/${fx.fabrikam.user}`, contoso)).status).toBe(404);
    expect((await call('GET', '/users/user@fabrikam.example', contoso)).status).toBe(404);
    expect((await call('GET', `/users/${fx.fabrikam.user}/presence`, contoso)).status).toBe(404);
    // Fabrikam's own token does see its user.
    const fabrikam = await tokenFor(fx.fabrikam.tenantId);
    expect((await call('GET', `/users/${fx.fabrikam.user}`, fabrikam)).status).toBe(200);
  });

  it("another tenant's user is PresenceUnknown in a batch read and cannot be written", async () => {
    const contoso = await tokenFor(fx.contoso.tenantId);
    const fabrikam = await tokenFor(fx.fabrikam.tenantId);
    expect((await setBusy(fabrikam, fx.fabrikam.user)).status).toBe(200);

    const batch = await call('POST', '/communications/getPresencesByUserId', contoso, {
      ids: [fx.contoso.user, fx.fabrikam.user],
    });
    expect(batch.status).toBe(200);
    const byId = new Map((batch.body.value as { id: string; availability: string }[]).map((p) => [p.id, p]));
    expect(byId.get(fx.fabrikam.user)?.availability).toBe('PresenceUnknown');
    expect(byId.get(fx.contoso.user)?.availability).toBe('Offline');

    expect((await setBusy(contoso, fx.fabrikam.user)).status).toBe(404);
    const clear = await call('POST', `/users/${fx.fabrikam.user}/presence/clearPresence`, contoso, {
      sessionId: fx.app.clientId,
    });
    expect(clear.status).toBe(404);
    // Fabrikam's presence is still what Fabrikam set.
    const own = await call('GET', `/users/${fx.fabrikam.user}/presence`, fabrikam);
    expect(own.body.availability).toBe('Busy');
  });
});

describe('subscriptions per tenant', () => {
  it("notifications carry the subscription's tenantId and never another tenant's user; subscriptions are not visible across tenants", async () => {
    const contosoHook = await startReceiver();
    const fabrikamHook = await startReceiver();
    receivers.push(contosoHook, fabrikamHook);
    const expires = new Date(fx.clock.now() + 50 * 60_000).toISOString();
    const subscribe = (token: string, url: string, ids: string[]) =>
      call('POST', '/subscriptions', token, {
        changeType: 'updated',
        notificationUrl: url,
        resource: `/communications/presences?$filter=id in (${ids.map((i) => `'${i}'`).join(',')})`,
        expirationDateTime: expires,
        clientState: 'cs',
      });
    // Contoso names Fabrikam's user too: the subscription is made, but it sees Contoso's users only.
    const contosoSub = await subscribe(
      await monitorToken(fx.contoso.tenantId, fx.contoso.monitor.upn),
      contosoHook.url,
      [fx.contoso.user, fx.fabrikam.user],
    );
    expect(contosoSub.status).toBe(201);
    const fabrikamMonitor = await monitorToken(fx.fabrikam.tenantId, fx.fabrikam.monitor.upn);
    const fabrikamSub = await subscribe(fabrikamMonitor, fabrikamHook.url, [fx.fabrikam.user]);
    expect(fabrikamSub.status).toBe(201);

    // Fabrikam's user changes first, then Contoso's: Contoso hears of its own user only.
    await setBusy(await tokenFor(fx.fabrikam.tenantId), fx.fabrikam.user);
    await eventually(() => fabrikamHook.notifications.length === 1);
    await setBusy(await tokenFor(fx.contoso.tenantId), fx.contoso.user);
    await eventually(() => contosoHook.notifications.length === 1);
    await new Promise((done) => setTimeout(done, 200));

    const items = contosoHook.notifications.flatMap((n: { value: unknown[] }) => n.value) as Record<
      string,
      unknown
    >[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subscriptionId: contosoSub.body.id,
      tenantId: fx.contoso.tenantId,
      resourceData: { id: fx.contoso.user },
    });
    const fabrikamItem = fabrikamHook.notifications[0].value[0];
    expect(fabrikamItem).toMatchObject({
      tenantId: fx.fabrikam.tenantId,
      resourceData: { id: fx.fabrikam.user },
    });

    // Fabrikam's monitor can neither list nor read nor delete Contoso's subscription.
    const listed = await call('GET', '/subscriptions', fabrikamMonitor);
    expect((listed.body.value as { id: string }[]).map((s) => s.id)).toEqual([fabrikamSub.body.id]);
    expect((await call('GET', `/subscriptions/${contosoSub.body.id}`, fabrikamMonitor)).status).toBe(404);
    expect((await call('DELETE', `/subscriptions/${contosoSub.body.id}`, fabrikamMonitor)).status).toBe(404);
    expect(graph.control.subscriptions().map((s) => s.id)).toContain(contosoSub.body.id);
  });
});

describe('presence budget per app per tenant', () => {
  it('Contoso at its limit gets 429 with Retry-After while Fabrikam is still served', async () => {
    graph.control.setThrottleLimit({ requests: 5, windowMs: 30_000 });
    const contoso = await tokenFor(fx.contoso.tenantId);
    const fabrikam = await tokenFor(fx.fabrikam.tenantId);
    const read = (token: string, userId: string) => call('GET', `/users/${userId}/presence`, token);
    for (let i = 0; i < 5; i++) expect((await read(contoso, fx.contoso.user)).status).toBe(200);
    const refused = await read(contoso, fx.contoso.user);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TooManyRequests');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);

    for (let i = 0; i < 5; i++) expect((await read(fabrikam, fx.fabrikam.user)).status).toBe(200);
    expect((await read(fabrikam, fx.fabrikam.user)).status).toBe(429);
    expect((await read(contoso, fx.contoso.user)).status).toBe(429);

    fx.clock.advance(30_000);
    expect((await read(contoso, fx.contoso.user)).status).toBe(200);
  });
});

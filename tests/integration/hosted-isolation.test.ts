import { randomUUID } from 'node:crypto';
import { PRESENCE_READ_ROLE, type SeededCompany } from '../../emulators/seed/demo';
import { api, linkAndMonitor, onboard, ssoToken, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * Tenant isolation in one hosted server (issue 16): Northwind's admin (tenant A) walks every admin and me route the
 * server mounts, found in its route table so a route added later is walked too, with Fabrikam's (tenant B) real ids:
 * users, monitors, reports, jobs, sync requests, PBX users. Each answer is 403 or 404, names nothing of Fabrikam's
 * but the id A itself sent, and Fabrikam's data is the same afterwards. Every list route answers A with none of
 * Fabrikam's data. A CloudLink webhook addressed to A with B's key is refused and moves nobody. The read API for
 * other systems (/api/presence, app tokens) answers A's reader about A's people only, and a Graph lifecycle post
 * carrying A's subscription with B's secret or tenant (or B's with A's) makes no tenant act on it.
 */
let world: HostedWorld;
let a: SeededCompany;
let b: SeededCompany;
/** Fabrikam's ids by the kind of thing a route parameter names. */
let bIds: Record<'users' | 'monitors' | 'reports' | 'jobs' | 'syncRequests' | 'pbxUsers', string[]>;
/** Everything of Fabrikam's that must never show in an answer to Northwind. */
let bSecrets: string[];

const REPORT_TEXT = 'Fabrikam internal: the reception phone in Munich shows busy all day';

beforeAll(async () => {
  world = await startHostedWorld({ users: 4 });
  [a, b] = world.hosted.companies as [SeededCompany, SeededCompany];
  for (const company of [a, b]) {
    await onboard(world, company);
    await linkAndMonitor(world, company);
  }
  await eventually(async () => {
    for (const company of [a, b])
      expect((await world.app.store.listUsers(company.tenantId)).some((u) => u.pbxPrincipalId)).toBe(true);
  }, 20_000);

  // Fabrikam's own activity: a problem report, a job, a request handed to its sync's owner.
  const bAdmin = await ssoToken(world, b, 'admin');
  const report = await api(world, 'POST', '/api/me/reports', await ssoToken(world, b, 'user'), {
    category: 'presence',
    description: REPORT_TEXT,
    includeDiagnostics: true,
    client: { type: 'web' },
  });
  expect(report.status).toBe(201);
  const job = await api(world, 'POST', '/api/admin/check', bAdmin);
  expect(job.status).toBe(202);
  // As a standby process hands an admin's resync to the owner (here the owner runs it at once).
  const syncRequest = await world.app.store.syncInbox!().enqueue(
    b.tenantId,
    'call',
    { op: 'resyncUser', userId: b.users.find((u) => !u.isAdmin)!.entraId },
    Date.now(),
    100,
  );
  const monitors = await world.app.store.listMonitors(b.tenantId);
  const users = await world.app.store.listUsers(b.tenantId);
  bIds = {
    users: users.map((u) => u.entraUserId),
    monitors: monitors.map((m) => m.monitorId),
    reports: [String(report.body.reportId)],
    jobs: [String(job.body.jobId)],
    syncRequests: [String(syncRequest)],
    pbxUsers: users.flatMap((u) => (u.pbxPrincipalId ? [u.pbxPrincipalId] : [])),
  };
  const link = (await world.app.store.getTenant(b.tenantId))!;
  bSecrets = [
    // Not the company's name or extensions: seeded call histories name a "Fabrikam Sales" line, and both companies
    // number their extensions from 2001. Its domain is in every UPN and mail of its people.
    b.tenantId,
    b.domain,
    b.cloudlink.accountId,
    b.cloudlink.clientId,
    REPORT_TEXT,
    ...Object.values(bIds).flat(),
    ...users.flatMap((u) => [u.upn, u.displayName]),
    ...monitors.flatMap((m) => [m.username, ...(m.subscriptionId ? [m.subscriptionId] : [])]),
    ...(link.cloudlink ? [link.cloudlink.accountId] : []),
  ].filter((s) => s.length >= 4);
  // What Northwind has too (both companies have a "Presence Monitor 1") is no sign of a leak.
  const northwindOwn = new Set(
    (await world.app.store.listUsers(a.tenantId)).flatMap((u) => [
      u.displayName.toLowerCase(),
      u.upn.toLowerCase(),
    ]),
  );
  bSecrets = bSecrets.filter((s) => !northwindOwn.has(s.toLowerCase()));
}, 90_000);
afterAll(async () => {
  await world?.close();
});

/** Fabrikam's data as a route could change it: link, documents, monitors, users' switches, reports, overrides. */
async function fabrikamState(): Promise<string> {
  const store = world.app.store;
  const tenant = (await store.getTenant(b.tenantId))!;
  return JSON.stringify({
    link: { clientId: tenant.clientId, cloudlink: tenant.cloudlink, settings: tenant.settings },
    monitors: (await store.listMonitors(b.tenantId)).map((m) => [
      m.monitorId,
      m.state,
      m.username,
      m.userIds,
      m.passwordSealed,
      m.passwordExpiresAt,
    ]),
    users: (await store.listUsers(b.tenantId)).map((u) => [
      u.entraUserId,
      u.pbxPrincipalId,
      u.sendToTeams,
      u.getFromTeams,
      u.selected,
    ]),
    reports: await store.listReports(b.tenantId),
  });
}

/** The API as Northwind's admin calls it, waiting out the per-caller rate limit instead of counting it as an answer. */
async function asNorthwind(method: string, path: string, body?: unknown) {
  const token = await ssoToken(world, a, 'admin');
  for (;;) {
    const res = await api(world, method, path, token, body);
    if (res.status !== 429) return res;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * The admin, me and operator routes, from the server's own route table (a customer's admin gets 403 from the
 * operator's, which list every tenant).
 */
const tenantRoutes = () => world.app.routes().filter((r) => /^\/api\/(admin|me|operator)(\/|$)/.test(r.path));

/** Which of Fabrikam's ids a route parameter takes: by the collection it follows; every id for one not known here. */
function idsFor(path: string, param: string): string[] {
  const before = path.split(`/:${param}`)[0]!.split('/').pop()!;
  const byCollection: Record<string, string[]> = {
    users: bIds.users,
    monitors: bIds.monitors,
    reports: bIds.reports,
    jobs: bIds.jobs,
    'sync-requests': bIds.syncRequests,
    overrides: bIds.pbxUsers,
  };
  return byCollection[before] ?? Object.values(bIds).flat();
}

/** A body that passes each route's validation, so the answer is about the id, not the body. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/admin/reports/:id': { status: 'resolved', note: 'closed by another tenant' },
  'PUT /api/admin/monitors/:id/password': { password: 'a password of Northwind’s choosing' },
};

/** Waits until a count stops moving for a second (background writes of an event just delivered are done). */
async function settled(count: () => number): Promise<void> {
  for (let last = -1, i = 0; i < 20 && count() !== last; i++) {
    last = count();
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

const leaked = (text: string, except: string[]) =>
  bSecrets.filter((s) => !except.includes(s) && text.toLowerCase().includes(s.toLowerCase()));

describe('hosted tenant isolation', () => {
  it("refuses every route with an id parameter Fabrikam's ids for Northwind's admin, leaks nothing, changes nothing", async () => {
    const routes = tenantRoutes().filter((r) => r.path.includes('/:'));
    // The route table is where the walk comes from: it must hold the routes named in the issue.
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /api/admin/users/:id/diagnostics',
        'POST /api/admin/monitors/:id/renew',
        'PUT /api/admin/monitors/:id/password',
        'PATCH /api/admin/reports/:id',
        'GET /api/admin/jobs/:id',
        'GET /api/admin/sync-requests/:id',
      ]),
    );
    // Fabrikam's own admin reads each of them: the ids are real, so a refusal below is the tenant boundary's.
    const bAdmin = await ssoToken(world, b, 'admin');
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const param = /:([A-Za-z]+)/.exec(route.path)![1]!;
      const path = route.path.replace(`:${param}`, encodeURIComponent(idsFor(route.path, param)[0]!));
      expect(`${path} ${(await api(world, 'GET', path, bAdmin)).status}`).toBe(`${path} 200`);
    }
    const before = await fabrikamState();
    const failures: string[] = [];
    for (const route of routes) {
      const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      expect(params).toHaveLength(1);
      for (const id of idsFor(route.path, params[0]!)) {
        const path = route.path.replace(`:${params[0]}`, encodeURIComponent(id));
        const body =
          route.method === 'GET' || route.method === 'DELETE'
            ? undefined
            : (BODIES[`${route.method} ${route.path}`] ?? {});
        const res = await asNorthwind(route.method, path, body);
        if (res.status !== 403 && res.status !== 404)
          failures.push(`${route.method} ${path}: ${res.status} ${res.text}`);
        // The id Northwind sent may come back in "not found"; nothing else of Fabrikam's may.
        const shown = leaked(res.text, [id]);
        if (shown.length > 0) failures.push(`${route.method} ${path} shows ${shown.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fabrikamState()).toEqual(before);
  });

  it("refuses Fabrikam's users and PBX users named in an override body", async () => {
    const before = await fabrikamState();
    const res = await asNorthwind('PUT', '/api/admin/users/overrides', {
      pbxPrincipalId: bIds.pbxUsers[0],
      entraUserId: bIds.users[0],
    });
    expect(res.status).toBe(404);
    expect(leaked(res.text, [bIds.pbxUsers[0]!, bIds.users[0]!])).toEqual([]);
    expect(await fabrikamState()).toEqual(before);
  });

  it("answers every list route with none of Fabrikam's data", async () => {
    const lists = tenantRoutes().filter((r) => r.method === 'GET' && !r.path.includes('/:'));
    expect(lists.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/api/admin/users',
        '/api/admin/monitors',
        '/api/admin/reports',
        '/api/me/reports',
        '/api/operator/tenants',
      ]),
    );
    const answers: string[] = [];
    for (const route of lists) {
      const res = await asNorthwind('GET', route.path);
      answers.push(`${route.path} ${res.status}`);
      expect({ route: route.path, shown: leaked(res.text, []) }).toEqual({ route: route.path, shown: [] });
    }
    // Northwind does see its own: the walk read real lists, not refusals.
    const own = await asNorthwind('GET', '/api/admin/users');
    expect(own.status).toBe(200);
    expect(own.text).toContain(a.users[0]!.displayName);
    // And the same list as Fabrikam's admin sees it is caught by the check: the check can fail.
    const theirs = await api(world, 'GET', '/api/admin/users', await ssoToken(world, b, 'admin'));
    expect(leaked(theirs.text, []).length).toBeGreaterThan(0);
    expect(answers.filter((s) => s.endsWith(' 200')).length).toBeGreaterThan(lists.length / 2);
  });

  it("refuses a CloudLink webhook addressed to Northwind carrying Fabrikam's key, and moves nobody", async () => {
    const cloudlink = world.emulators.cloudlink;
    const keyOf = (company: SeededCompany) =>
      new URL(cloudlink.control.subscriptions(company.cloudlink.accountId)[0]!.deviceId).searchParams.get(
        'key',
      )!;
    // A real webhook of Fabrikam's, as CloudLink posted it: one of its people takes a call.
    const bUser = (await world.app.store.listUsers(b.tenantId)).find((u) => u.pbxPrincipalId)!;
    const delivered = cloudlink.control.deliveries.length;
    const call = cloudlink.pbx.placeCall('+4930555000', bUser.pbxPrincipalId!);
    await eventually(() =>
      expect(
        cloudlink.control.deliveries.slice(delivered).find((d) => d.url.includes(b.tenantId) && d.delivered),
      ).toBeDefined(),
    );
    cloudlink.pbx.hangUp(call.callId);
    await cloudlink.control.deliveriesIdle();
    const real = cloudlink.control.deliveries.slice(delivered).find((d) => d.url.includes(b.tenantId))!.body;
    const post = (tenant: string, key: string) =>
      fetch(
        `${world.app.baseUrl}/api/notifications/cloudlink?tenant=${encodeURIComponent(tenant)}&key=${encodeURIComponent(key)}`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(real) },
      );
    // Requests at Graph about Fabrikam's caller or any of Northwind's people, once the call's own writes are done.
    const northwindIds = (await world.app.store.listUsers(a.tenantId)).map((u) => u.entraUserId);
    const aboutThem = () =>
      world.emulators.graph.control
        .requests()
        .filter((r) => [bUser.entraUserId, ...northwindIds].some((id) => r.path.includes(id))).length;
    await settled(aboutThem);
    const before = aboutThem();
    const refused = await post(a.tenantId, keyOf(b));
    expect(refused.status).toBe(401);
    expect(leaked(await refused.text(), [])).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(aboutThem()).toBe(before);
    // The same post with Northwind's own key is let in (and names nobody of Northwind's): the refusal was the key's.
    expect((await post(a.tenantId, keyOf(a))).status).toBe(202);
  });
});

/**
 * Another system of the company's (a reception console): an app registered in the company's own tenant, to which
 * the company granted Switchboard's presence-read role (or not), getting an app-only token for Switchboard's API.
 */
async function readerToken(company: SeededCompany, role: boolean): Promise<string> {
  const { directory, entra } = world.emulators;
  const secret = randomUUID();
  const reader = directory.addApp(company.tenantId, {
    displayName: `${company.tenantName} reception console`,
    secrets: [{ id: randomUUID(), value: secret, expiresAt: Date.now() + 86_400_000 }],
  });
  const grant = directory.tenant(company.tenantId)!.servicePrincipals.get(world.hosted.provider.clientId)!;
  if (role) grant.roleAssignmentsToApps[reader.clientId] = [PRESENCE_READ_ROLE];
  const res = await fetch(entra.tokenEndpoint(company.tenantId), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: reader.clientId,
      client_secret: secret,
      scope: `${world.hosted.provider.appIdUri}/.default`,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no reader token: ${JSON.stringify(body)}`);
  return body.access_token;
}

const presenceOf = (token: string, query: string) => api(world, 'GET', `/api/presence?${query}`, token);

describe('hosted tenant isolation: the presence read API', () => {
  it("answers Northwind's reader about Northwind's people only: Fabrikam's ids and addresses are not found", async () => {
    const aReader = await readerToken(a, true);
    const bUsers = await world.app.store.listUsers(b.tenantId);
    const aUsers = await world.app.store.listUsers(a.tenantId);
    const bNames = {
      ids: bUsers.map((u) => u.entraUserId).slice(0, 3),
      mails: bUsers.map((u) => u.upn).slice(0, 3),
    };
    // Fabrikam's people mixed in with one of Northwind's own: only Northwind's comes back.
    const res = await presenceOf(
      aReader,
      `ids=${[aUsers[0]!.entraUserId, ...bNames.ids].join(',')}&mails=${bNames.mails.join(',')}`,
    );
    expect(res.status).toBe(200);
    expect((res.body.items as { id: string }[]).map((i) => i.id)).toEqual([aUsers[0]!.entraUserId]);
    expect(res.body.notFound).toEqual([...bNames.ids, ...bNames.mails]);
    // The names it sent come back in notFound (their domain with them); nothing else of Fabrikam's does.
    const unsent = [...bNames.ids, ...bNames.mails].reduce(
      (text, name) => text.split(name).join(''),
      res.text,
    );
    expect(leaked(unsent, [])).toEqual([]);

    // The same names asked by Fabrikam's own reader are found: they were real.
    const theirs = await presenceOf(await readerToken(b, true), `ids=${bNames.ids.join(',')}`);
    expect(theirs.status).toBe(200);
    expect((theirs.body.items as { id: string }[]).map((i) => i.id)).toEqual(bNames.ids);
  });

  it("refuses a reader its company did not grant the role, and a user's token", async () => {
    const bId = (await world.app.store.listUsers(b.tenantId))[0]!.entraUserId;
    const noRole = await presenceOf(await readerToken(a, false), `ids=${bId}`);
    expect(noRole.status).toBe(403);
    expect(noRole.body.error).toMatchObject({ code: 'missing_role' });
    const user = await presenceOf(await ssoToken(world, a, 'admin'), `ids=${bId}`);
    expect(user.status).toBe(401);
    expect(user.body.error).toMatchObject({ code: 'app_token_required' });
    for (const res of [noRole, user]) expect(leaked(res.text, [])).toEqual([]);
  });
});

describe('hosted tenant isolation: Graph lifecycle posts', () => {
  const subscriptionOf = (company: SeededCompany) =>
    world.emulators.graph.control
      .subscriptions()
      .find((s) => s.tenantId === company.tenantId && !s.paused && s.userIds.length > 0)!;
  /** Graph calls a lifecycle event makes a tenant's sync do: renew or re-create a subscription, read presence. */
  const actions = () =>
    world.emulators.graph.control.requests().filter((r) => /subscriptions|presence/i.test(r.path)).length;
  const accepted = () => world.lines.filter((l) => l.event === 'graph.lifecycle');

  async function lifecycle(item: {
    subscriptionId: string;
    clientState: string | null | undefined;
    tenantId: string;
    lifecycleEvent: string;
  }): Promise<number> {
    const res = await fetch(`${world.app.baseUrl}/api/notifications/graph/lifecycle`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        value: [{ ...item, subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString() }],
      }),
    });
    return res.status;
  }

  it("makes no tenant act on a lifecycle post mixing one tenant's subscription with the other's secret or tenant", async () => {
    const sa = subscriptionOf(a);
    const sb = subscriptionOf(b);
    const forged = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'].flatMap((lifecycleEvent) => [
      // A's subscription with B's secret, under A's tenant.
      { subscriptionId: sa.id, clientState: sb.clientState, tenantId: a.tenantId, lifecycleEvent },
      // A's subscription and secret, naming B's tenant.
      { subscriptionId: sa.id, clientState: sa.clientState, tenantId: b.tenantId, lifecycleEvent },
      // B's subscription with A's secret, under B's tenant.
      { subscriptionId: sb.id, clientState: sa.clientState, tenantId: b.tenantId, lifecycleEvent },
      // A subscription nobody holds, with A's secret.
      { subscriptionId: randomUUID(), clientState: sa.clientState, tenantId: a.tenantId, lifecycleEvent },
    ]);
    await settled(actions);
    const before = { actions: actions(), accepted: accepted().length };
    for (const item of forged) expect(await lifecycle(item)).toBe(202);
    await settled(actions);
    expect({ actions: actions(), accepted: accepted().length }).toEqual(before);
    // Both subscriptions are still there, unchanged: nothing was re-created or removed.
    expect(subscriptionOf(a).id).toBe(sa.id);
    expect(subscriptionOf(b).id).toBe(sb.id);
    const dropped = world.lines.filter(
      (l) => l.event === 'graph.notificationDropped' && l.kind === 'lifecycle',
    );
    expect(dropped.length).toBeGreaterThan(0);
    for (const secret of [sa.clientState!, sb.clientState!, sa.id, sb.id])
      expect(JSON.stringify(dropped)).not.toContain(secret);

    // Northwind's own post, all of it Northwind's, is acted on: the refusals above were the tenant boundary's.
    expect(
      await lifecycle({
        subscriptionId: sa.id,
        clientState: sa.clientState,
        tenantId: a.tenantId,
        lifecycleEvent: 'reauthorizationRequired',
      }),
    ).toBe(202);
    await eventually(() => expect(accepted().length).toBe(before.accepted + 1), 10_000);
    expect(accepted().at(-1)).toMatchObject({
      tenantId: a.tenantId,
      lifecycleEvent: 'reauthorizationRequired',
    });
    await eventually(() => expect(actions()).toBeGreaterThan(before.actions), 10_000);
  });
});

import { randomUUID } from 'node:crypto';
import { startWorld, SECRET, type World } from './graph-emulator.harness';

/** The presence API of the Graph emulator over real HTTP: limits, rejections and aggregation as Graph documents them. */

let w: World;

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});
let app: string;
beforeEach(async () => {
  app = await w.token();
  w.graph.control.resetFaults();
  w.graph.control.setThrottleLimit({ requests: 1500, windowMs: 30_000 });
});

// Days pass on the manual clock inside some tests, so each call takes a token that is valid now.
const set = async (userId: string, body: Record<string, unknown>) =>
  w.call('POST', `/v1.0/users/${userId}/presence/setPresence`, await w.token(), {
    sessionId: w.app.clientId,
    ...body,
  });
const get = async (userId: string) =>
  (await w.call('GET', `/v1.0/users/${userId}/presence`, await w.token())).body;
const clear = async (userId: string) =>
  w.call('POST', `/v1.0/users/${userId}/presence/clearPresence`, await w.token(), {
    sessionId: w.app.clientId,
  });
const fresh = () =>
  w.directory.addUser(w.tenant.id, {
    userPrincipalName: `u${randomUUID().slice(0, 8)}@contoso.example`,
    displayName: 'U',
  });

describe('authentication and permissions', () => {
  it('refuses a request without a token with 401 InvalidAuthenticationToken in Graph error shape', async () => {
    const res = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, undefined, undefined, {
      'client-request-id': 'my-id',
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    const requestId = res.headers.get('request-id');
    expect(requestId).toBeTruthy();
    expect(res.body.error.innerError).toEqual({
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
      'request-id': requestId,
      'client-request-id': 'my-id',
    });
  });

  it('refuses a token not signed by Entra', async () => {
    const [h, p] = app.split('.');
    const res = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, `${h}.${p}.c2lnbmF0dXJl`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('refuses an expired token', async () => {
    const token = await w.appToken();
    w.clock.advance(3600_000);
    const res = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, token);
    expect(res.status).toBe(401);
  });

  it('refuses presence reads and writes to an app without presence permissions (403)', async () => {
    const bare = await w.appToken(w.bareApp);
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, bare)).body.error.code).toBe(
      'Forbidden',
    );
    const write = await w.call('POST', `/v1.0/users/${w.users.alice.id}/presence/setPresence`, bare, {
      sessionId: w.bareApp.clientId,
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(write.status).toBe(403);
  });

  it('lets delegated Presence.ReadWrite write only the signed-in user', async () => {
    const writer = w.directory.addApp(w.tenant.id, {
      displayName: 'Writer',
      secrets: [{ id: 'w', value: SECRET, expiresAt: w.clock.now() + 86_400_000 }],
      consentedDelegatedPermissions: ['Presence.ReadWrite'],
    });
    const token = await w.userToken(w.users.monitor, writer);
    const body = { sessionId: writer.clientId, availability: 'Busy', activity: 'InACall' };
    expect(
      (await w.call('POST', `/v1.0/users/${w.users.monitor.id}/presence/setPresence`, token, body)).status,
    ).toBe(200);
    expect((await w.call('POST', '/v1.0/me/presence/setPresence', token, body)).status).toBe(200);
    expect(
      (await w.call('POST', `/v1.0/users/${w.users.bob.id}/presence/setPresence`, token, body)).status,
    ).toBe(403);
  });

  it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
    const res = await w.call('GET', `/v1.0/users/${randomUUID()}/presence`, app);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('setPresence', () => {
  it('sets an allowed pair, shows it, and bumps the sequenceNumber', async () => {
    const u = fresh();
    const before = await get(u.id);
    expect(before).toMatchObject({ id: u.id, availability: 'Offline', activity: 'Offline' });
    expect(
      (await set(u.id, { availability: 'Busy', activity: 'InACall', expirationDuration: 'PT1H' })).status,
    ).toBe(200);
    const after = await get(u.id);
    expect(after).toMatchObject({ availability: 'Busy', activity: 'InACall', statusMessage: null });
    expect(after.sequenceNumber > before.sequenceNumber).toBe(true);
  });

  it('refuses pairs outside the five allowed ones', async () => {
    for (const [availability, activity] of [
      ['Busy', 'Busy'],
      ['Available', 'InACall'],
      ['DoNotDisturb', 'DoNotDisturb'],
      ['Busy', 'InAMeeting'],
    ]) {
      const res = await set(w.users.alice.id, { availability, activity });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BadRequest');
    }
  });

  it('refuses parameters the action does not declare', async () => {
    const res = await set(w.users.alice.id, {
      availability: 'Busy',
      activity: 'InACall',
      expiration: 'PT1H',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("'expiration'");
  });

  it('refuses a sessionId other than the calling app id', async () => {
    const res = await w.call('POST', `/v1.0/users/${w.users.alice.id}/presence/setPresence`, app, {
      sessionId: w.bareApp.clientId,
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(res.status).toBe(400);
  });

  it('refuses expirationDuration below PT5M or above PT4H and accepts the bounds', async () => {
    const u = fresh();
    const base = { availability: 'Busy', activity: 'InACall' };
    expect((await set(u.id, { ...base, expirationDuration: 'PT4M' })).status).toBe(400);
    expect((await set(u.id, { ...base, expirationDuration: 'PT4H1M' })).status).toBe(400);
    expect((await set(u.id, { ...base, expirationDuration: 'soon' })).status).toBe(400);
    expect((await set(u.id, { ...base, expirationDuration: 'PT5M' })).status).toBe(200);
    expect((await set(u.id, { ...base, expirationDuration: 'PT4H' })).status).toBe(200);
  });

  it('expires a session exactly on time, and defaults to PT5M', async () => {
    const u = fresh();
    await set(u.id, { availability: 'Busy', activity: 'InACall' });
    w.clock.advance(5 * 60_000 - 1000);
    expect((await get(u.id)).availability).toBe('Busy');
    w.clock.advance(1000);
    expect(await get(u.id)).toMatchObject({ availability: 'Offline', activity: 'Offline' });

    await set(u.id, { availability: 'Busy', activity: 'InACall', expirationDuration: 'PT2H' });
    w.clock.advance(2 * 3600_000 - 1);
    expect((await get(u.id)).availability).toBe('Busy');
    w.clock.advance(1);
    expect((await get(u.id)).availability).toBe('Offline');
  });

  it('fades an Available app session to AvailableInactive after 5 minutes and Away 5 minutes later', async () => {
    const u = fresh();
    await set(u.id, { availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' });
    w.clock.advance(5 * 60_000);
    expect(await get(u.id)).toMatchObject({ availability: 'Available', activity: 'AvailableInactive' });
    w.clock.advance(5 * 60_000);
    expect(await get(u.id)).toMatchObject({ availability: 'Away', activity: 'Away' });
  });
});

describe('clearPresence', () => {
  it('answers 404 when the app has no session, and clears one that exists', async () => {
    const u = fresh();
    expect((await clear(u.id)).status).toBe(404);
    await set(u.id, { availability: 'Busy', activity: 'InACall', expirationDuration: 'PT1H' });
    expect((await clear(u.id)).status).toBe(200);
    expect((await get(u.id)).availability).toBe('Offline');
    expect((await clear(u.id)).status).toBe(404);
  });
});

describe('aggregation', () => {
  it('ranks DoNotDisturb above Busy above Available above Away across sessions', async () => {
    const u = fresh();
    w.graph.control.teams(u.id, 'idle');
    expect((await get(u.id)).availability).toBe('Away');
    await set(u.id, { availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' });
    expect((await get(u.id)).availability).toBe('Available');
    w.graph.control.teams(u.id, 'startCall', 'mobile');
    expect(await get(u.id)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    await set(u.id, { availability: 'DoNotDisturb', activity: 'Presenting', expirationDuration: 'PT1H' });
    expect(await get(u.id)).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    await clear(u.id);
    expect(await get(u.id)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  it('lets the preferred presence beat every session, only while a session exists', async () => {
    const u = fresh();
    const pref = async (body: unknown) =>
      w.call('POST', `/v1.0/users/${u.id}/presence/setUserPreferredPresence`, await w.token(), body);
    expect((await pref({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' })).status).toBe(200);
    expect((await get(u.id)).availability).toBe('Offline');
    await set(u.id, { availability: 'Busy', activity: 'InACall', expirationDuration: 'PT1H' });
    expect(await get(u.id)).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    expect((await pref({ availability: 'Available', activity: 'Available' })).status).toBe(200);
    expect(await get(u.id)).toMatchObject({ availability: 'Available', activity: 'Available' });
    expect(
      (await w.call('POST', `/v1.0/users/${u.id}/presence/clearUserPreferredPresence`, await w.token()))
        .status,
    ).toBe(200);
    expect(await get(u.id)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  it('refuses preferred pairs outside the six allowed, and expires Busy after 1 day and Away after 7 days by default', async () => {
    const u = fresh();
    w.graph.control.teams(u.id, 'signIn');
    const pref = async (availability: string, activity: string) =>
      w.call('POST', `/v1.0/users/${u.id}/presence/setUserPreferredPresence`, await w.token(), {
        availability,
        activity,
      });
    expect((await pref('Busy', 'InACall')).status).toBe(400);
    expect((await pref('Busy', 'Busy')).status).toBe(200);
    w.clock.advance(86_400_000 - 1000);
    expect((await get(u.id)).availability).toBe('Busy');
    w.clock.advance(1000);
    expect((await get(u.id)).availability).toBe('Available');
    expect((await pref('Away', 'Away')).status).toBe(200);
    w.clock.advance(7 * 86_400_000 - 1000);
    expect((await get(u.id)).availability).toBe('Away');
    w.clock.advance(1000);
    expect((await get(u.id)).availability).toBe('Available');
  });

  it('shows a Teams meeting, presenting and a manual DND the way Teams does', async () => {
    const u = fresh();
    w.graph.control.teams(u.id, 'joinMeeting');
    expect(await get(u.id)).toMatchObject({ availability: 'Busy', activity: 'InAMeeting' });
    w.graph.control.teams(u.id, 'startPresenting');
    expect(await get(u.id)).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    w.graph.control.teams(u.id, 'leaveMeeting');
    expect(await get(u.id)).toMatchObject({ availability: 'Available', activity: 'Available' });
    w.graph.control.setManualStatus(u.id, 'DoNotDisturb');
    expect(await get(u.id)).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    w.graph.control.teams(u.id, 'signOut');
    expect((await get(u.id)).availability).toBe('Offline');
  });

  it('keeps a status message and reports it in Graph shape', async () => {
    const u = fresh();
    const res = await w.call('POST', `/v1.0/users/${u.id}/presence/setStatusMessage`, app, {
      statusMessage: { message: { content: 'On the PBX', contentType: 'text' } },
    });
    expect(res.status).toBe(200);
    expect((await get(u.id)).statusMessage.message).toEqual({ content: 'On the PBX', contentType: 'text' });
  });
});

describe('getPresencesByUserId', () => {
  it('returns presences for up to 650 ids and refuses 651', async () => {
    const ids: string[] = Array.from({ length: 650 }, () => randomUUID());
    ids[0] = w.users.alice.id;
    const ok = await w.call('POST', '/v1.0/communications/getPresencesByUserId', app, { ids });
    expect(ok.status).toBe(200);
    expect(ok.body.value).toHaveLength(650);
    expect(ok.body.value[0].id).toBe(w.users.alice.id);
    const tooMany = await w.call('POST', '/v1.0/communications/getPresencesByUserId', app, {
      ids: [...ids, randomUUID()],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('BadRequest');
  });

  it('refuses a missing or empty ids list', async () => {
    expect((await w.call('POST', '/v1.0/communications/getPresencesByUserId', app, { ids: [] })).status).toBe(
      400,
    );
    expect((await w.call('POST', '/v1.0/communications/getPresencesByUserId', app, {})).status).toBe(400);
  });
});

describe('throttling', () => {
  it('answers 429 with Retry-After once an app exceeds its presence budget, per app', async () => {
    w.graph.control.setThrottleLimit({ requests: 3, windowMs: 30_000 });
    for (let i = 0; i < 3; i++)
      expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app)).status).toBe(200);
    const throttled = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect(throttled.headers.get('retry-after')).toBe('30');
    // Another app of the tenant has its own budget; a directory read is not a presence request.
    const other = await w.appToken(w.bareApp);
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, other)).status).toBe(403);
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}`, app)).status).toBe(200);
    w.clock.advance(30_000);
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, await w.token())).status).toBe(
      200,
    );
  });
});

describe('$batch', () => {
  const item = (id: string) => ({ id, method: 'GET', url: `/users/${w.users.alice.id}/presence` });

  it('refuses more than 20 requests', async () => {
    const res = await w.call('POST', '/v1.0/$batch', app, {
      requests: Array.from({ length: 21 }, (_, i) => item(String(i))),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
  });

  it('answers each request on its own, authorized and throttled on its own', async () => {
    w.graph.control.setThrottleLimit({ requests: 2, windowMs: 30_000 });
    const res = await w.call('POST', '/v1.0/$batch', app, {
      requests: [item('a'), item('b'), item('c'), { id: 'd', method: 'GET', url: `/users/${randomUUID()}` }],
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: { id: string }) => [r.id, r]));
    const statuses = ['a', 'b', 'c'].map((k) => byId[k].status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const limited = ['a', 'b', 'c'].map((k) => byId[k]).find((r) => r.status === 429);
    expect(limited.headers['Retry-After']).toBeDefined();
    expect(byId.d.status).toBe(404);
    expect(byId.a.status === 200 ? byId.a.body.id : byId.b.body.id).toBe(w.users.alice.id);
  });

  it('runs dependsOn in order and fails dependents of a failed request with 424', async () => {
    const u = fresh();
    const res = await w.call('POST', '/v1.0/$batch', app, {
      requests: [
        {
          id: '1',
          method: 'POST',
          url: `/users/${u.id}/presence/setPresence`,
          headers: { 'Content-Type': 'application/json' },
          body: {
            sessionId: w.app.clientId,
            availability: 'Busy',
            activity: 'InACall',
            expirationDuration: 'PT1H',
          },
        },
        { id: '2', method: 'GET', url: `/users/${u.id}/presence`, dependsOn: ['1'] },
        {
          id: '3',
          method: 'POST',
          url: `/users/${u.id}/presence/clearPresence`,
          headers: { 'Content-Type': 'application/json' },
          body: { sessionId: randomUUID() },
          dependsOn: ['2'],
        },
        { id: '4', method: 'GET', url: `/users/${u.id}/presence`, dependsOn: ['3'] },
      ],
    });
    const [r1, r2, r3, r4] = res.body.responses;
    expect([r1.status, r2.status, r3.status, r4.status]).toEqual([200, 200, 400, 424]);
    expect(r2.body.availability).toBe('Busy');
  });

  it('refuses a sub-request body without Content-Type', async () => {
    const res = await w.call('POST', '/v1.0/$batch', app, {
      requests: [
        {
          id: '1',
          method: 'POST',
          url: '/communications/getPresencesByUserId',
          body: { ids: [w.users.alice.id] },
        },
      ],
    });
    expect(res.status).toBe(400);
  });
});

describe('faults and the request log', () => {
  it('fails the next requests with 503 and Retry-After when told, and logs every call with its app', async () => {
    w.graph.control.clearRequests();
    w.graph.control.setFaults({ failNext: { count: 1, status: 503, retryAfterSeconds: 7 } });
    const failed = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(failed.body.error.code).toBe('ServiceUnavailable');
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app)).status).toBe(200);
    const log = w.graph.control.requests();
    expect(log.map((e) => [e.method, e.path, e.status, e.appId])).toEqual([
      ['GET', `/users/${w.users.alice.id}/presence`, 503, w.app.clientId],
      ['GET', `/users/${w.users.alice.id}/presence`, 200, w.app.clientId],
    ]);
    w.graph.control.clearRequests();
    expect(w.graph.control.requests()).toEqual([]);
  });

  it('adds the configured latency to every request', async () => {
    w.graph.control.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('fails every request at an error rate of 1 with 503 or 504', async () => {
    w.graph.control.setFaults({ errorRate: 1 });
    const res = await w.call('GET', `/v1.0/users/${w.users.alice.id}/presence`, app);
    expect([503, 504]).toContain(res.status);
  });
});

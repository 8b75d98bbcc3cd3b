import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import type { GraphAdapterOptions } from '../../shared/adapters/graph/options';
import type { GraphOutcome } from '../../shared/ports/outcomes';
import { GraphError } from '../../shared/ports/graph';

/**
 * The adapter against a scripted Graph stand-in on 127.0.0.1, for the exact failure sequences (429, Retry-After,
 * 5xx, dropped connections) that a real service produces only occasionally.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Drop the connection without answering. */
  drop?: boolean;
}
type Script = (req: Seen, n: number) => Reply;

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const presence = (id: string, availability = 'Available', activity = 'Available') => ({
  id,
  availability,
  activity,
  statusMessage: null,
  sequenceNumber: 'C1',
});

let server: Server;
let baseUrl: string;
let script: Script;
let seen: Seen[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(entry);
      const reply = script(entry, seen.length);
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { ...(body && { 'content-type': 'application/json' }), ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let sleeps: number[];
let outcomes: GraphOutcome[];
let kinds: string[];

beforeEach(() => {
  seen = [];
  sleeps = [];
  outcomes = [];
  kinds = [];
  script = () => ({ status: 200 });
});

function adapter(over: Partial<GraphAdapterOptions> = {}): GraphAdapter {
  return new GraphAdapter({
    baseUrl,
    clientId: CLIENT_ID,
    getAppToken: async () => 'app-token',
    getMonitorToken: async (m) => `monitor-token-for-${m.username}`,
    beforeRequest: async (kind) => void kinds.push(kind),
    onOutcome: (o) => void outcomes.push(o),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...over,
  });
}

function graphError(status: number, code: string, requestId?: string): Reply {
  return {
    status,
    ...(requestId && { headers: { 'request-id': requestId } }),
    body: {
      error: {
        code,
        message: `${code} happened`,
        innerError: { 'request-id': `inner-${requestId ?? 'only'}` },
      },
    },
  };
}

describe('GraphAdapter presence writes', () => {
  it('sets presence in the app’s own session with the app token', async () => {
    await adapter().setPresence(guid(1), { availability: 'Busy', activity: 'InACall' }, 'PT1H');
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe(`/v1.0/users/${guid(1)}/presence/setPresence`);
    expect(seen[0].headers.authorization).toBe('Bearer app-token');
    expect(seen[0].body).toEqual({
      sessionId: CLIENT_ID,
      availability: 'Busy',
      activity: 'InACall',
      expirationDuration: 'PT1H',
    });
    expect(kinds).toEqual(['presence']);
    expect(outcomes).toEqual([
      {
        op: 'setPresence',
        status: 200,
        durationMs: expect.any(Number),
        attempt: 0,
        willRetry: false,
        requestId: expect.any(String),
      },
    ]);
  });

  it('clears the app session, answering false when Graph has no such session', async () => {
    script = (_r, n) => (n === 1 ? { status: 200 } : graphError(404, 'NotFound', 'r-404'));
    expect(await adapter().clearPresence(guid(1))).toBe(true);
    expect(await adapter().clearPresence(guid(1))).toBe(false);
    expect(seen.map((s) => s.body)).toEqual([{ sessionId: CLIENT_ID }, { sessionId: CLIENT_ID }]);
  });
});

describe('GraphAdapter and a refused token', () => {
  it('on 401 forgets the token, takes a fresh one and tries once more', async () => {
    const tokens = ['revoked-token', 'fresh-token'];
    const forgotten: string[] = [];
    script = (r) =>
      r.headers.authorization === 'Bearer revoked-token'
        ? graphError(401, 'InvalidAuthenticationToken')
        : { status: 200 };
    await adapter({
      getAppToken: async () => tokens[Math.min(forgotten.length, 1)],
      forgetToken: (t) => void forgotten.push(t),
    }).setPresence(guid(1), { availability: 'Busy', activity: 'InACall' }, 'PT1H');
    expect(forgotten).toEqual(['revoked-token']);
    expect(seen.map((x) => x.headers.authorization)).toEqual(['Bearer revoked-token', 'Bearer fresh-token']);
  });

  it('a second 401 with the fresh token is the answer: no loop', async () => {
    const forgotten: string[] = [];
    script = () => graphError(401, 'InvalidAuthenticationToken', 'r-401');
    await expect(
      adapter({ forgetToken: (t) => void forgotten.push(t) }).clearPresence(guid(1)),
    ).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(2);
    expect(forgotten).toEqual(['app-token']);
  });
});

describe('GraphAdapter retries', () => {
  it('waits as long as Retry-After (seconds) asks, then retries', async () => {
    script = (_r, n) =>
      n === 1 ? { ...graphError(429, 'TooManyRequests'), headers: { 'retry-after': '7' } } : { status: 200 };
    await adapter().setPresence(guid(1), { availability: 'Away', activity: 'Away' }, 'PT5M');
    expect(sleeps).toEqual([7000]);
    expect(seen).toHaveLength(2);
    expect(kinds).toEqual(['presence', 'presence']); // the rate limiter is asked before every attempt
    expect(outcomes.map((o) => [o.status, o.retryAfterMs])).toEqual([
      [429, 7000],
      [200, undefined],
    ]);
  });

  it('understands Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    script = (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': at } } : { status: 200 });
    await adapter().setPresence(guid(1), { availability: 'Away', activity: 'Away' }, 'PT5M');
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3000); // the date has whole-second precision
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('backs off exponentially on 5xx and succeeds when Graph recovers', async () => {
    script = (_r, n) =>
      n <= 3 ? graphError(503, 'ServiceUnavailable') : { status: 200, body: presence(guid(1)) };
    const p = await adapter().getPresence(guid(1));
    expect(p).toEqual({
      userId: guid(1),
      availability: 'Available',
      activity: 'Available',
      statusMessage: null,
      sequenceNumber: 'C1',
    });
    // equal jitter with random() = 0.5: three quarters of 500, 1000, 2000
    expect(sleeps).toEqual([375, 750, 1500]);
    // one client-request-id ties the attempts of a call together
    expect(new Set(seen.map((s) => s.headers['client-request-id'])).size).toBe(1);
  });

  it('gives up after maxRetries with a GraphError naming status, code and request-id', async () => {
    script = () => graphError(502, 'BadGateway', 'req-502');
    const err = await adapter({ maxRetries: 2 })
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 502, code: 'BadGateway', requestId: 'req-502' });
    expect(err.message).toContain('BadGateway happened');
    expect(seen).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('takes the request-id from innerError when the header is missing', async () => {
    script = () => graphError(403, 'Forbidden');
    const err = await adapter()
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toMatchObject({ status: 403, code: 'Forbidden', requestId: 'inner-only' });
    expect(seen).toHaveLength(1); // a 4xx other than 429 is final
  });

  it('does not hold a call for a Retry-After longer than it is willing to wait', async () => {
    script = () => ({
      ...graphError(429, 'TooManyRequests', 'req-429'),
      headers: { 'retry-after': '600', 'request-id': 'req-429' },
    });
    const err = await adapter({ maxRetryAfterMs: 60_000 })
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 600_000, requestId: 'req-429' });
    expect(sleeps).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('retries dropped connections and then reports a network error', async () => {
    script = () => ({ status: 0, drop: true });
    const err = await adapter({ maxRetries: 1 })
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', network: { kind: 'connection' } });
    expect(seen).toHaveLength(2);
    expect(outcomes.map((o) => o.status)).toEqual([0, 0]);
  });

  it('does not retry when the token provider fails', async () => {
    const refused = new Error('AADSTS7000215: invalid client secret');
    const err = await adapter({ getAppToken: async () => Promise.reject(refused) })
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toBe(refused);
    expect(seen).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });

  it('surfaces a bug in the token provider as itself, not as a network error to retry', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'accessToken')");
    const err = await adapter({ getAppToken: async () => Promise.reject(bug) })
      .getPresence(guid(1))
      .catch((e) => e);
    expect(err).toBe(bug);
    expect(seen).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });
});

describe('GraphAdapter reads', () => {
  it('splits 1,300 ids into two requests of 650 and returns every presence', async () => {
    script = (r) => ({
      status: 200,
      body: { value: (r.body as { ids: string[] }).ids.map((id) => presence(id, 'Busy', 'InACall')) },
    });
    const ids = Array.from({ length: 1300 }, (_, i) => guid(i));
    const result = await adapter().getPresencesByUserId(ids);
    expect(seen.map((s) => (s.body as { ids: string[] }).ids.length)).toEqual([650, 650]);
    expect(seen.every((s) => s.url === '/v1.0/communications/getPresencesByUserId')).toBe(true);
    expect(result.map((p) => p.userId).sort()).toEqual([...ids].sort());
    expect(result[0]).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  it('sends nothing for an empty id list', async () => {
    expect(await adapter().getPresencesByUserId([])).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('reads a status message as plain text', async () => {
    script = () => ({
      status: 200,
      body: {
        ...presence(guid(1)),
        statusMessage: { message: { content: 'On the phone', contentType: 'text' } },
      },
    });
    expect((await adapter().getPresence(guid(1))).statusMessage).toBe('On the phone');
  });

  it('lists users across pages by following @odata.nextLink', async () => {
    script = (r) => {
      const page = Number(new URL(r.url, baseUrl).searchParams.get('$skiptoken') ?? '0');
      const value = [0, 1].map((i) => ({
        id: guid(page * 2 + i),
        userPrincipalName: `u${page * 2 + i}@contoso.example`,
        mail: null,
        displayName: `U${page * 2 + i}`,
      }));
      return {
        status: 200,
        body: {
          value,
          ...(page < 2 && { '@odata.nextLink': `${baseUrl}/v1.0/users?$skiptoken=${page + 1}` }),
        },
      };
    };
    const users = [];
    for await (const u of adapter().listUsers()) users.push(u);
    expect(users.map((u) => u.userPrincipalName)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `u${i}@contoso.example`),
    );
    expect(seen).toHaveLength(3);
    expect(new URL(seen[0].url, baseUrl).searchParams.get('$select')).toBe(
      'id,userPrincipalName,mail,displayName',
    );
    expect(kinds.every((k) => k === 'other')).toBe(true);
  });

  it('never sends its token to a host other than Graph’s, even when a nextLink points there', async () => {
    script = () => ({
      status: 200,
      body: { value: [], '@odata.nextLink': 'https://attacker.example/v1.0/users?$skiptoken=1' },
    });
    const consume = async () => {
      for await (const u of adapter().listUsers()) void u;
    };
    await expect(consume()).rejects.toThrow(/another host/);
    expect(seen).toHaveLength(1);
  });

  it('finds a user by id or UPN, falls back to mail, and answers undefined when nobody matches', async () => {
    const ada = {
      id: guid(7),
      userPrincipalName: 'ada@contoso.example',
      mail: 'ada.lovelace@contoso.example',
      displayName: 'Ada',
    };
    script = (r) => {
      if (r.url.startsWith(`/v1.0/users/${guid(7)}?`)) return { status: 200, body: ada };
      if (r.url.startsWith('/v1.0/users?')) {
        const filter = new URL(r.url, baseUrl).searchParams.get('$filter');
        return {
          status: 200,
          body: { value: filter === "mail eq 'ada.lovelace@contoso.example'" ? [ada] : [] },
        };
      }
      return graphError(404, 'Request_ResourceNotFound');
    };
    const graph = adapter();
    expect(await graph.findUser(guid(7))).toEqual(ada);
    expect(await graph.findUser('ada.lovelace@contoso.example')).toEqual(ada);
    expect(await graph.findUser("o'brien@contoso.example")).toBeUndefined();
    expect(new URL(seen.at(-1)!.url, baseUrl).searchParams.get('$filter')).toBe(
      "mail eq 'o''brien@contoso.example'",
    );
    seen = [];
    expect(await graph.findUser('nobody')).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('lists only the user members of a group, across pages', async () => {
    script = (r) =>
      r.url.includes('skiptoken')
        ? { status: 200, body: { value: [{ '@odata.type': '#microsoft.graph.user', id: guid(3) }] } }
        : {
            status: 200,
            body: {
              value: [
                { '@odata.type': '#microsoft.graph.user', id: guid(1) },
                { '@odata.type': '#microsoft.graph.group', id: guid(2) },
              ],
              '@odata.nextLink': `${baseUrl}/v1.0/groups/g1/members?$skiptoken=x`,
            },
          };
    expect(await adapter().listGroupMemberIds('g1')).toEqual([guid(1), guid(3)]);
  });
});

describe('GraphAdapter subscriptions', () => {
  const monitor = { username: 'monitor1@contoso.example', password: 'pw' };
  const sub = { id: 'sub-1', resource: 'x', expirationDateTime: '2026-11-23T11:00:00Z', clientState: 'cs' };

  it('creates a presence subscription as the monitor account', async () => {
    script = () => ({ status: 201, body: { ...sub, changeType: 'updated' } });
    const created = await adapter().subscriptions.create(monitor, {
      userIds: [guid(1), guid(2)],
      notificationUrl: 'https://switchboard.example/api/notifications/graph',
      lifecycleNotificationUrl: 'https://switchboard.example/api/notifications/graph/lifecycle',
      clientState: 'cs',
      expirationDateTime: sub.expirationDateTime,
    });
    expect(created).toEqual(sub);
    expect(seen[0].headers.authorization).toBe('Bearer monitor-token-for-monitor1@contoso.example');
    expect(seen[0].body).toEqual({
      changeType: 'updated',
      resource: `/communications/presences?$filter=id in ('${guid(1)}','${guid(2)}')`,
      notificationUrl: 'https://switchboard.example/api/notifications/graph',
      lifecycleNotificationUrl: 'https://switchboard.example/api/notifications/graph/lifecycle',
      clientState: 'cs',
      expirationDateTime: sub.expirationDateTime,
    });
  });

  it('asks for encrypted resource data when given a certificate', async () => {
    script = () => ({ status: 201, body: sub });
    await adapter().subscriptions.create(monitor, {
      userIds: [guid(1)],
      notificationUrl: 'https://switchboard.example/n',
      clientState: 'cs',
      expirationDateTime: sub.expirationDateTime,
      encryption: { certificateBase64: 'MIIB', certificateId: 'cert-1' },
    });
    expect(seen[0].body).toMatchObject({
      includeResourceData: true,
      encryptionCertificate: 'MIIB',
      encryptionCertificateId: 'cert-1',
    });
  });

  it('renews, reauthorizes and deletes, treating an already deleted subscription as done', async () => {
    script = (r) =>
      r.method === 'PATCH'
        ? { status: 200, body: { ...sub, expirationDateTime: '2026-11-23T12:00:00Z' } }
        : r.method === 'DELETE'
          ? graphError(404, 'ExtensionError')
          : { status: 200 };
    const subs = adapter().subscriptions;
    expect((await subs.renew(monitor, 'sub-1', '2026-11-23T12:00:00Z')).expirationDateTime).toBe(
      '2026-11-23T12:00:00Z',
    );
    await subs.reauthorize(monitor, 'sub-1');
    await subs.delete(monitor, 'sub-1');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'PATCH /v1.0/subscriptions/sub-1',
      'POST /v1.0/subscriptions/sub-1/reauthorize',
      'DELETE /v1.0/subscriptions/sub-1',
    ]);
    expect(seen[0].body).toEqual({ expirationDateTime: '2026-11-23T12:00:00Z' });
  });

  it('surfaces Graph’s 409 for a second subscription of the same monitor', async () => {
    script = () => graphError(409, 'ExtensionError', 'req-409');
    await expect(
      adapter().subscriptions.create(monitor, {
        userIds: [guid(1)],
        notificationUrl: 'https://s.example/n',
        clientState: 'c',
        expirationDateTime: 'x',
      }),
    ).rejects.toMatchObject({ status: 409, requestId: 'req-409' });
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../emulators/common/clock';
import { Directory } from '../../emulators/common/directory';
import { startEntraEmulator, type EntraEmulator } from '../../emulators/entra/server';
import { startTeamsHost, type TeamsHost } from '../../emulators/teams-host';

/** The host page's own server: SSO tokens from the Entra emulator, and the tab and its API proxied unchanged. */
let entra: EntraEmulator;
let upstream: Server;
let host: TeamsHost;
const seen: { url: string; authorization?: string; body: string }[] = [];
const APP_ID_URI = 'api://127.0.0.1/botid-11111111-2222-4333-8444-555555555555';

beforeAll(async () => {
  const directory = new Directory();
  const tenant = directory.addTenant({ displayName: 'Contoso', domain: 'contoso.example' });
  directory.addApp(tenant.id, {
    clientId: '11111111-2222-4333-8444-555555555555',
    displayName: 'Switchboard',
    identifierUris: [APP_ID_URI],
  });
  directory.addUser(tenant.id, {
    id: 'aaaaaaaa-0000-4000-8000-000000000001',
    userPrincipalName: 'ada@contoso.example',
    displayName: 'Ada',
  });
  entra = await startEntraEmulator({ directory, clock: systemClock, port: 0 });
  upstream = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`upstream saw ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  host = await startTeamsHost({
    tabUrl: `http://127.0.0.1:${port}/tab/index.html`,
    entraBaseUrl: entra.baseUrl,
    tenantId: tenant.id,
    clientId: '11111111-2222-4333-8444-555555555555',
    users: [{ userId: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Ada' }],
  });
});

afterAll(async () => {
  await host?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  await entra?.close();
});

const ssoToken = (userId: string) =>
  fetch(new URL('/_host/sso-token', host.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });

it('serves the host page that frames the tab from its own origin', async () => {
  const res = await fetch(host.url);
  const html = await res.text();
  expect(res.status).toBe(200);
  expect(html).toContain('<iframe id="tab"');
  expect(html).toContain('"tabPath":"/tab/index.html"');
  expect(new URL(host.url).hostname).toBe('127.0.0.1');
});

it('hands out Teams SSO tokens the Entra emulator minted for the app', async () => {
  const res = await ssoToken('aaaaaaaa-0000-4000-8000-000000000001');
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const claims = await entra.verifyAccessToken(token, APP_ID_URI);
  expect(claims.oid).toBe('aaaaaaaa-0000-4000-8000-000000000001');
  expect(claims.scp).toBe('access_as_user');
});

it('refuses tokens for users the host does not know', async () => {
  const res = await ssoToken('someone-else');
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UnknownUser');
});

it('proxies the tab and its API with the bearer token and body unchanged', async () => {
  const res = await fetch(new URL('/api/me/reports?x=1', host.url), {
    method: 'POST',
    headers: { Authorization: 'Bearer abc' },
    body: '{"a":1}',
  });
  expect(await res.text()).toBe('upstream saw POST /api/me/reports?x=1');
  expect(seen.at(-1)).toEqual({ url: '/api/me/reports?x=1', authorization: 'Bearer abc', body: '{"a":1}' });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { freePort } from './real-time';

/**
 * Issue 14 item 12 without a browser: the emulated Entra ID requires a user's consent (control API), the server's
 * on-behalf-of is refused with AADSTS65001 and GET /api/me answers consent_required; the authorize page grants
 * consent and sends the user back with a code and the same state, and the tab's next start works.
 */
let emulators: Emulators;
let company: DemoCompany;
let app: RunningSwitchboard;
let redirectUri: string;
const dir = mkdtempSync(join(tmpdir(), 'consent-path-'));

beforeAll(async () => {
  emulators = await startEmulators();
  const port = await freePort();
  company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 4,
    callsPerUser: 1,
  });
  redirectUri = `http://127.0.0.1:${port}/tab/auth-end.html`;
  const config = loadConfig({
    PORT: String(port),
    STORE_URL: `sqlite:${join(dir, 'switchboard.sqlite')}`,
    LOG_LEVEL: 'silent',
  });
  app = await startSwitchboard(
    config,
    {
      ...demoTenantLink(company, emulators, 'switchboard-consent-test'),
      botAuth: { kind: 'playground' },
      secretKey: Buffer.alloc(32, 7),
      appVersion: '0.0.0-consent',
      tabDir: 'tests/integration/bot-tab-fixture',
    },
    silentLogger(),
  );
});

afterAll(async () => {
  await app?.close();
  await emulators?.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = () => company.users[3]!;
const sso = () =>
  emulators.entra.mintTeamsSsoToken({
    tenantId: company.tenantId,
    userId: user().entraId,
    clientId: company.clientId,
  });
const me = async () => {
  const res = await fetch(`${app.baseUrl}/api/me`, { headers: { Authorization: `Bearer ${await sso()}` } });
  return {
    status: res.status,
    body: (await res.json()) as {
      user: { id: string };
      error: { code: string; action?: string; message: string };
    },
  };
};
const consentControl = (method: 'PUT' | 'DELETE') =>
  fetch(`${emulators.entra.baseUrl}/_control/consent-required`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenantId: company.tenantId, clientId: company.clientId, userId: user().entraId }),
  });
const authorizeUrl = (params: Record<string, string>) => {
  const url = new URL(`${emulators.entra.baseUrl}/${company.tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({
    client_id: company.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile offline_access https://graph.microsoft.com/.default',
    prompt: 'consent',
    state: 'a1b2c3',
    login_hint: user().userPrincipalName,
    ...params,
  }))
    url.searchParams.set(k, v);
  return url;
};

it('answers /api/me as usual while the user has consented', async () => {
  const res = await me();
  expect(res.status).toBe(200);
  expect(res.body.user.id).toBe(user().entraId);
});

it('maps Entra refusing on-behalf-of (AADSTS65001) to consent_required, which the tab acts on', async () => {
  expect((await consentControl('PUT')).status).toBe(204);
  // What the server is refused: the documented error shape.
  const refused = await fetch(emulators.entra.tokenEndpoint(company.tenantId), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: company.clientId,
      client_secret: company.clientSecret,
      assertion: await sso(),
      scope: 'https://graph.microsoft.com/User.Read',
    }),
  });
  const entra = (await refused.json()) as Record<string, unknown>;
  expect(refused.status).toBe(400);
  expect(entra).toMatchObject({ error: 'invalid_grant', suberror: 'consent_required', error_codes: [65001] });
  expect(String(entra.error_description)).toMatch(/^AADSTS65001: /);

  const res = await me();
  expect(res.status).toBe(403);
  expect(res.body.error).toMatchObject({ code: 'consent_required', action: 'consent_required' });
  expect(res.body.error.message).not.toMatch(/AADSTS|invalid_grant/);
});

it('shows a consent page, and Accept grants consent and returns the code with the same state', async () => {
  await consentControl('PUT');
  const page = await fetch(authorizeUrl({}));
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Permissions requested');
  expect(html).toContain(user().userPrincipalName);
  expect(html).toContain('name="state" value="a1b2c3"');

  const form = new URLSearchParams({
    client_id: company.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid https://graph.microsoft.com/.default',
    state: 'a1b2c3',
    login_hint: user().userPrincipalName,
    decision: 'accept',
  });
  const answer = await fetch(`${emulators.entra.baseUrl}/${company.tenantId}/oauth2/v2.0/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
  expect(back.searchParams.get('state')).toBe('a1b2c3');
  expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  expect((await me()).status).toBe(200);
});

it('sends Cancel back as access_denied (AADSTS65004), and the user still has to consent', async () => {
  await consentControl('PUT');
  const answer = await fetch(`${emulators.entra.baseUrl}/${company.tenantId}/oauth2/v2.0/authorize`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: company.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 'zz',
      login_hint: user().entraId,
      decision: 'cancel',
    }),
    redirect: 'manual',
  });
  const back = new URL(answer.headers.get('location')!);
  expect(back.searchParams.get('error')).toBe('access_denied');
  expect(back.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
  expect(back.searchParams.get('state')).toBe('zz');
  expect((await me()).status).toBe(403);
  await consentControl('DELETE');
  expect((await me()).status).toBe(200);
});

it('never sends anyone to a redirect URI the app did not register, nor for an unknown app', async () => {
  const wrong = await fetch(authorizeUrl({ redirect_uri: 'https://evil.example/steal' }), {
    redirect: 'manual',
  });
  expect(wrong.status).toBe(400);
  expect(wrong.headers.get('location')).toBeNull();
  expect(await wrong.text()).toContain('AADSTS50011');
  const unknown = await fetch(authorizeUrl({ client_id: '00000000-0000-4000-8000-000000000000' }));
  expect(unknown.status).toBe(400);
  expect(await unknown.text()).toContain('AADSTS700016');
});

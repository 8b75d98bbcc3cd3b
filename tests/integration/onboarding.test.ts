import restify, { type Server } from 'restify';
import { startEmulators, type Emulators } from '../../emulators/index';
import { seedHostedDemo, type HostedDemo } from '../../emulators/seed/hosted';
import { createLogger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { ONBOARD_COOKIE, mountOnboardRoutes } from '../../bot/http/onboard-routes';
import { CallerThrottle } from '../../bot/http/rate-limit';
import { listen } from '../../bot/server';
import { ONBOARD_STATE_TTL_MS, Onboarding } from '../../bot/services/onboarding';
import { browse, submit } from './multi-tenant-fixture';

/**
 * Onboarding through Entra admin consent, against the Entra emulator with the hosted demo's two customers: the
 * redirect out, the customer's admin consenting (or not) on Entra's pages, and every way the way back can go wrong.
 */
let emulators: Emulators;
let hosted: HostedDemo;
let store: Store;
let server: Server;
let baseUrl: string;
let skewMs = 0;
const lines: Record<string, unknown>[] = [];
const activated: string[] = [];

beforeAll(async () => {
  emulators = await startEmulators();
  store = await openStore('sqlite::memory:');
  server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
  // The server listens before the app registration can name its callback address; routes are mounted after.
  baseUrl = await listen(server, 0, '127.0.0.1');
  hosted = seedHostedDemo(emulators, {
    publicBaseUrl: baseUrl,
    redirectUris: [`${baseUrl}/onboard/callback`],
    users: 3,
    callsPerUser: 0,
  });
  const onboarding = new Onboarding({
    registry: store.tenantRegistry(),
    authorityHost: emulators.entra.baseUrl,
    clientId: hosted.provider.clientId,
    clientSecret: () => hosted.provider.clientSecret,
    publicBaseUrl: baseUrl,
    logger,
    now: () => Date.now() + skewMs,
    activate: async (tenantId) => void activated.push(tenantId),
  });
  mountOnboardRoutes(server, {
    onboarding,
    logger,
    limiter: new CallerThrottle({ burst: 1000, perSecond: 100 }),
    publicBaseUrl: baseUrl,
  });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
  await emulators.close();
});

/** GET /onboard as a browser: where it is sent, and the cookie it keeps. */
async function start() {
  const res = await fetch(`${baseUrl}/onboard`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /^([^;]+)/.exec(setCookie)![1]!;
  return { location: res.headers.get('location')!, setCookie, cookie };
}

/** The admin on Entra's pages: picks an account, then accepts or cancels; resolves where Entra sends the browser. */
async function consent(location: string, tenantId: string, userId: string, decision: 'accept' | 'cancel') {
  const picker = await browse(location);
  expect(picker.status).toBe(200);
  const page = await submit(location, picker, { login: `${tenantId}:${userId}` });
  expect(page.status).toBe(200);
  const back = await submit(location, page, { decision });
  expect(back.status).toBe(302);
  return back.location!;
}

async function callback(url: string, cookie?: string) {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const stateOf = (url: string) => new URL(url).searchParams.get('state')!;

describe('onboarding through admin consent', () => {
  it('sends the admin to the v2 admin consent of any organisation, with a fresh state bound to the browser', async () => {
    const a = await start();
    const b = await start();
    const to = new URL(a.location);
    expect(`${to.origin}${to.pathname}`).toBe(`${emulators.entra.baseUrl}/organizations/v2.0/adminconsent`);
    expect(Object.fromEntries(to.searchParams)).toEqual({
      client_id: hosted.provider.clientId,
      redirect_uri: `${baseUrl}/onboard/callback`,
      scope: 'https://graph.microsoft.com/.default',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(stateOf(b.location)).not.toBe(stateOf(a.location));
    expect(a.cookie).not.toBe(b.cookie);
    // Loopback http in this test: no Secure flag, which browsers would refuse on http.
    expect(a.setCookie).toMatch(
      new RegExp(`^${ONBOARD_COOKIE}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=/onboard; HttpOnly; SameSite=Lax$`),
    );
    // Neither the state nor the cookie is stored as it is.
    const raw = JSON.stringify(await store.tenantRegistry().takeOnboardingState(stateOf(a.location)));
    expect(raw).toBeUndefined();
  });

  it('registers a customer once its admin consented and Entra issues the app a token there', async () => {
    const [northwind] = hosted.companies;
    const { location, cookie } = await start();
    const back = await consent(location, northwind!.tenantId, northwind!.globalAdminId, 'accept');
    expect(back.startsWith(`${baseUrl}/onboard/callback?`)).toBe(true);
    const page = await callback(back, cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your organisation is set up');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('set-cookie')).toMatch(new RegExp(`^${ONBOARD_COOKIE}=; Max-Age=0`));
    expect(await store.tenantRegistry().get(northwind!.tenantId)).toMatchObject({
      state: 'active',
      onboardedBy: 'admin-consent',
      offboardedAt: null,
    });
    expect(activated).toContain(northwind!.tenantId);
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: 'tenant.onboarded',
        tenantId: northwind!.tenantId,
        correlationId: page.headers.get('x-request-id'),
      }),
    );

    // The same answer again (a replay, or the back button) is refused: a state works once.
    const replay = await callback(back, cookie);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('This sign-up link is not valid');
  });

  it('says plainly that consent was declined, with the AADSTS code, and registers nothing', async () => {
    const [, fabrikam] = hosted.companies;
    const { location, cookie } = await start();
    const back = await consent(location, fabrikam!.tenantId, fabrikam!.globalAdminId, 'cancel');
    expect(new URL(back).searchParams.get('error')).toBe('consent_required');
    const page = await callback(back, cookie);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Consent was declined');
    expect(page.html).toContain('<code>AADSTS65004</code>');
    // Entra's trace lines (timestamps, trace ids) are not repeated to the admin.
    expect(page.html).not.toContain('Trace ID');
    expect(await store.tenantRegistry().get(fabrikam!.tenantId)).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: 'tenant.onboard_failed',
        code: 'consent_declined',
        aadsts: 'AADSTS65004',
      }),
    );
  });

  it('refuses a forged answer naming a tenant that never consented: Entra issues no token there', async () => {
    const [, fabrikam] = hosted.companies;
    const { location, cookie } = await start();
    // A valid state and cookie, but the browser skipped Entra and wrote the answer itself.
    const forged = `${baseUrl}/onboard/callback?admin_consent=True&tenant=${fabrikam!.tenantId}&state=${stateOf(location)}`;
    const page = await callback(forged, cookie);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Your organisation has not granted Switchboard access');
    expect(page.html).toContain('AADSTS700016');
    expect(await store.tenantRegistry().get(fabrikam!.tenantId)).toBeUndefined();
  });

  it('refuses a missing, made-up, expired or other-browser state before looking at the answer', async () => {
    const [northwind] = hosted.companies;
    const answer = (state: string) =>
      `${baseUrl}/onboard/callback?admin_consent=True&tenant=${northwind!.tenantId}&state=${encodeURIComponent(state)}`;
    const first = await start();
    expect((await callback(answer(stateOf(first.location)))).html).toContain(
      'This sign-up link is incomplete',
    );
    expect((await callback(`${baseUrl}/onboard/callback?admin_consent=True`, first.cookie)).status).toBe(400);
    expect((await callback(answer('made-up-state'), first.cookie)).html).toContain(
      'This sign-up link is not valid',
    );

    const other = await start();
    const wrongBrowser = await callback(answer(stateOf(other.location)), first.cookie);
    expect(wrongBrowser.html).toContain('This sign-up was started in another browser');
    // That attempt used the state up: its own browser cannot finish it either.
    expect((await callback(answer(stateOf(other.location)), other.cookie)).html).toContain('not valid');

    const late = await start();
    skewMs = ONBOARD_STATE_TTL_MS + 1000;
    try {
      const expired = await callback(answer(stateOf(late.location)), late.cookie);
      expect(expired.status).toBe(400);
      expect(expired.html).toContain('This sign-up link has expired');
    } finally {
      skewMs = 0;
    }
    const codes = lines.filter((l) => l.event === 'tenant.onboard_failed').map((l) => l.code);
    expect(codes).toEqual(
      expect.arrayContaining(['state_missing', 'state_unknown', 'state_other_browser', 'state_expired']),
    );
  });

  it('echoes nothing it was sent: an error description with markup shows as the code only', async () => {
    const { location, cookie } = await start();
    const evil =
      `${baseUrl}/onboard/callback?error=<script>alert(1)</script>&error_description=` +
      encodeURIComponent('AADSTS50011: <img src=x onerror=alert(1)>') +
      `&state=${stateOf(location)}`;
    const page = await callback(evil, cookie);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Microsoft could not complete the consent');
    expect(page.html).toContain('<code>AADSTS50011</code>');
    expect(page.html).not.toMatch(/<script|<img|onerror/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('limits each address strictly, and marks the cookie Secure when the public address is https', async () => {
    const strict = restify.createServer({ handleUncaughtExceptions: false });
    strict.use(restify.plugins.queryParser({ mapParams: false }));
    const strictUrl = await listen(strict, 0, '127.0.0.1');
    mountOnboardRoutes(strict, {
      onboarding: new Onboarding({
        registry: store.tenantRegistry(),
        authorityHost: emulators.entra.baseUrl,
        clientId: hosted.provider.clientId,
        clientSecret: () => hosted.provider.clientSecret,
        publicBaseUrl: 'https://switchboard.hosting.example',
        logger: createLogger('silent'),
        now: Date.now,
      }),
      logger: createLogger('silent'),
      limiter: new CallerThrottle({ burst: 3, perSecond: 1 / 60 }),
      publicBaseUrl: 'https://switchboard.hosting.example',
    });
    try {
      const first = await fetch(`${strictUrl}/onboard`, { redirect: 'manual' });
      expect(first.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
      expect(new URL(first.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
        'https://switchboard.hosting.example/onboard/callback',
      );
      await fetch(`${strictUrl}/onboard`, { redirect: 'manual' });
      // The callback draws on the same budget: a script cannot guess states at leisure.
      expect((await fetch(`${strictUrl}/onboard/callback?state=x`)).status).toBe(400);
      const refused = await fetch(`${strictUrl}/onboard`, { redirect: 'manual' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${strictUrl}/onboard/callback?state=x`)).status).toBe(429);
    } finally {
      await new Promise<void>((r) => strict.close(() => r()));
    }
  });
});

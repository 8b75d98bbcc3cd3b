import { startEmulators, type Emulators } from '../../emulators/index';
import { HOSTED_PERMISSIONS, seedHostedDemo, type HostedDemo } from '../../emulators/seed/hosted';
import type { SeededCompany } from '../../emulators/seed/demo';
import { loadConfig, type Config } from '../../shared/config/load';
import { createLogger } from '../../shared/platform/logger';
import { startHostedSwitchboard, type RunningHostedSwitchboard } from '../../bot/hosted-app';
import { browse, submit } from './multi-tenant-fixture';
import { freePort } from './real-time';

/**
 * A hosted Switchboard in-process on 127.0.0.1 against the emulators with the hosted demo (a partner and two customer
 * companies, Northwind and Fabrikam, neither onboarded yet), on real time, with its log lines kept for the test.
 */
export interface HostedWorld {
  emulators: Emulators;
  hosted: HostedDemo;
  app: RunningHostedSwitchboard;
  config: Config;
  /** The environment the server's configuration was loaded from (what the operator CLI is run with). */
  env: Record<string, string>;
  lines: Record<string, unknown>[];
  close(): Promise<void>;
}

export const SECRET_KEY = Buffer.alloc(32, 7);

export async function startHostedWorld(
  opts: {
    env?: Record<string, string>;
    users?: number;
    tenantRefreshMs?: number;
    tenantNameRetryMs?: number;
    registryStaleMs?: number;
    /** The built tab for browser tests (default: a stand-in page). */
    tabDir?: string;
  } = {},
): Promise<HostedWorld> {
  const emulators = await startEmulators();
  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const hosted = seedHostedDemo(emulators, {
    publicBaseUrl,
    redirectUris: [`${publicBaseUrl}/onboard/callback`],
    users: opts.users ?? 6,
    callsPerUser: 3,
  });
  const env: Record<string, string> = {
    TENANCY: 'hosted',
    PORT: String(port),
    STORE_URL: 'sqlite::memory:',
    PUBLIC_BASE_URL: publicBaseUrl,
    ALLOW_HTTP_PUBLIC_BASE_URL: 'true',
    CLIENT_ID: hosted.provider.clientId,
    CLIENT_SECRET: hosted.provider.clientSecret,
    BOT_ID: hosted.provider.clientId,
    BOT_PASSWORD: hosted.provider.clientSecret,
    SECRET_KEY: SECRET_KEY.toString('base64'),
    AUTHORITY_HOST: emulators.entra.baseUrl,
    GRAPH_BASE_URL: emulators.graph.baseUrl,
    CLOUDLINK_API_BASE: hosted.companies[0]!.cloudlink.apiBase,
    SYNC_MODE: 'notifications',
    ...opts.env,
  };
  const config = loadConfig(env);
  const lines: Record<string, unknown>[] = [];
  const app = await startHostedSwitchboard(
    config,
    {
      clientId: hosted.provider.clientId,
      clientSecret: hosted.provider.clientSecret,
      clientSecretExpiresAt: hosted.provider.clientSecretExpiresAt,
      appIdUri: hosted.provider.appIdUri,
      // Activities without a channel token from a loopback serviceUrl: the tests post them as Teams would.
      botAuth: { kind: 'playground' },
      secretKey: SECRET_KEY,
      appVersion: '0.0.0-test',
      tabDir: opts.tabDir ?? 'tests/integration/bot-tab-fixture',
      tenantRefreshMs: opts.tenantRefreshMs ?? 200,
      registryStaleMs: opts.registryStaleMs,
      tenantNameRetryMs: opts.tenantNameRetryMs,
    },
    createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) }),
  );
  return {
    emulators,
    hosted,
    app,
    config,
    env,
    lines,
    async close() {
      await app.close();
      await emulators.close();
    },
  };
}

/** A customer's Global Administrator signs the company up: GET /onboard, Entra's consent pages, the callback. */
export async function onboard(world: HostedWorld, company: SeededCompany): Promise<string> {
  const start = await fetch(`${world.app.baseUrl}/onboard`, { redirect: 'manual' });
  const cookie = /^([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1]!;
  const location = start.headers.get('location')!;
  const picker = await browse(location);
  const page = await submit(location, picker, { login: `${company.tenantId}:${company.globalAdminId}` });
  const back = await submit(location, page, { decision: 'accept' });
  const res = await fetch(back.location!, { redirect: 'manual', headers: { Cookie: cookie } });
  return res.text();
}

/** The company's admin granted the hosted app its permissions at Entra, without signing up at Switchboard. */
export function consentAtEntra(world: HostedWorld, company: SeededCompany): void {
  world.emulators.directory.grantAdminConsent(company.tenantId, world.hosted.provider.clientId, {
    application: [...HOSTED_PERMISSIONS.application],
    delegated: [...HOSTED_PERMISSIONS.delegated],
    by: company.globalAdminId,
    at: world.emulators.clock.now(),
  });
}

/** A Teams SSO token of one of the company's staff (its first admin, or its first other user). */
export function ssoToken(world: HostedWorld, company: SeededCompany, who: 'admin' | 'user'): Promise<string> {
  const user = company.users.find((u) => u.isAdmin === (who === 'admin'))!;
  return world.emulators.entra.mintTeamsSsoToken({
    tenantId: company.tenantId,
    userId: user.entraId,
    clientId: world.hosted.provider.clientId,
  });
}

export async function api(
  world: HostedWorld,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
  const res = await fetch(`${world.app.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the text says what came
  }
  return { status: res.status, text, body: parsed };
}

/** The company's admin links its CloudLink account and adds its first presence monitor on the admin pages. */
export async function linkAndMonitor(world: HostedWorld, company: SeededCompany): Promise<void> {
  const token = await ssoToken(world, company, 'admin');
  const linked = await api(world, 'PUT', '/api/admin/tenant', token, {
    cloudlink: {
      accountId: company.cloudlink.accountId,
      clientId: company.cloudlink.clientId,
      clientSecret: company.cloudlink.clientSecret,
    },
  });
  if (linked.status !== 200) throw new Error(`linking CloudLink failed: ${linked.text}`);
  const monitor = company.monitors[0]!;
  const added = await api(world, 'POST', '/api/admin/monitors', token, {
    username: monitor.username,
    password: monitor.password,
  });
  if (added.status !== 201) throw new Error(`adding a monitor failed: ${added.text}`);
}

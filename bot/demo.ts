/**
 * Demo mode (`npm start` with no TENANT_ID): the bundled emulators with a seeded company, the environment the product
 * runs in against them, and the Teams-like host page that frames the tab. This is the only product file that imports
 * emulators/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Emulators } from '../emulators/index';
import type { DemoCompany } from '../emulators/seed/demo';
import type { Config } from '../shared/config/load';
import type { Logger } from '../shared/platform/logger';
import type { Environment } from './app';
import { ADMIN_ROLE } from './auth/caller';
import type { BotAuth } from './teams/adapter';

const DEV_SECRET_FILE = 'data/dev-secret.key';

export interface Demo {
  /** What startSwitchboard needs to run the product against the emulators as the demo company. */
  env: Environment;
  /** The running emulators and the company seeded in them, for whatever acts as the company's phones and people. */
  emulators: Emulators;
  company: DemoCompany;
  /** Where the seeded reception console gets a token for the presence read API. */
  presenceReaderTokenUrl: string;
  /**
   * Starts the Teams-like host page, on the server's port plus one, framing the tab at `tabUrl` (so after the server
   * is listening).
   */
  startHost(tabUrl: string): Promise<{ url: string; close(): Promise<void> }>;
  /** Stops the emulators and the demo's staff; the host page is closed by whoever started it. */
  stop(): Promise<void>;
}

export async function startDemo(
  config: Config,
  logger: Logger,
  app: { appVersion: string; tabDir: string },
): Promise<Demo> {
  // Imported here, not at the top, so a live deployment never loads test equipment.
  const { startEmulators } = await import('../emulators/index');
  const { seedDemoCompany, demoTenantLink } = await import('../emulators/seed/demo');
  const { startTeamsHost } = await import('../emulators/teams-host/server');
  const { selfSignedCertificate } = await import('../emulators/teams-host/self-signed');
  const emulators = await startEmulators();
  // The demo runs on the world's time: Graph delivers presence notifications as Microsoft documents it (seconds,
  // a tail to a minute, some never), CloudLink's webhooks take a moment too, so what the demo shows is what a
  // company would see (emulators/common/latency.ts).
  emulators.graph.control.configureDelivery({ latency: { kind: 'graphPresence' } });
  emulators.cloudlink.control.setDelivery({ latency: { kind: 'uniform', minMs: 100, maxMs: 500 } });
  // A fixed port, the server's plus one, so a bookmarked demo survives a restart; with PORT=0 the host takes any.
  const hostPort = config.port === 0 ? 0 : config.port + 1;
  const company = await seedDemoCompany(emulators, {
    publicBaseUrl: config.publicBaseUrl,
    // The consent window returns to the tab's auth-end page at the host's address (the host proxies the tab).
    redirectUris: hostPort ? [`https://127.0.0.1:${hostPort}/tab/auth-end.html`] : [],
  });
  const { startLivePresence } = await import('../emulators/seed/live-presence');
  // Staff in meetings, Teams calls and phone calls, changing over time, so the sync is seen working both ways; the
  // admins are left alone so the host page's controls show their own changes clearly.
  const stopCalls =
    config.demoCallIntervalMs > 0
      ? startLivePresence(emulators, {
          people: company.users.filter((u) => !u.isAdmin),
          intervalMs: config.demoCallIntervalMs,
        })
      : () => undefined;
  logger.info(
    {
      entra: emulators.entra.baseUrl,
      graph: emulators.graph.baseUrl,
      cloudlink: emulators.cloudlink.baseUrl,
    },
    'demo emulators started',
  );
  const admin = company.users.find((u) => u.isAdmin) ?? company.users[0];
  // Outside the playground the bot checks Bot Framework tokens against the Entra emulator, so unsigned posts fail.
  const botAuth: BotAuth = config.localPlayground
    ? { kind: 'playground' }
    : {
        kind: 'customIssuer',
        appId: company.botId,
        password: company.clientSecret,
        openIdMetadataUrl: `${emulators.entra.baseUrl}/${company.tenantId}/v2.0/.well-known/openid-configuration`,
        issuer: emulators.entra.issuer(company.tenantId),
        loginUrl: `${emulators.entra.baseUrl}/${company.tenantId}`,
      };
  const env: Environment = {
    ...demoTenantLink(company, emulators, config.cloudlink.appId),
    botAuth,
    secretKey: config.secretKey ?? devSecretKey(),
    // The playground's mock user is nobody in the demo directory: the bot treats it as the demo admin.
    identityOverride:
      config.localPlayground && admin
        ? { tenantId: company.tenantId, userId: admin.entraId, displayName: admin.displayName }
        : undefined,
    // ...and signed in as that admin, so the admin-notice flow (claiming a channel, Acknowledge, Resolve) works there.
    identityRoles: config.localPlayground && admin ? [ADMIN_ROLE] : undefined,
    appVersion: app.appVersion,
    tabDir: app.tabDir,
    tabSourceMaps: true,
    // No Teams here to deep-link into: "Open call history" opens the Teams-like host page, which shows the tab.
    ...(hostPort ? { callHistoryUrl: `https://127.0.0.1:${hostPort}/` } : {}),
  };
  return {
    env,
    emulators,
    company,
    presenceReaderTokenUrl: emulators.entra.tokenEndpoint(company.tenantId),
    startHost: (tabUrl: string) =>
      startTeamsHost({
        tabUrl,
        port: hostPort,
        // https, because teams-js opens the consent window only for https pages (see self-signed.ts).
        tls: selfSignedCertificate(),
        entraBaseUrl: emulators.entra.baseUrl,
        tenantId: company.tenantId,
        clientId: company.clientId,
        users: company.users.map((u) => ({
          userId: u.entraId,
          displayName: `${u.displayName}${u.isAdmin ? ' (admin)' : ''}`,
          principalId: u.principalId,
        })),
        controls: { cloudlinkBaseUrl: emulators.cloudlink.baseUrl, graphBaseUrl: emulators.graph.baseUrl },
      }),
    async stop() {
      stopCalls();
      await emulators.close();
    },
  };
}

/** Demo mode keeps one generated key in data/, so secrets sealed in the demo store stay readable across restarts. */
function devSecretKey(): Buffer {
  if (!existsSync(DEV_SECRET_FILE)) {
    mkdirSync(dirname(DEV_SECRET_FILE), { recursive: true });
    writeFileSync(DEV_SECRET_FILE, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(DEV_SECRET_FILE, 'utf8').trim(), 'base64');
}

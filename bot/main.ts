/**
 * `npm start`: the composition root. Reads the configuration, and in demo mode (no TENANT_ID) starts the bundled
 * emulators with a seeded company, so the whole product runs offline; then starts the server. This is the only
 * product file that imports emulators/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, ConfigError, type Config } from '../shared/config/load';
import { createProcessLogger, LogTap, type Logger } from '../shared/platform/logger';
import { startSwitchboard, type Environment, type RunningSwitchboard } from './app';
import { startHostedSwitchboard, type HostedEnvironment } from './hosted-app';
import type { BotAuth } from './teams/adapter';

const APP_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const TAB_DIR = 'tab/dist';
const DEV_SECRET_FILE = 'data/dev-secret.key';

async function main(): Promise<void> {
  const config = loadConfig();
  const logTap = new LogTap();
  const logger = createProcessLogger(config.logLevel, config.logFormat, process.stdout, logTap);
  // A stray rejection in a background task (a notice, a webhook follow-up) must be logged, not end the process.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const stops: (() => Promise<void>)[] = [];
  let running: RunningSwitchboard;
  const lines: string[] = [];

  if (config.tenancy === 'hosted') {
    const hosted = await startHostedSwitchboard(config, hostedEnvironment(config), logger, logTap);
    running = hosted;
    lines.push(
      `Switchboard ${APP_VERSION} hosted mode serves ${hosted.tenants.ids().length} tenants at ${config.publicBaseUrl}`,
      `  Customers' admins sign up at ${config.publicBaseUrl}/onboard`,
    );
  } else if (config.mode === 'live') {
    running = await startSwitchboard(config, liveEnvironment(config), logger, logTap);
    lines.push(`Switchboard ${APP_VERSION} serves tenant ${config.tenantId} at ${config.publicBaseUrl}`);
  } else {
    const demo = await startDemo(config, logger);
    stops.push(demo.stop);
    running = await startSwitchboard(config, demo.env, logger, logTap);
    // The host page frames the tab the way Teams does; it needs the server's tab URL, so it starts last. It has a
    // fixed port, the server's plus one, so a bookmarked demo survives a restart.
    const host = await demo.startHost(`${running.baseUrl}/tab/index.html`);
    stops.push(host.close);
    lines.push(
      `Switchboard ${APP_VERSION} demo (emulated Microsoft 365 and CloudLink, nothing leaves this machine)`,
      `  Tab in a Teams-like host: ${host.url}`,
      `  Health:                   ${running.baseUrl}/healthz`,
      `  Presence read API:        ${running.baseUrl}/api/presence (docs/presence-api.md)`,
      `    token endpoint:         ${demo.presenceReaderTokenUrl}`,
      config.localPlayground
        ? `  Bot: run "npm run playground" and chat in the browser it opens (see docs/bot.md)`
        : '  Bot: set LOCAL_PLAYGROUND=true to talk to it with the Agents Playground (see docs/bot.md)',
    );
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await running.close();
      for (const stop of stops.reverse()) await stop();
    } catch (e) {
      logger.error({ err: e }, 'shutdown failed');
      process.exitCode = 1;
    }
    process.exit();
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The partner's app and bot in hosted mode; loadConfig has checked that TENANCY=hosted comes with all of them. */
function hostedEnvironment(config: Config): HostedEnvironment {
  const { clientId, clientSecret, botId, botPassword, secretKey } = config;
  if (!clientId || !clientSecret || !botId || !botPassword || !secretKey)
    throw new ConfigError([
      'TENANCY=hosted needs CLIENT_ID, CLIENT_SECRET, BOT_ID, BOT_PASSWORD and SECRET_KEY',
    ]);
  return {
    clientId,
    clientSecret,
    clientSecretExpiresAt: config.clientSecretExpiresAt ?? null,
    appIdUri: appIdUriOf(config, clientId),
    botAuth: { kind: 'botFramework', appId: botId, password: botPassword },
    secretKey,
    appVersion: APP_VERSION,
    tabDir: TAB_DIR,
  };
}

function appIdUriOf(config: Config, clientId: string): string {
  return config.appIdUri ?? `api://${new URL(config.publicBaseUrl).host}/botid-${clientId}`;
}

function liveEnvironment(config: Config): Environment {
  // loadConfig guarantees these in live mode; the checks narrow the types.
  const { tenantId, clientId, clientSecret, botId, botPassword, secretKey } = config;
  if (!tenantId || !clientId || !clientSecret || !botId || !botPassword || !secretKey)
    throw new ConfigError([
      'live mode needs TENANT_ID, CLIENT_ID, CLIENT_SECRET, BOT_ID, BOT_PASSWORD and SECRET_KEY',
    ]);
  const { accountId, clientId: clClientId, clientSecret: clSecret } = config.cloudlink;
  return {
    tenantId: tenantId.toLowerCase(),
    tenantName: tenantId,
    clientId,
    clientSecret,
    clientSecretExpiresAt: config.clientSecretExpiresAt ?? null,
    appIdUri: appIdUriOf(config, clientId),
    authorityHost: config.authorityHost,
    graphBaseUrl: config.graphBaseUrl,
    cloudlink:
      accountId && clClientId && clSecret
        ? {
            apiBase: config.cloudlink.apiBase,
            accountId,
            clientId: clClientId,
            clientSecret: clSecret,
            appId: config.cloudlink.appId,
          }
        : undefined,
    botAuth: config.localPlayground
      ? { kind: 'playground' }
      : { kind: 'botFramework', appId: botId, password: botPassword },
    secretKey,
    appVersion: APP_VERSION,
    tabDir: TAB_DIR,
  };
}

async function startDemo(config: Config, logger: Logger) {
  // Loaded only here, so a live deployment never loads test equipment.
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
    appVersion: APP_VERSION,
    tabDir: TAB_DIR,
    tabSourceMaps: true,
    // No Teams here to deep-link into: "Open call history" opens the Teams-like host page, which shows the tab.
    ...(hostPort ? { callHistoryUrl: `https://127.0.0.1:${hostPort}/` } : {}),
  };
  return {
    env,
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

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});

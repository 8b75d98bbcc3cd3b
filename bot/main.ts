/**
 * `npm start`: the composition root. Reads the configuration, and in demo mode (no TENANT_ID) starts the bundled
 * emulators with a seeded company (bot/demo.ts, the only product file that imports emulators/), so the whole product
 * runs offline; then starts the server.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError, type Config } from '../shared/config/load';
import { createProcessLogger, LogTap } from '../shared/platform/logger';
import { startSwitchboard, type Environment, type RunningSwitchboard } from './app';
import { startDemo } from './demo';
import { startHostedSwitchboard, type HostedEnvironment } from './hosted-app';

const APP_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const TAB_DIR = 'tab/dist';

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
    const demo = await startDemo(config, logger, { appVersion: APP_VERSION, tabDir: TAB_DIR });
    stops.push(demo.stop);
    running = await startSwitchboard(config, demo.env, logger, logTap);
    // The host page frames the tab the way Teams does; it needs the server's tab URL, so it starts last.
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

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});

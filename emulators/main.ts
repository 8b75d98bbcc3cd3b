/**
 * `npm run emulators`: the three emulators alone, seeded with the demo company, for trying the adapters or a
 * separately started server against them. Prints the base URLs to put in the environment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startEmulators } from './index';
import { seedDemoCompany } from './seed/demo';

async function main(): Promise<void> {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const emulators = await startEmulators({
    ports: { entra: port('ENTRA_PORT', 4001), graph: port('GRAPH_PORT', 4002), cloudlink: port('CLOUDLINK_PORT', 4003) },
  });
  const demo = await seedDemoCompany(emulators, { publicBaseUrl: process.env.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3978' });
  // The demo's secrets go to a file only the owner can read, never to the terminal.
  const env = {
    AUTHORITY_HOST: emulators.entra.baseUrl,
    GRAPH_BASE_URL: emulators.graph.baseUrl,
    CLOUDLINK_API_BASE: emulators.cloudlink.apiBase,
    TENANT_ID: demo.tenantId,
    CLIENT_ID: demo.clientId,
    CLIENT_SECRET: demo.clientSecret,
    APP_ID_URI: demo.appIdUri,
    BOT_ID: demo.botId,
    BOT_PASSWORD: randomBytes(16).toString('hex'),
    CLOUDLINK_ACCOUNT_ID: demo.cloudlink.accountId,
    CLOUDLINK_CLIENT_ID: demo.cloudlink.clientId,
    CLOUDLINK_CLIENT_SECRET: demo.cloudlink.clientSecret,
    SECRET_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'http://127.0.0.1:3978',
  };
  mkdirSync('data', { recursive: true });
  writeFileSync('data/emulators.env', Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const lines = [
    'Switchboard emulators are up (127.0.0.1 only):',
    `  Entra ID   ${emulators.entra.baseUrl}`,
    `  Graph      ${emulators.graph.baseUrl}`,
    `  CloudLink  ${emulators.cloudlink.apiBase}`,
    'The settings a separately started server needs (with the demo secrets) are in data/emulators.env:',
    '  set -a; . data/emulators.env; set +a; npx tsx bot/main.ts',
    '',
    `Demo company: ${demo.users.length} users. Test controls: ${emulators.graph.baseUrl}/_control, ${emulators.cloudlink.baseUrl}/_control`,
    'Ctrl+C stops them.',
  ];
  console.log(lines.join('\n'));
  const stop = async () => {
    await emulators.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * `npm run emulators`: the three emulators alone, seeded with the demo company, for trying the adapters or a
 * separately started server against them. Prints the base URLs to put in the environment.
 */
import { startEmulators } from './index';
import { seedDemoCompany } from './seed/demo';

async function main(): Promise<void> {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const emulators = await startEmulators({
    ports: { entra: port('ENTRA_PORT', 4001), graph: port('GRAPH_PORT', 4002), cloudlink: port('CLOUDLINK_PORT', 4003) },
  });
  const demo = await seedDemoCompany(emulators, { publicBaseUrl: process.env.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3978' });
  const lines = [
    'Switchboard emulators are up (127.0.0.1 only). Point a server at them with:',
    `  AUTHORITY_HOST=${emulators.entra.baseUrl}`,
    `  GRAPH_BASE_URL=${emulators.graph.baseUrl}`,
    `  CLOUDLINK_API_BASE=${emulators.cloudlink.apiBase}`,
    `  TENANT_ID=${demo.tenantId}`,
    `  CLIENT_ID=${demo.clientId}`,
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

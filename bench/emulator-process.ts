/**
 * The benchmark's emulators, in a process of their own so that the benchmark process measures the sync engine's
 * memory alone. Seeds the bench world (one tenant, N users, their monitors, the PBX account and users), prints one
 * line of JSON (`EmulatorWorld`) on stdout, then takes control only over the emulators' HTTP `/_control` APIs.
 * Exits when the parent closes its stdin or sends SIGTERM.
 *
 *   tsx bench/emulator-process.ts --users=5000 --graph-latency-ms=50 --cloudlink-rate=200
 *
 * With `--tenants=N` it seeds the hosted world instead (bench/hosted-seed.ts: N customer tenants of `--users` each)
 * and prints a `HostedEmulatorWorld`.
 */
import { Directory } from '../emulators/common/directory';
import { startEmulators, type Emulators } from '../emulators';
import { seedHostedBench } from './hosted-seed';

export const BENCH_SECRET = 'bench-secret';
export const MONITOR_PASSWORD = 'Monitor-pw1';

export interface EmulatorWorld {
  pid: number;
  entraBaseUrl: string;
  graphBaseUrl: string;
  cloudlinkBaseUrl: string;
  cloudlinkApiBase: string;
  tenantId: string;
  clientId: string;
  accountId: string;
  cloudlinkClientId: string;
  cloudlinkClientSecret: string;
  /** Entra user id, UPN, display name of each synced user; pbxIds[i] is people[i]'s PBX principal. */
  people: { id: string; upn: string; displayName: string }[];
  pbxIds: string[];
  monitors: number;
}

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
}

async function main() {
  const users = arg('users', 300);
  const tenants = arg('tenants', 0);
  const directory = new Directory();
  const seedSingle = tenants > 0 ? undefined : singleTenantDirectory(directory, users);
  const emulators = await startEmulators({ directory });
  emulators.graph.control.setFaults({ latencyMs: arg('graph-latency-ms', 50) });
  if (process.argv.includes('--realistic-delivery')) {
    // Graph: what Microsoft documents for presence notifications (emulators/common/latency.ts). CloudLink documents
    // no delivery time; a tenth to half a second is our assumption for a webhook through its cloud.
    emulators.graph.control.configureDelivery({ latency: { kind: 'graphPresence' }, latencySeed: 13 });
    emulators.cloudlink.control.setDelivery({
      latency: { kind: 'uniform', minMs: 100, maxMs: 500 },
      latencySeed: 17,
    });
  }
  // Explicit, never lifted: CloudLink publishes no numbers, so the bench uses the emulator's stated assumption.
  emulators.cloudlink.control.setRateLimit({ limit: arg('cloudlink-rate', 200), windowMs: 1000 });
  const world = seedSingle
    ? singleTenantWorld(emulators, seedSingle)
    : { pid: process.pid, ...seedHostedBench(emulators, tenants, users) };
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void emulators.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', close);
  process.stdin.on('end', close);
  process.stdin.resume();
  process.stdout.write(JSON.stringify(world) + '\n');
}

/** The single-tenant bench's directory: one tenant, the app, `users` people and a monitor per 650 of them. */
function singleTenantDirectory(directory: Directory, users: number) {
  const tenant = directory.addTenant({ displayName: 'Bench', domain: 'bench.example' });
  const app = directory.addApp(tenant.id, {
    displayName: 'Switchboard',
    secrets: [{ id: 's1', value: BENCH_SECRET, expiresAt: Date.now() + 365 * 86_400_000 }],
    grantedApplicationPermissions: ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'],
    consentedDelegatedPermissions: ['Presence.Read.All'],
  });
  const people = Array.from({ length: users }, (_, i) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `u${i}@bench.example`,
      displayName: `U${i}`,
      mail: `u${i}@bench.example`,
    }),
  );
  const monitors = Math.ceil(users / 650);
  for (let i = 0; i < monitors; i++)
    directory.addUser(tenant.id, {
      userPrincipalName: `monitor${i}@bench.example`,
      displayName: `M${i}`,
      password: MONITOR_PASSWORD,
    });
  return { tenant, app, people, monitors };
}

/** The single-tenant bench's PBX side (one account, a user per person) and the world it prints. */
function singleTenantWorld(
  emulators: Emulators,
  { tenant, app, people, monitors }: ReturnType<typeof singleTenantDirectory>,
): EmulatorWorld {
  const pbx = emulators.cloudlink.pbx;
  const accountId = pbx.addAccount({ name: 'Bench' }).accountId;
  const client = emulators.cloudlink.control.addClient({ accountId });
  const pbxIds = people.map(
    (p, i) =>
      pbx.addUser(accountId, { name: p.displayName, email: p.mail, extension: String(10000 + i) })
        .principalId,
  );
  return {
    pid: process.pid,
    entraBaseUrl: emulators.entra.baseUrl,
    graphBaseUrl: emulators.graph.baseUrl,
    cloudlinkBaseUrl: emulators.cloudlink.baseUrl,
    cloudlinkApiBase: emulators.cloudlink.apiBase,
    tenantId: tenant.id,
    clientId: app.clientId,
    accountId,
    cloudlinkClientId: client.clientId,
    cloudlinkClientSecret: client.clientSecret,
    people: people.map((p) => ({ id: p.id, upn: p.userPrincipalName, displayName: p.displayName })),
    pbxIds,
    monitors,
  };
}

// world.ts imports the types and constants; only a process started on this file runs the emulators (not the bench's
// bundle, which has this module inlined and is its own require.main).
if (require.main === module && __filename.endsWith('emulator-process.ts'))
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });

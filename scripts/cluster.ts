/**
 * `npm run cluster -- --processes 3`: the emulators with the demo company, N Switchboard server processes in live
 * mode on the local PostgreSQL (a schema of their own), and a round-robin proxy in front of them, so a failover can be
 * watched by hand. See docs/admin-guide.md, "Running several processes". Ctrl+C stops everything.
 *
 * Options: --processes N (default 3), --port P (the proxy, default 3978), --users N (default 36),
 * --store postgres://... (default the local test database), --schema NAME (kept after the stop; default a fresh one,
 * dropped), --calls-every MS (the PBX places a random call this often; default 20000, 0 = never), --no-host.
 *
 * `--tenants N` runs hosted mode instead (TENANCY=hosted): N customer tenants onboarded with their CloudLink accounts
 * and monitors (--users staff each, default 4), spread over the processes; each takeover is printed per tenant.
 */
import { startCluster, DEFAULT_PG_URL, type Cluster, type ClusterProcess } from './cluster/index';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function number(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got ${raw})`);
  return n;
}

let tenantName = (id: string) => id;

async function main(): Promise<void> {
  const processes = number('processes', 3);
  const tenants = option('tenants') === undefined ? undefined : number('tenants', 10);
  const hosted = tenants !== undefined;
  const started = Date.now();
  const say = (text: string) =>
    console.log(`[cluster ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
  console.log(
    `Starting the emulators, ${hosted ? `${tenants} customer tenants` : 'the demo company'} and ${processes} ` +
      `Switchboard processes ...`,
  );
  const cluster: Cluster = await startCluster({
    processes,
    proxyPort: number('port', 3978),
    users: option('users') === undefined ? undefined : number('users', 36),
    pgUrl: option('store') ?? DEFAULT_PG_URL,
    schema: option('schema'),
    tenancy: hosted ? 'hosted' : 'single',
    tenants,
    // The Teams-like host page signs in the demo company's people, whom hosted mode does not serve.
    teamsHost: !hosted && !process.argv.includes('--no-host'),
    randomCallIntervalMs: number('calls-every', 20_000),
    onLine: (p: ClusterProcess, line) => {
      const tenant = typeof line.tenantId === 'string' && hosted ? ` of ${tenantName(line.tenantId)}` : '';
      if (line.event === 'sync.owner') say(`${p.name} (pid ${p.pid}) now runs the sync${tenant}`);
      else if (line.event === 'sync.handedOver') say(`${p.name} (pid ${p.pid}) hands over the sync${tenant}`);
      else if (line.event?.startsWith('sync.lease') || line.event === 'sync.fenced')
        say(`${p.name} (pid ${p.pid}): ${line.event}: ${line.msg ?? ''}`);
      else if ((line.level ?? 0) >= 50) say(`${p.name}: ${line.event ?? 'error'}: ${line.msg ?? ''}`);
    },
  });
  const c = cluster;
  const names = new Map(c.hosted?.companies.map((t) => [t.tenantId, t.tenantName]));
  tenantName = (id) => names.get(id) ?? id;
  const owner = c.owner();
  const ownedBy = (p: ClusterProcess) =>
    (c.hosted?.companies ?? []).filter((t) => c.owner(t.tenantId) === p).map((t) => t.tenantName);
  const rows = c.processes.map(
    (p) =>
      `  ${p.name}  pid ${String(p.pid).padEnd(8)} ${p.url}` +
      (hosted
        ? `   owns ${ownedBy(p).join(', ') || 'no tenant yet'}`
        : p === owner
          ? '   <- owns the tenant'
          : ''),
  );
  console.log(
    [
      '',
      `Switchboard cluster: ${c.processes.length} processes on ${c.storeUrl.replace(/\?.*$/, '')} (schema ${c.schema})`,
      ...rows,
      `  Proxy (PUBLIC_BASE_URL, round robin): ${c.proxyUrl}`,
      c.hostUrl ? `  Tab in a Teams-like host:             ${c.hostUrl}` : '  (no Teams-like host page)',
      `  Emulators: Entra ${c.emulators.entra.baseUrl}, Graph ${c.emulators.graph.baseUrl}, CloudLink ${c.emulators.cloudlink.baseUrl}`,
      '',
      owner
        ? `Watch a takeover: kill -9 ${owner.pid}   (or freeze it: kill -STOP ${owner.pid}, later kill -CONT ${owner.pid})`
        : 'No process owns the tenant yet; the owner is printed when one takes it.',
      'The new owner is printed here when it takes the tenant. Ctrl+C stops everything (and drops a generated schema).',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the cluster ...`);
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A process that died (kill -9) stays dead until you restart the cluster: say so once.
  for (const p of c.processes)
    void p.exited.then(() => {
      if (!stopping) say(`${p.name} exited`);
    });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

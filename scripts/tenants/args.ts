/** The command line of `npm run tenants -- …`, read strictly: an unknown option is a mistake, not something to skip. */
export type TenantsCommand =
  | { kind: 'list'; json: boolean }
  | { kind: 'offboard'; tenantId: string; by: string | undefined; force: boolean }
  | { kind: 'help' };

export const USAGE = `Usage:
  npm run tenants -- list [--json]
      The hosted tenants: id, name, state, when and by whom onboarded and offboarded.
  npm run tenants -- offboard <tenantId> [--by <name>] [--force]
      Stops serving the tenant, deletes its Graph and CloudLink subscriptions, clears its sign-ins and
      deletes its data, and records who offboarded it when (--by, default the OS user). Running it again
      finishes what an earlier run left. --force deletes the data even if a subscription could not be deleted.
Reads the same configuration as the server (environment, CONFIG_FILE): STORE_URL, SECRET_KEY, the Entra,
Graph and CloudLink addresses and PUBLIC_BASE_URL. Exit codes: 0 done, 1 something failed (the summary says
what is left), 2 wrong usage or unknown tenant.`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): TenantsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { kind: 'help' };
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--by') {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--by needs a name');
      values.set('by', value);
    } else if (arg.startsWith('--by=')) values.set('by', arg.slice('--by='.length));
    else if (arg.startsWith('--')) flags.add(arg);
    else positional.push(arg);
  }
  const allow = (...known: string[]) => {
    const unknown = [...flags].filter((f) => !known.includes(f));
    if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(', ')} for ${command}`);
  };
  if (command === 'list') {
    allow('--json');
    if (positional.length > 0 || values.size > 0) throw new UsageError('list takes no arguments but --json');
    return { kind: 'list', json: flags.has('--json') };
  }
  if (command === 'offboard') {
    allow('--force');
    if (positional.length !== 1) throw new UsageError('offboard needs exactly one tenant id');
    const by = values.get('by')?.trim();
    if (by === '') throw new UsageError('--by needs a name');
    return { kind: 'offboard', tenantId: positional[0]!.toLowerCase(), by, force: flags.has('--force') };
  }
  throw new UsageError(`unknown command ${command}`);
}

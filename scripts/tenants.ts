/**
 * `npm run tenants -- list | offboard <tenantId>`: the hosting provider's operator tool for hosted mode (issue 16).
 * It works on the deployment's store directly, with the server's configuration; running servers notice an
 * offboarding at their next registry refresh. Progress and log lines go to stderr, the result to stdout.
 */
import { userInfo } from 'node:os';
import { REGISTRY_STALE_MS } from '../shared/domain/registry-freshness';
import { ConfigError, loadConfig } from '../shared/config/load';
import { createProcessLogger } from '../shared/platform/logger';
import { SecretBox } from '../shared/platform/secret-box';
import type { Store } from '../shared/ports/store';
import { openStore } from '../shared/store/open';
import { parseArgs, USAGE, UsageError, type TenantsCommand } from './tenants/args';
import { tenantsJson, tenantsTable } from './tenants/list';
import { offboardTenant } from './tenants/offboard';
import { offboardSummary } from './tenants/summary';

/** Exit codes: done; something failed (the summary says what is left); wrong usage or unknown tenant. */
const OK = 0;
const FAILED = 1;
const USAGE_EXIT = 2;
/** A little past the servers' refresh, so a refresh that started just before the offboarding has finished too. */
const REFRESH_SLACK_MS = 1_000;

async function main(argv: string[]): Promise<number> {
  let command: TenantsCommand;
  try {
    command = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n\n${USAGE}`);
    return USAGE_EXIT;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return OK;
  }
  const config = loadConfig();
  const store = await openStore(config.storeUrl);
  try {
    if (command.kind === 'list') {
      const tenants = await store.tenantRegistry().list();
      console.log(command.json ? tenantsJson(tenants) : tenantsTable(tenants));
      return OK;
    }
    return await offboard(command, config, store);
  } finally {
    await store.close();
  }
}

async function offboard(
  command: Extract<TenantsCommand, { kind: 'offboard' }>,
  config: ReturnType<typeof loadConfig>,
  store: Store,
): Promise<number> {
  if (!config.secretKey) {
    console.error(
      'offboard needs SECRET_KEY, the one the servers use: the stored credentials are sealed with it',
    );
    return USAGE_EXIT;
  }
  const outcome = await offboardTenant({
    config,
    store,
    secretBox: new SecretBox(config.secretKey),
    logger: createProcessLogger(config.logLevel, config.logFormat, process.stderr),
    tenantId: command.tenantId,
    by: command.by ?? operatorName(),
    now: () => Date.now(),
    force: command.force,
    registryStaleMs: REGISTRY_STALE_MS,
    leaseWaitMs: config.sync.lease.ttlMs + REFRESH_SLACK_MS,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  if (outcome.kind === 'unknownTenant') {
    console.error(
      `No tenant ${command.tenantId} in the registry; "npm run tenants -- list" shows the registered ones.`,
    );
    return USAGE_EXIT;
  }
  console.log(offboardSummary(outcome));
  return outcome.left.length === 0 ? OK : FAILED;
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown operator';
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exitCode = FAILED;
  },
);

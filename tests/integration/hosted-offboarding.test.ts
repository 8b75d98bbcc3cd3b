import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SeededCompany } from '../../emulators/seed/demo';
import { TENANT_DATA_TABLES } from '../../shared/store/tenant-data';
import { startConnector, type Connector } from './bot-harness';
import { api, linkAndMonitor, onboard, ssoToken, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { eventually } from './real-time';

/**
 * The operator CLI (`npm run tenants`) run as a separate process against a hosted server's store, as an operator runs
 * it: offboarding deletes the tenant's subscriptions at the Graph and CloudLink emulators and its rows in the store,
 * keeps the registry row as the record, and leaves the other tenant working. A clean-up that cannot finish says what
 * is left, keeps the data it needs, and a second run finishes it.
 */
let world: HostedWorld;
let northwind: SeededCompany;
let fabrikam: SeededCompany;
let dir: string;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector();
  dir = mkdtempSync(join(tmpdir(), 'switchboard-offboard-'));
  // A store file, so that the CLI's process and the server share it as they do in a deployment.
  world = await startHostedWorld({ users: 4, env: { STORE_URL: `sqlite:${join(dir, 'store.sqlite')}` } });
  [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  for (const company of [northwind, fabrikam]) {
    await onboard(world, company);
    await linkAndMonitor(world, company);
  }
  await eventually(() => {
    for (const company of [northwind, fabrikam]) {
      expect(graphSubscriptions(company).length).toBeGreaterThan(0);
      expect(cloudlinkSubscriptions(company).length).toBeGreaterThan(0);
    }
  }, 20_000);
}, 90_000);
afterAll(async () => {
  await world?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const graphSubscriptions = (company: SeededCompany) =>
  world.emulators.graph.control.subscriptions().filter((s) => s.tenantId === company.tenantId);
const cloudlinkSubscriptions = (company: SeededCompany) =>
  world.emulators.cloudlink.control.subscriptions(company.cloudlink.accountId);

/** The company's rows in every table offboarding empties, read from the store file as it is on disk. */
function rowsOf(company: SeededCompany): Record<string, number> {
  const db = new Database(join(dir, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      TENANT_DATA_TABLES.map((table) => [
        table,
        (
          db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`).get(company.tenantId) as {
            n: number;
          }
        ).n,
      ]),
    );
  } finally {
    db.close();
  }
}
const nonEmpty = (rows: Record<string, number>) => Object.keys(rows).filter((t) => rows[t]! > 0);

/** Runs `npm run tenants -- …` as its own process with the server's configuration. */
function tenantsCli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['scripts/tenants.ts', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...world.env, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An SSO sign-in with the bot, as Teams sends it: leaves a sign-in record for the user. */
async function botSignIn(company: SeededCompany): Promise<void> {
  const user = company.users.find((u) => !u.isAdmin)!;
  const res = await fetch(`${world.app.baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type: 'invoke',
      name: 'signin/tokenExchange',
      id: `activity-${Math.random()}`,
      value: {
        id: `exchange-${Math.random()}`,
        connectionName: 'switchboard-sso',
        token: await ssoToken(world, company, 'user'),
      },
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: { id: `29:${user.entraId}`, name: user.displayName, aadObjectId: user.entraId },
      recipient: { id: '28:switchboard', name: 'Switchboard' },
      conversation: { id: `a:${user.entraId}`, conversationType: 'personal', tenantId: company.tenantId },
      channelData: { tenant: { id: company.tenantId } },
    }),
  });
  expect(res.status).toBe(200);
}

describe('npm run tenants', () => {
  it('lists the registered tenants as a table and as JSON', async () => {
    const table = await tenantsCli('list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TENANT ID\s+NAME\s+STATE\s+ONBOARDED\s+OFFBOARDED$/);
    for (const company of [northwind, fabrikam])
      expect(lines.find((l) => l.startsWith(company.tenantId))).toMatch(
        /\sactive\s+\d{4}-\d\d-\d\dT.*by admin-consent$/,
      );

    const json = await tenantsCli('list', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { tenantId: string; state: string; offboardedAt: null }[];
    expect(listed.map((t) => [t.tenantId, t.state, t.offboardedAt]).sort()).toEqual(
      [northwind, fabrikam].map((c) => [c.tenantId, 'active', null]).sort(),
    );
  });

  it('refuses an unknown tenant id clearly, with exit code 2, and changes nothing', async () => {
    const unknown = await tenantsCli('offboard', '00000000-0000-4000-8000-000000000001');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No tenant 00000000-0000-4000-8000-000000000001 in the registry');
    expect((await world.app.store.tenantRegistry().list()).map((t) => t.state)).toEqual(['active', 'active']);
  });

  it('offboards a tenant: its subscriptions and rows are gone, the record stays, the other tenant still syncs', async () => {
    const token = await ssoToken(world, northwind, 'user');
    const report = await api(world, 'POST', '/api/me/reports', token, {
      category: 'presence',
      description: 'My phone stays busy',
      includeDiagnostics: false,
      client: { type: 'web' },
    });
    expect(report.status).toBe(201);
    await botSignIn(northwind);
    const before = rowsOf(northwind);
    expect(nonEmpty(before)).toEqual(
      expect.arrayContaining([
        'tenants',
        'monitors',
        'users',
        'reports',
        'conversations',
        'cloudlink_subscriptions',
      ]),
    );
    const fabrikamBefore = rowsOf(fabrikam);

    const run = await tenantsCli('offboard', northwind.tenantId, '--by', 'Dana from operations');
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    // Named by the organisation's name the server read from Graph once the tenant opened.
    expect(run.stdout).toContain(`Tenant ${northwind.tenantId} (Northwind Traders) is offboarded.`);
    expect(run.stdout).toMatch(/Data:\s+deleted, with 1 sign-ins/);
    expect(run.stderr).toContain('Marked');

    // Nothing of Northwind's left at Graph, at CloudLink or in the store but its registry row.
    expect(graphSubscriptions(northwind)).toEqual([]);
    expect(cloudlinkSubscriptions(northwind)).toEqual([]);
    expect(nonEmpty(rowsOf(northwind))).toEqual([]);
    expect(await world.app.store.tenantRegistry().get(northwind.tenantId)).toMatchObject({
      state: 'offboarded',
      offboardedBy: 'Dana from operations',
      offboardedAt: expect.any(Number),
    });
    // Its people are told their organisation is not set up.
    const me = await api(world, 'GET', '/api/me', await ssoToken(world, northwind, 'user'));
    expect(me.status).toBe(403);
    expect(me.body.error).toMatchObject({ code: 'tenant_not_onboarded' });

    // Fabrikam keeps everything, and a phone call of one of its people still shows in Teams.
    expect(rowsOf(fabrikam)).toEqual(fabrikamBefore);
    expect(graphSubscriptions(fabrikam).length).toBeGreaterThan(0);
    expect(cloudlinkSubscriptions(fabrikam).length).toBeGreaterThan(0);
    const person = fabrikam.users.find(
      (u) => !u.isAdmin && graphSubscriptions(fabrikam).some((s) => s.userIds.includes(u.entraId)),
    )!;
    world.emulators.graph.control.teams(person.entraId, 'signIn');
    const call = world.emulators.cloudlink.pbx.placeCall('+4930555000', person.principalId);
    await eventually(
      () =>
        expect(world.emulators.graph.control.presence(person.entraId)).toMatchObject({ activity: 'InACall' }),
      15_000,
    );
    world.emulators.cloudlink.pbx.hangUp(call.callId);
    // And nothing of Northwind's came back meanwhile.
    expect(nonEmpty(rowsOf(northwind))).toEqual([]);
  });

  it('says what is left when a subscription cannot be deleted, keeps the data, and a second run finishes', async () => {
    // Fabrikam's CloudLink client secret was replaced at Mitel: nobody can delete its CloudLink subscriptions now.
    const secret = fabrikam.cloudlink.clientSecret;
    world.emulators.cloudlink.control.rotateClientSecret(
      fabrikam.cloudlink.clientId,
      'replaced-at-mitel-0123456789',
    );
    world.emulators.cloudlink.control.revokeTokens(fabrikam.cloudlink.accountId);
    const failed = await tenantsCli('offboard', fabrikam.tenantId, '--by', 'Dana from operations');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('is offboarded, but its clean-up is NOT complete');
    expect(failed.stdout).toMatch(/CloudLink subscription \S+ of account 858000102: HTTP 401/);
    expect(failed.stdout).toContain("the tenant's data (kept");
    // Each one it could not delete is logged with its code.
    expect(failed.stderr).toContain('offboard.cloudlinkSubscriptionLeft');
    expect(graphSubscriptions(fabrikam)).toEqual([]);
    expect(cloudlinkSubscriptions(fabrikam).length).toBeGreaterThan(0);
    expect(nonEmpty(rowsOf(fabrikam))).toEqual(
      expect.arrayContaining(['tenants', 'cloudlink_subscriptions']),
    );
    const record = await world.app.store.tenantRegistry().get(fabrikam.tenantId);
    expect(record).toMatchObject({ state: 'offboarded', offboardedBy: 'Dana from operations' });

    // The secret works again (say the operator got the right one saved); running it again finishes the job.
    world.emulators.cloudlink.control.rotateClientSecret(fabrikam.cloudlink.clientId, secret);
    const again = await tenantsCli('offboard', fabrikam.tenantId, '--by', 'someone else');
    expect({ code: again.code, stdout: again.stdout }).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('(an earlier run)');
    expect(cloudlinkSubscriptions(fabrikam)).toEqual([]);
    expect(nonEmpty(rowsOf(fabrikam))).toEqual([]);
    // The record is the first run's.
    expect(await world.app.store.tenantRegistry().get(fabrikam.tenantId)).toEqual(record);
  });
  it('signs a returning customer up again, and --force deletes its data even when a subscription cannot be deleted', async () => {
    // Northwind, offboarded above, comes back: admin consent again re-activates the record and starts afresh.
    await onboard(world, northwind);
    const back = await world.app.store.tenantRegistry().get(northwind.tenantId);
    expect(back).toMatchObject({ state: 'active', offboardedAt: null, offboardedBy: null });
    await eventually(() => expect(world.app.tenants.get(northwind.tenantId)).toBeDefined(), 10_000);
    await linkAndMonitor(world, northwind);
    await eventually(() => {
      expect(graphSubscriptions(northwind).length).toBeGreaterThan(0);
      expect(cloudlinkSubscriptions(northwind).length).toBeGreaterThan(0);
    }, 20_000);

    // Its CloudLink secret is replaced at Mitel, and the operator will not wait for the right one.
    world.emulators.cloudlink.control.rotateClientSecret(
      northwind.cloudlink.clientId,
      'replaced-0123456789abcdef',
    );
    world.emulators.cloudlink.control.revokeTokens(northwind.cloudlink.accountId);
    const forced = await tenantsCli(
      'offboard',
      northwind.tenantId,
      '--by',
      'Dana from operations',
      '--force',
    );

    // Not complete (exit 1, what is left is listed so someone removes it at CloudLink), but the data is gone.
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain('is offboarded, but its clean-up is NOT complete');
    expect(forced.stdout).toMatch(/CloudLink subscription \S+ of account 858000101: HTTP 401/);
    expect(forced.stdout).toMatch(/Data: +deleted/);
    expect(forced.stdout).not.toContain("the tenant's data (kept");
    expect(graphSubscriptions(northwind)).toEqual([]);
    expect(cloudlinkSubscriptions(northwind).length).toBeGreaterThan(0);
    expect(nonEmpty(rowsOf(northwind))).toEqual([]);
    expect(await world.app.store.tenantRegistry().get(northwind.tenantId)).toMatchObject({
      state: 'offboarded',
      offboardedBy: 'Dana from operations',
    });
  });
});

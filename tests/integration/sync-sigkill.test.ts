import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import type { SyncProcessConfig } from './fixtures/sync-process';
import { SyncProcess } from './fixtures/sync-process-handle';
import { freePort } from './real-time';

/**
 * Issue 10 with a real `kill -9`: a sync process (tests/integration/fixtures/sync-process.ts) is killed with SIGKILL,
 * twice, and started again on the same store file and webhook URL. CloudLink must then hold exactly one subscription
 * per topic, the ones the first process made, and every PBX event must reach the live process once and be accepted.
 */
jest.setTimeout(90_000);

describe('a sync process killed with SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigkill-'));
  let emulators: Emulators;
  let company: DemoCompany;
  const processes: SyncProcess[] = [];

  beforeAll(async () => {
    emulators = await startEmulators();
    company = await seedDemoCompany(emulators, {
      publicBaseUrl: 'http://127.0.0.1:3978',
      users: 3,
      callsPerUser: 1,
    });
  });
  afterAll(async () => {
    for (const p of processes) await p.kill9();
    await emulators.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves its subscriptions at CloudLink, and the restarted process reuses them: each event once, accepted', async () => {
    const link = demoTenantLink(company, emulators, 'switchboard-sigkill');
    const config: SyncProcessConfig = {
      tenantId: link.tenantId,
      clientId: link.clientId,
      clientSecret: link.clientSecret,
      authorityHost: link.authorityHost,
      graphBaseUrl: link.graphBaseUrl,
      cloudlink: company.cloudlink,
      storeFile: join(dir, 'switchboard.sqlite'),
      port: await freePort(),
      leaseTtlMs: 1500,
      leaseRenewMs: 300,
    };
    const control = emulators.cloudlink.control;
    const atCloudLink = () =>
      control
        .subscriptions(company.cloudlink.accountId)
        .map((s) => `${s.topic} ${s.subscriptionId}`)
        .sort();

    const start = () => {
      const p = new SyncProcess(config);
      processes.push(p);
      return p;
    };
    const first = start();
    await first.running();
    const made = atCloudLink();
    expect(made).toHaveLength(2);

    for (let kill = 1; kill <= 2; kill++) {
      await processes.at(-1)!.kill9();
      expect(atCloudLink()).toEqual(made); // still at CloudLink after the crash
      const next = start();
      await next.running();
      expect(atCloudLink()).toEqual(made);
    }

    const from = control.deliveries.length;
    const pbx = emulators.cloudlink.pbx;
    const [a, b] = company.users;
    const call = pbx.placeCall('+4930111', a.principalId);
    pbx.hangUp(call.callId);
    pbx.setDnd(b.principalId, true, 'Lunch');
    await control.deliveriesIdle();
    const deliveries = control.deliveries.slice(from);
    expect(new Set(deliveries.map((d) => d.body.topic))).toEqual(
      new Set(['platform-api-media', 'platform-api-presence']),
    );
    expect(deliveries.filter((d) => d.status !== 202)).toEqual([]);
    const events = deliveries.map((d) =>
      JSON.stringify([d.body.topic, d.body.method, d.body.subject, d.body.content]),
    );
    expect(new Set(events).size).toBe(events.length);
  });
});

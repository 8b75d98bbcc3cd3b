import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HealthView, JobView } from '../../shared/api/contract';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startEmulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany } from '../../emulators/seed/demo';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { eventually, freePort } from './real-time';

/**
 * Issue 10, as an admin sees it: the "sync all" job they started is still there, with its result and who started it,
 * after the server restarts; and the health page shows each CloudLink subscription and that this process owns the
 * sync. The demo as `npm start` runs it, on a store file that outlives the process.
 */
jest.setTimeout(60_000);

async function startRun(storeUrl: string) {
  const emulators = await startEmulators();
  const port = await freePort();
  const company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 3,
    callsPerUser: 1,
  });
  const config = loadConfig({ PORT: String(port), STORE_URL: storeUrl, LOG_LEVEL: 'silent' });
  const app: RunningSwitchboard = await startSwitchboard(
    config,
    {
      ...demoTenantLink(company, emulators, 'switchboard-qa'),
      botAuth: { kind: 'playground' },
      secretKey: Buffer.alloc(32, 7),
      appVersion: '0.0.0-qa',
      tabDir: 'tests/integration/bot-tab-fixture',
    },
    silentLogger(),
  );
  const adminId = company.users.find((u) => u.isAdmin)!.entraId;
  const token = await emulators.entra.mintTeamsSsoToken({
    tenantId: company.tenantId,
    userId: adminId,
    clientId: company.clientId,
  });
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    adminId,
    api,
    async close() {
      await app.close();
      await emulators.close();
    },
  };
}

describe('QA: admin jobs and the health view across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-jobs-'));
  const storeUrl = `sqlite:${join(dir, 'switchboard.sqlite')}`;
  let run: Awaited<ReturnType<typeof startRun>> | undefined;
  afterEach(async () => run?.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the finished "sync all" job, and shows both CloudLink subscriptions and the owner on health', async () => {
    run = await startRun(storeUrl);
    const started = await run.api<JobView>('POST', '/api/admin/resync-all', {});
    expect(started.status).toBe(202);
    let finished: JobView | undefined;
    await eventually(async () => {
      finished = (await run!.api<JobView>('GET', `/api/admin/jobs/${started.body.jobId}`)).body;
      expect(finished.state).toBe('succeeded');
    }, 15_000);
    const health = (await run.api<HealthView>('GET', '/api/admin/health')).body;
    expect(health.syncOwnership).toEqual({ state: 'owner', detail: null });
    expect(health.cloudlinkSubscriptions?.map((s) => [s.topic, s.state])).toEqual([
      ['platform-api-presence', 'active'],
      ['platform-api-media', 'active'],
    ]);
    await run.close();

    run = await startRun(storeUrl);
    const again = await run.api<JobView>('GET', `/api/admin/jobs/${started.body.jobId}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...finished, startedBy: run.adminId });
    expect(again.body.summary).toMatch(/users resynced/);
  });
});

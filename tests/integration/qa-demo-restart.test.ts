import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { eventually, freePort } from './real-time';
import { startConnector, type Connector } from './bot-harness';

/**
 * QA regressions found using the demo as `npm start` runs it: notifications mode, a store that outlives the process,
 * and fresh emulators (with fresh secrets) on every start.
 * - CloudLink was never subscribed to, so phone calls reached Teams only at the hourly resync.
 * - After a restart the monitors kept the first run's passwords: sign-in failed and Teams never reached the phone.
 * - The health view said no secret expiry although the tenant link has one.
 * - Nothing subscribed to CloudLink's call events, so missed-call notices never went out.
 */

interface DemoRun {
  emulators: Emulators;
  company: DemoCompany;
  app: RunningSwitchboard;
  adminToken: string;
  close(): Promise<void>;
}

async function startDemoRun(storeUrl: string): Promise<DemoRun> {
  const emulators = await startEmulators();
  try {
    return await startDemoOn(emulators, storeUrl);
  } catch (e) {
    await emulators.close();
    throw e;
  }
}

async function startDemoOn(emulators: Emulators, storeUrl: string): Promise<DemoRun> {
  const port = await freePort();
  const company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 4,
    callsPerUser: 2,
  });
  const config = loadConfig({ PORT: String(port), STORE_URL: storeUrl, LOG_LEVEL: 'silent' });
  const app = await startSwitchboard(
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
  const adminToken = await emulators.entra.mintTeamsSsoToken({
    tenantId: company.tenantId,
    userId: company.users.find((u) => u.isAdmin)!.entraId,
    clientId: company.clientId,
  });
  return {
    emulators,
    company,
    app,
    adminToken,
    async close() {
      await app.close();
      await emulators.close();
    },
  };
}

describe('QA: the demo in notifications mode, across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-demo-'));
  const storeUrl = `sqlite:${join(dir, 'switchboard.sqlite')}`;
  let run: DemoRun | undefined;
  let connector: Connector;

  const admin = async (path: string) => {
    const res = await fetch(`${run!.app.baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${run!.adminToken}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    // The first run leaves monitors, their subscriptions and sealed passwords in the store, as `npm start` does.
    connector = await startConnector();
    const first = await startDemoRun(storeUrl);
    await eventually(async () => {
      const monitors = (await first.app.store.listMonitors(first.company.tenantId)).map((m) => m.state);
      expect(monitors).toContain('active');
    });
    await first.close();
    run = await startDemoRun(storeUrl);
  }, 30_000);
  afterAll(async () => {
    await run?.close();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs the monitors in again after a restart with new demo passwords', async () => {
    await eventually(async () => {
      const view = (await admin('/api/admin/monitors')) as {
        items: { state: string; lastError: string | null }[];
      };
      expect(view.items.map((m) => m.state)).toContain('active');
      expect(view.items.filter((m) => m.state === 'failed')).toEqual([]);
    });
  });

  it('turns PBX do-not-disturb on while the user is in a Teams call, after the restart', async () => {
    const { emulators, company } = run!;
    const user = company.users[2]!;
    await eventually(() => expect(emulators.graph.control.subscriptions().length).toBeGreaterThan(0));
    emulators.graph.control.teams(user.entraId, 'signIn', 'desktop');
    emulators.graph.control.teams(user.entraId, 'startCall');
    await eventually(() =>
      expect(emulators.cloudlink.pbx.presentity(user.principalId)).toMatchObject({
        status: 'dnd',
        reason: 'In a Teams call',
      }),
    );
    emulators.graph.control.teams(user.entraId, 'endCall');
    await eventually(() =>
      expect(emulators.cloudlink.pbx.presentity(user.principalId)).not.toMatchObject({ status: 'dnd' }),
    );
  });

  it('shows a PBX call in Teams as Busy/InACall within moments, not at the next hourly resync', async () => {
    const { emulators, company } = run!;
    const [a, b] = [company.users[0]!, company.users[1]!];
    const call = emulators.cloudlink.pbx.placeCall(a.principalId, b.principalId);
    await eventually(() =>
      expect(emulators.graph.control.presence(a.entraId)).toMatchObject({
        availability: 'Busy',
        activity: 'InACall',
      }),
    );
    emulators.cloudlink.pbx.hangUp(call.callId);
    await eventually(() =>
      expect(emulators.graph.control.presence(a.entraId)).not.toMatchObject({ activity: 'InACall' }),
    );
  });

  it('gives a monitor a fresh sign-in and subscription when the admin asks to authorize it again', async () => {
    const { app, company, emulators } = run!;
    const before = (await app.store.listMonitors(company.tenantId)).find((m) => m.state === 'active')!;
    const res = await fetch(`${app.baseUrl}/api/admin/monitors/${before.monitorId}/authorize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${run!.adminToken}` },
    });
    expect(res.status).toBeLessThan(300);
    await eventually(async () => {
      const after = await app.store.getMonitor(company.tenantId, before.monitorId);
      expect(after).toMatchObject({ state: 'active' });
      expect(after!.subscriptionId).not.toBe(before.subscriptionId);
    });
    // One presence subscription per monitor: the old one is gone from Graph, the new one is live.
    const ids = emulators.graph.control.subscriptions().map((s) => s.id);
    expect(ids).not.toContain(before.subscriptionId);
  });

  it("reports the client secret's expiry in the health view", async () => {
    const health = await admin('/api/admin/health');
    expect(health.secretExpiresAt).toBe(new Date(run!.company.clientSecretExpiresAt).toISOString());
  });

  it('tells a user who opted in about a missed PBX call', async () => {
    const { app, emulators, company } = run!;
    const [caller, callee] = [company.users[0]!, company.users[3]!];
    await app.store.putConversation({
      tenantId: company.tenantId,
      key: `user:${callee.entraId}`,
      reference: {
        serviceUrl: connector.url,
        channelId: 'msteams',
        conversation: { id: 'a:personal' },
        bot: { id: 'bot' },
      },
      updatedAt: 0,
    });
    await app.store.putUserSettings(company.tenantId, callee.entraId, { missedCallNotice: true });
    const call = emulators.cloudlink.pbx.placeCall(caller.principalId, callee.principalId);
    emulators.cloudlink.pbx.hangUp(call.callId);
    await eventually(() =>
      expect(connector.sent.map((s) => s.body.text)).toEqual([
        expect.stringContaining(`You missed a call from ${caller.displayName}`),
      ]),
    );
  });
});

describe('QA: the demo started again on the store of the last run, which had calls and presence going', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qa-demo-world-'));
  const storeUrl = `sqlite:${join(dir, 'switchboard.sqlite')}`;
  let run: DemoRun | undefined;

  beforeAll(async () => {
    const first = await startDemoRun(storeUrl);
    const { emulators, company } = first;
    const [caller, busy, meeting] = [company.users[0]!, company.users[1]!, company.users[2]!];
    await eventually(() => expect(emulators.graph.control.subscriptions().length).toBeGreaterThan(0));
    // Teams presence the sync read and stored, with the first world's Graph stamps.
    emulators.graph.control.teams(meeting.entraId, 'signIn', 'desktop');
    for (let i = 0; i < 3; i++) {
      emulators.graph.control.teams(meeting.entraId, 'startCall');
      await eventually(() =>
        expect(emulators.cloudlink.pbx.presentity(meeting.principalId)).toMatchObject({ status: 'dnd' }),
      );
      emulators.graph.control.teams(meeting.entraId, 'endCall');
      await eventually(() =>
        expect(emulators.cloudlink.pbx.presentity(meeting.principalId)).not.toMatchObject({ status: 'dnd' }),
      );
    }
    // A phone call still going when the demo stops.
    emulators.cloudlink.pbx.placeCall(caller.principalId, busy.principalId);
    await eventually(() =>
      expect(emulators.graph.control.presence(caller.entraId)).toMatchObject({ activity: 'InACall' }),
    );
    await first.close();
    run = await startDemoRun(storeUrl);
  }, 60_000);
  afterAll(async () => {
    await run?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries a Teams call of a user the last run knew to the phone', async () => {
    const { emulators, company } = run!;
    const meeting = company.users[2]!;
    await eventually(() => expect(emulators.graph.control.subscriptions().length).toBeGreaterThan(0));
    emulators.graph.control.teams(meeting.entraId, 'signIn', 'desktop');
    emulators.graph.control.teams(meeting.entraId, 'startCall');
    await eventually(() =>
      expect(emulators.cloudlink.pbx.presentity(meeting.principalId)).toMatchObject({
        status: 'dnd',
        reason: 'In a Teams call',
      }),
    );
    emulators.graph.control.teams(meeting.entraId, 'endCall');
  });

  it('does not keep the caller of the last run’s call Busy: a new call shows, and its end clears it', async () => {
    const { emulators, company } = run!;
    const [caller, other] = [company.users[0]!, company.users[3]!];
    const call = emulators.cloudlink.pbx.placeCall(caller.principalId, other.principalId);
    await eventually(() =>
      expect(emulators.graph.control.presence(caller.entraId)).toMatchObject({ activity: 'InACall' }),
    );
    emulators.cloudlink.pbx.hangUp(call.callId);
    await eventually(() =>
      expect(emulators.graph.control.presence(caller.entraId)).not.toMatchObject({ activity: 'InACall' }),
    );
  });

  it('refuses a second demo on the same store while this one runs, and this one keeps working', async () => {
    await expect(startDemoRun(storeUrl)).rejects.toThrow(/Another Switchboard demo is running on sqlite:/);
    const { emulators, company } = run!;
    const [a, b] = [company.users[1]!, company.users[3]!];
    const call = emulators.cloudlink.pbx.placeCall(a.principalId, b.principalId);
    await eventually(() =>
      expect(emulators.graph.control.presence(a.entraId)).toMatchObject({ activity: 'InACall' }),
    );
    emulators.cloudlink.pbx.hangUp(call.callId);
  }, 30_000);
});

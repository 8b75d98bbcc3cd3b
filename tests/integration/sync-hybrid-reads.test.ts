import { startRunningSyncWorld, type SyncWorld } from './sync-harness';

/**
 * Issue 13 against the emulators: Graph holds every presence notification back for 4 s (real time, as its delivery
 * runs), the way real notifications trail a change by seconds. In hybrid mode the budgeted reads carry a Teams
 * meeting to the PBX before the notification arrives, and the late notification then changes nothing.
 */
jest.setTimeout(30_000);

const NOTIFICATION_DELAY_MS = 4000;

describe('hybrid mode with slow notifications', () => {
  let w: SyncWorld;
  beforeAll(async () => {
    w = await startRunningSyncWorld({ users: 3, mode: 'hybrid' });
    await w.clock.advance(2000, 100);
  });
  afterAll(async () => {
    w.emulators.graph.control.configureDelivery({ latencyMs: 0 });
    await w?.close();
  });

  const dndWrites = (principalId: string) =>
    w.emulators.cloudlink.control.calls.filter(
      (c) => c.method !== 'GET' && c.path.includes(principalId) && c.path.includes('presentities'),
    ).length;

  it('sets the phone DND for a Teams meeting before Graph delivers the notification, then nothing more', async () => {
    const graph = w.emulators.graph.control;
    graph.configureDelivery({ latency: { kind: 'fixed', ms: NOTIFICATION_DELAY_MS } });
    const user = w.people[1]!;
    const pbxId = w.pbxIds[1]!;
    const deliveredFor = () =>
      graph.deliveries().filter((d) => d.kind === 'change' && JSON.stringify(d.body).includes(user.id));
    const deliveredBefore = deliveredFor().length;
    const writesBefore = dndWrites(pbxId);

    const changedAt = Date.now();
    graph.teams(user.id, 'joinMeeting');
    await w.eventually(() =>
      expect(w.emulators.cloudlink.pbx.presentity(pbxId)).toMatchObject({
        status: 'dnd',
        reason: 'In a meeting',
      }),
    );
    const reachedPbxAfter = Date.now() - changedAt;
    expect(reachedPbxAfter).toBeLessThan(NOTIFICATION_DELAY_MS);
    expect(deliveredFor().length).toBe(deliveredBefore); // Graph has not told us yet
    const writesForMeeting = dndWrites(pbxId) - writesBefore;
    expect(writesForMeeting).toBe(1);

    // The notification arrives late, is acknowledged, and is an old story: no second write.
    const until = Date.now() + NOTIFICATION_DELAY_MS + 3000;
    while (deliveredFor().filter((d) => d.outcome === 'acknowledged').length === deliveredBefore) {
      if (Date.now() > until) throw new Error('the delayed notification never came');
      await w.clock.advance(200, 100);
      await new Promise((r) => setTimeout(r, 50));
    }
    await w.clock.advance(3000, 100);
    expect(dndWrites(pbxId) - writesBefore).toBe(1);
    expect(w.emulators.cloudlink.pbx.presentity(pbxId)).toMatchObject({
      status: 'dnd',
      reason: 'In a meeting',
    });
  });

  it('shows the mode, the sweep time and the budget share on the health view', async () => {
    const reads = w.service.health().teamsReads!;
    expect(reads.mode).toBe('hybrid');
    expect(reads.intervalMs).toBeGreaterThan(0);
    expect(reads.budgetShare).toBeGreaterThan(0);
    expect(reads.budgetShare).toBeLessThan(1);
  });
});

import { harness, type Harness } from './sync-harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
const FEED = { cloudLinkWebhookUrl: 'https://switchboard.example/api/cloudlink/events', pbxVerifySlices: 0 };

/**
 * A hosted process starts every tenant's sync together, so their scheduled resyncs fall due together; they take turns
 * (SyncDeps.resyncTurn). Here the turn is held by hand: the resync must wait for it, and a sync that stopped while
 * waiting must not resync when its turn comes.
 */
function heldTurn() {
  const waiting: (() => void)[] = [];
  return {
    waiting,
    turn: <T>(resync: () => Promise<T>) =>
      new Promise<void>((resolve) => waiting.push(resolve)).then(resync),
    release: () => waiting.splice(0).forEach((go) => go()),
  };
}

describe('scheduled resyncs take turns among the tenants of a process', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('waits for its turn, then reads every PBX, and asks for the next turn an interval later', async () => {
    const gate = heldTurn();
    h = await harness({ users: 5, options: { ...FEED, resyncIntervalMs: HOUR }, resyncTurn: gate.turn });
    await h.service.start();
    const readsAtStart = h.cloudlink.presenceReads.length;

    await h.clock.advance(MIN + 1000);
    await h.settle();
    expect(gate.waiting).toHaveLength(1);
    expect(h.cloudlink.presenceReads.length).toBe(readsAtStart);

    gate.release();
    await h.settle();
    await h.clock.advance(1000);
    await h.settle();
    expect(h.cloudlink.presenceReads.length - readsAtStart).toBe(5);

    await h.clock.advance(HOUR);
    await h.settle();
    expect(gate.waiting).toHaveLength(1);
  });

  it('a sync stopped while it waited lets its turn go: no reads, no further schedule', async () => {
    const gate = heldTurn();
    h = await harness({ users: 5, options: { ...FEED, resyncIntervalMs: HOUR }, resyncTurn: gate.turn });
    await h.service.start();
    await h.clock.advance(MIN + 1000);
    await h.settle();
    expect(gate.waiting).toHaveLength(1);
    const reads = h.cloudlink.presenceReads.length;

    await h.service.stop();
    gate.release();
    await h.settle();
    await h.clock.advance(2 * HOUR);
    await h.settle();
    expect(h.cloudlink.presenceReads.length).toBe(reads);
    expect(gate.waiting).toHaveLength(0);
  });

  it('an admin resync does not wait for a turn', async () => {
    const gate = heldTurn();
    h = await harness({ users: 3, options: { ...FEED, resyncIntervalMs: HOUR }, resyncTurn: gate.turn });
    await h.service.start();
    const run = h.service.resyncAll();
    for (let i = 0; i < 50; i++) await h.clock.advance(50, 10);
    expect((await run).pbxReads).toBe(3);
    expect(gate.waiting).toHaveLength(0);
  });
});

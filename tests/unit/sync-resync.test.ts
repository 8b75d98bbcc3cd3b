import type { PbxStatus } from '../../shared/domain/presence';
import { harness, type Harness } from './sync-harness';

/** Wraps the fake CloudLink's presence read so a test sees how many reads were in flight at once. */
function countReads(h: Harness) {
  const read = h.cloudlink.getPresence.bind(h.cloudlink);
  const seen = { reads: 0, inFlight: 0, most: 0 };
  h.cloudlink.getPresence = async (principalId: string): Promise<PbxStatus> => {
    seen.reads++;
    seen.inFlight++;
    seen.most = Math.max(seen.most, seen.inFlight);
    // A real read takes a network round trip: hold it across a turn of the event loop.
    await new Promise((r) => setImmediate(r));
    seen.inFlight--;
    return read(principalId);
  };
  return seen;
}

describe('resync PBX reads', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('keeps at most pbxReadConcurrency reads in flight across all batches, and reads every user once', async () => {
    h = await harness({ users: 1400, options: { pbxReadConcurrency: 5 } });
    await h.service.start();
    const seen = countReads(h);
    let result: unknown;
    const run = h.service.resyncAll().then((r) => (result = r));
    // Graph's reads wait on the rate limiter's (virtual) clock.
    for (let i = 0; i < 100 && result === undefined; i++) await h.clock.advance(100, 10);
    await run;
    expect(result).toEqual({ done: 1400, total: 1400, pbxReads: 1400 });
    expect(seen.reads).toBe(1400);
    expect(seen.most).toBe(5);
  });

  it('paces reads to pbxReadsPerSecond, so a resync stays under the CloudLink account limit', async () => {
    h = await harness({ users: 300, budget: { pbxReadsPerSecond: 100 } });
    await h.service.start();
    const seen = countReads(h);
    let finished = false;
    const run = h.service.resyncAll().then(() => (finished = true));
    const readsAt: number[] = [];
    for (let s = 1; s <= 4; s++) {
      await h.clock.advance(1000, 10);
      readsAt.push(seen.reads);
    }
    await run;
    expect(finished).toBe(true);
    // 100 a second plus a tenth of a second of burst: never more than 110 in the first second, all 300 by 4 s.
    expect(readsAt[0]).toBeLessThanOrEqual(110);
    expect(readsAt[1]).toBeLessThanOrEqual(210);
    expect(readsAt[3]).toBe(300);
  });
});

describe('last sync after a resync', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('counts a resync that found both sides already in agreement as a sync, so status no longer says "never"', async () => {
    h = await harness({ users: 1 });
    await h.service.start();
    const before = await h.service.statusOf('u1');
    expect(before.lastSyncAt).toBeNull();
    const run = h.service.resyncUser('u1');
    for (let i = 0; i < 20; i++) await h.clock.advance(100, 10);
    const after = await run;
    expect(after.lastSyncAt).not.toBeNull();
    expect(after.problem).toBeNull();
  });
});

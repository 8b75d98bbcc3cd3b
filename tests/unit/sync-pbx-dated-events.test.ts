/**
 * The engine compares every PBX presence event with CloudLink's time of our acknowledged DND write (issue 11, findings
 * 3 and 4 of docs/reliability.md): an event older than our write is stale whenever it arrives, and a DND the user sets
 * after our write is theirs, told by its text. Presence events are posted here by hand, dated as CloudLink dates them,
 * so their order and lateness are the test's choice; the fake CloudLink's answers date each write.
 */
import type { PbxStatus } from '../../shared/domain/presence';
import { harness, TENANT, type Harness } from './sync-harness';

const SEC = 1000;
const DND_IN_TEAMS = { dnd: true, statusText: 'Do not disturb in Teams' };

describe('PBX presence events dated by CloudLink, against our acknowledged DND write', () => {
  let h: Harness;
  afterEach(async () => h.close());

  /** CloudLink's events, held back: the test delivers them when it likes. */
  const held: { status: PbxStatus; at: number }[] = [];
  const deliver = async (e: { status: PbxStatus; at: number }) => {
    await h.service.onPbxEvent({ kind: 'presence', principalId: 'pbx-u1', ...e });
    await h.settle();
  };

  beforeEach(async () => {
    held.length = 0;
    h = await harness();
    h.cloudlink.stampWith = () => h.clock.now();
    h.cloudlink.onChange = (principalId) =>
      held.push({ status: { ...h.cloudlink.presence.get(principalId)! }, at: h.clock.now() });
    await h.service.start();
    await h.settle();
  });

  const teams = async (availability: string, activity: string) => {
    h.graph.setOwn('u1', availability, activity);
    await h.settle();
    await h.clock.advance(5 * SEC);
  };

  it('a late echo of our earlier "off" after our newer "on" was acknowledged is stale, not the user undoing ours', async () => {
    await teams('DoNotDisturb', 'DoNotDisturb');
    await teams('Available', 'Available');
    await teams('DoNotDisturb', 'DoNotDisturb');
    expect(h.cloudlink.setDndCalls.map((c) => c.dnd)).toEqual([true, false, true]);
    // CloudLink's events arrive only now, the "off" first: each is older than, or the same as, our last write.
    for (const e of held.slice()) await deliver(e);
    expect(h.graph.writes()).toEqual([]); // our DND never became a Teams DoNotDisturb session
    const trace = await h.store.listTrace(TENANT, 'u1', 50);
    expect(trace.filter((t) => t.kind === 'pbx.stale').length).toBe(3);
    // Still ours: Teams Available takes it back.
    await teams('Available', 'Available');
    expect(h.cloudlink.setDndCalls.at(-1)).toMatchObject({ dnd: false });
    expect(h.cloudlink.presence.get('pbx-u1')).toEqual({ dnd: false, statusText: null });
  });

  it("the user's DND with a reason of their own, set after ours, is theirs: shown in Teams and never turned off", async () => {
    await teams('DoNotDisturb', 'DoNotDisturb');
    await deliver(held.shift()!); // our echo
    expect(h.cloudlink.presence.get('pbx-u1')).toEqual(DND_IN_TEAMS);
    h.cloudlink.set('pbx-u1', { dnd: true, statusText: 'Lunch' }); // on the phone, over our DND
    await deliver(held.shift()!);
    expect(h.graph.presenceOf('u1')).toMatchObject({ availability: 'DoNotDisturb' });
    expect(h.graph.writes().at(-1)).toMatchObject({
      op: 'setPresence',
      presence: { availability: 'DoNotDisturb', activity: 'Presenting' },
    });
    await teams('Available', 'Available');
    expect(h.cloudlink.setDndCalls).toHaveLength(1);
    expect(h.cloudlink.presence.get('pbx-u1')).toEqual({ dnd: true, statusText: 'Lunch' });
  });

  it('a duplicate of an event already applied changes nothing and is traced as stale', async () => {
    h.cloudlink.set('pbx-u1', { dnd: true, statusText: 'Lunch' });
    const e = held.shift()!;
    await deliver(e);
    const writes = h.graph.writes().length;
    await deliver(e);
    expect(h.graph.writes().length).toBe(writes);
    const trace = await h.store.listTrace(TENANT, 'u1', 50);
    expect(trace.filter((t) => t.kind === 'pbx.stale')).toHaveLength(1);
  });
});

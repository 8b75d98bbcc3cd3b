import { startCloudLinkFixture, type CloudLinkFixture } from './cloudlink-fixture';

let f: CloudLinkFixture;
beforeAll(async () => {
  f = await startCloudLinkFixture();
});
afterAll(() => f.emu.close());

/** A principal's newest record, read over HTTP the way Switchboard reads it. */
async function newest(principalId: string) {
  const token = await f.appToken();
  const r = await f.call('media', `/users/${principalId}/calls/records?$top=1`, { token });
  return r.body._embedded.items[0];
}

describe('Simulated PBX: the call lifecycle writes CloudLink call records', () => {
  it('an answered call: outbound for the caller, inbound for the callee, completed with ring and talk time', async () => {
    const call = f.emu.pbx.placeCall(f.alice, f.bob);
    f.clock.advance(4_000);
    f.emu.pbx.answer(call.callId);
    f.clock.advance(95_000);
    f.emu.pbx.hangUp(call.callId);
    const shared = {
      callId: call.callId,
      from: '2001',
      fromName: 'Alice',
      to: '2002',
      toName: 'Bob',
      completed: true,
      cause: 'normal',
      ringTime: 4_000,
      billingTime: 95_000,
    };
    expect(await newest(f.alice)).toMatchObject({ ...shared, direction: 'outbound' });
    const inbound = await newest(f.bob);
    expect(inbound).toMatchObject({ ...shared, direction: 'inbound' });
    expect(Date.parse(inbound.endTime) - Date.parse(inbound.createdOn)).toBe(99_000);
  });

  it('an unanswered inbound call is missed: not completed, cause callNotAnswer, ringing until given up', async () => {
    const call = f.emu.pbx.placeCall(f.carol, f.alice);
    f.clock.advance(25_000);
    f.emu.pbx.hangUp(call.callId);
    expect(await newest(f.alice)).toMatchObject({
      direction: 'inbound',
      completed: false,
      cause: 'callNotAnswer',
      ringTime: 25_000,
      billingTime: 0,
    });
    expect(await newest(f.carol)).toMatchObject({
      direction: 'outbound',
      completed: false,
      cause: 'callNotAnswer',
    });
  });

  it('a callee on DND is not rung: the call ends at once with cause doNotDisturb', async () => {
    f.emu.pbx.setDnd(f.bob, true, 'In a Teams call');
    const call = f.emu.pbx.placeCall(f.alice, f.bob);
    expect(f.emu.pbx.activeCalls().find((c) => c.callId === call.callId)).toBeUndefined();
    expect(await newest(f.bob)).toMatchObject({
      callId: call.callId,
      direction: 'inbound',
      completed: false,
      cause: 'doNotDisturb',
      ringTime: 0,
    });
    f.emu.pbx.setDnd(f.bob, false);
  });

  it('a callee already in a call is busy', async () => {
    const first = f.emu.pbx.placeCall(f.alice, f.bob);
    f.emu.pbx.answer(first.callId);
    const second = f.emu.pbx.placeCall(f.carol, f.bob);
    expect(await newest(f.carol)).toMatchObject({
      callId: second.callId,
      direction: 'outbound',
      completed: false,
      cause: 'busy',
    });
    expect(await newest(f.bob)).toMatchObject({ callId: second.callId, direction: 'inbound', cause: 'busy' });
    f.emu.pbx.hangUp(first.callId);
  });

  it('an outside caller leaves a record only on the internal side, by extension or number', async () => {
    const call = f.emu.pbx.placeCall('+4930123456', '2003', { fromName: 'Fabrikam' });
    f.emu.pbx.hangUp(call.callId);
    expect(await newest(f.carol)).toMatchObject({
      from: '+4930123456',
      fromName: 'Fabrikam',
      to: '2003',
      toName: 'Carol',
      direction: 'inbound',
    });
  });

  it('is driven over the /_control HTTP API as well', async () => {
    const post = (path: string, json: unknown = {}) =>
      fetch(`${f.emu.baseUrl}/_control${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(json),
      });
    const placed = await post('/calls', { from: f.bob, to: f.carol });
    expect(placed.status).toBe(201);
    const { callId } = (await placed.json()) as { callId: string };
    expect((await post(`/calls/${callId}/answer`)).status).toBe(200);
    expect((await post(`/calls/${callId}/hangup`)).status).toBe(200);
    expect(await newest(f.carol)).toMatchObject({ callId, completed: true });
    expect((await post(`/calls/${callId}/hangup`)).status).toBe(409);
    expect((await post('/dnd', { principalId: f.carol, on: true, text: 'Focus' })).status).toBe(200);
    expect(f.emu.pbx.presentity(f.carol)).toMatchObject({ status: 'dnd', reason: 'Focus' });
    f.emu.pbx.setDnd(f.carol, false);
  });

  it('generates a month of mixed history and random demo calls that stop when told', async () => {
    const rows = f.emu.pbx.generateHistory(f.carol, 200, { days: 30 });
    const now = f.clock.now();
    expect(
      rows.every((r) => Date.parse(r.createdOn) > now - 31 * 86_400_000 && Date.parse(r.createdOn) < now),
    ).toBe(true);
    expect(rows.some((r) => r.direction === 'outbound')).toBe(true);
    expect(rows.some((r) => r.direction === 'inbound' && r.completed)).toBe(true);
    expect(rows.some((r) => r.direction === 'inbound' && !r.completed && r.cause === 'callNotAnswer')).toBe(
      true,
    );
    expect(
      rows.every((r) => r.completed === (r.cause === 'normal') && (r.completed || r.billingTime === 0)),
    ).toBe(true);

    const count = () => f.emu.pbx.recordsOf(f.alice).length + f.emu.pbx.recordsOf(f.bob).length;
    const before = count();
    let n = 0;
    const lcg = () => ((n = (n * 9301 + 49297) % 233280), n / 233280);
    const stop = f.emu.pbx.startRandomCalls(5_000, lcg);
    f.clock.advance(5_000 * 200);
    stop();
    expect(count()).toBeGreaterThan(before);
    for (const c of f.emu.pbx.activeCalls()) f.emu.pbx.hangUp(c.callId);
    const stopped = count();
    f.clock.advance(5_000 * 50);
    expect(f.emu.pbx.activeCalls()).toHaveLength(0);
    expect(count()).toBe(stopped);
  });
});

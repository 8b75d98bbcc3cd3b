import {
  callsDueForCheck,
  forgetOpenCalls,
  callsToCheck,
  DEFAULT_CALL_LIMITS,
  foldCallEvent,
  pbxCallState,
  pruneCalls,
  type CallEvent,
  type PbxCalls,
} from '../../shared/domain/pbx-calls';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

/** Folds events received at the given times (default: each at its own timestamp, else T0). */
function fold(events: (CallEvent & { receivedAt?: number })[], start: PbxCalls = {}): PbxCalls {
  let calls = start;
  for (const e of events) calls = foldCallEvent(calls, e, e.receivedAt ?? e.at ?? T0).calls;
  return calls;
}

const ev = (callId: string, stage: CallEvent['stage'], at: number | null): CallEvent => ({
  callId,
  stage,
  at,
});

describe('one call', () => {
  it('ringing, then connected, then ended: ringing → connected → idle', () => {
    let calls = fold([ev('c1', 'ringing', T0)]);
    expect(pbxCallState(calls, T0)).toBe('ringing');
    calls = fold([ev('c1', 'connected', T0 + 5 * SEC)], calls);
    expect(pbxCallState(calls, T0 + 5 * SEC)).toBe('connected');
    calls = fold([ev('c1', 'ended', T0 + 60 * SEC)], calls);
    expect(pbxCallState(calls, T0 + 60 * SEC)).toBe('idle');
  });

  it('a held call still counts as on a call; retrieving it keeps it so', () => {
    const calls = fold([ev('c1', 'ringing', T0), ev('c1', 'connected', T0 + 1), ev('c1', 'held', T0 + 2)]);
    expect(pbxCallState(calls, T0 + 2)).toBe('connected');
    expect(pbxCallState(fold([ev('c1', 'connected', T0 + 3)], calls), T0 + 3)).toBe('connected');
  });

  it('a call that rang and ended unanswered leaves the user idle', () => {
    expect(
      pbxCallState(fold([ev('c1', 'ringing', T0), ev('c1', 'ended', T0 + 20 * SEC)]), T0 + 20 * SEC),
    ).toBe('idle');
  });
});

describe('several calls of one user', () => {
  it('on a call while any call is connected or held, ringing while only ringing ones are left', () => {
    let calls = fold([ev('a', 'ringing', T0), ev('a', 'connected', T0 + SEC)]);
    calls = fold([ev('a', 'held', T0 + 10 * SEC), ev('b', 'ringing', T0 + 11 * SEC)], calls);
    expect(pbxCallState(calls, T0 + 11 * SEC)).toBe('connected');
    calls = fold([ev('b', 'connected', T0 + 12 * SEC)], calls);
    calls = fold([ev('b', 'ended', T0 + 30 * SEC)], calls);
    // The held call is still there.
    expect(pbxCallState(calls, T0 + 30 * SEC)).toBe('connected');
    calls = fold([ev('a', 'ended', T0 + 40 * SEC), ev('c', 'ringing', T0 + 41 * SEC)], calls);
    expect(pbxCallState(calls, T0 + 41 * SEC)).toBe('ringing');
    calls = fold([ev('c', 'ended', T0 + 50 * SEC)], calls);
    expect(pbxCallState(calls, T0 + 50 * SEC)).toBe('idle');
  });
});

describe('duplicates and reordering', () => {
  it('a duplicated event changes nothing and says so', () => {
    const calls = fold([ev('c1', 'ringing', T0), ev('c1', 'connected', T0 + SEC)]);
    const again = foldCallEvent(calls, ev('c1', 'connected', T0 + SEC), T0 + 2 * SEC);
    expect(again.verdict).toBe('duplicate');
    expect(pbxCallState(again.calls, T0 + 2 * SEC)).toBe('connected');
    const endedTwice = fold([ev('c1', 'ended', T0 + 3 * SEC)], calls);
    expect(foldCallEvent(endedTwice, ev('c1', 'ended', T0 + 3 * SEC), T0 + 4 * SEC).verdict).toBe(
      'duplicate',
    );
  });

  it('ended arriving before connected (and before ringing): the call stays ended', () => {
    const calls = fold([
      { ...ev('c1', 'ended', T0 + 30 * SEC), receivedAt: T0 + 31 * SEC },
      { ...ev('c1', 'connected', T0 + 5 * SEC), receivedAt: T0 + 32 * SEC },
      { ...ev('c1', 'ringing', T0), receivedAt: T0 + 33 * SEC },
    ]);
    expect(pbxCallState(calls, T0 + 33 * SEC)).toBe('idle');
    expect(foldCallEvent(calls, ev('c1', 'connected', T0 + 5 * SEC), T0 + 34 * SEC).verdict).toBe('stale');
  });

  it('connected arriving before ringing: connected stays', () => {
    const calls = fold([
      { ...ev('c1', 'connected', T0 + 5 * SEC), receivedAt: T0 + 6 * SEC },
      { ...ev('c1', 'ringing', T0), receivedAt: T0 + 7 * SEC },
    ]);
    expect(pbxCallState(calls, T0 + 7 * SEC)).toBe('connected');
  });

  it('events in the same millisecond (answered and hung up at once) end in the later stage whatever the order', () => {
    for (const order of [
      ['ringing', 'connected', 'ended'],
      ['ended', 'connected', 'ringing'],
      ['connected', 'ended', 'ringing'],
    ] as const) {
      const calls = fold(order.map((s) => ev('c1', s, T0)));
      expect(pbxCallState(calls, T0)).toBe('idle');
    }
    expect(pbxCallState(fold([ev('c1', 'connected', T0), ev('c1', 'ringing', T0)]), T0)).toBe('connected');
  });

  it('events without a timestamp are ordered by arrival', () => {
    let calls: PbxCalls = {};
    calls = foldCallEvent(calls, ev('c1', 'ringing', null), T0).calls;
    calls = foldCallEvent(calls, ev('c1', 'connected', null), T0 + SEC).calls;
    expect(pbxCallState(calls, T0 + SEC)).toBe('connected');
    calls = foldCallEvent(calls, ev('c1', 'held', null), T0 + 2 * SEC).calls;
    calls = foldCallEvent(calls, ev('c1', 'connected', null), T0 + 3 * SEC).calls;
    expect(calls.c1.stage).toBe('connected');
    calls = foldCallEvent(calls, ev('c1', 'ended', null), T0 + 4 * SEC).calls;
    expect(pbxCallState(calls, T0 + 4 * SEC)).toBe('idle');
  });
});

describe('a lost "ended" event', () => {
  it('a connected call nobody hears of again stops making the user busy after the bound, not before', () => {
    const calls = fold([ev('c1', 'ringing', T0), ev('c1', 'connected', T0 + SEC)]);
    expect(pbxCallState(calls, T0 + 3 * HOUR)).toBe('connected'); // a long call is still a call
    expect(pbxCallState(calls, T0 + SEC + DEFAULT_CALL_LIMITS.activeMs - 1)).toBe('connected');
    expect(pbxCallState(calls, T0 + SEC + DEFAULT_CALL_LIMITS.activeMs)).toBe('idle');
  });

  it('a call that only rang is forgotten after ten minutes', () => {
    const calls = fold([ev('c1', 'ringing', T0)]);
    expect(pbxCallState(calls, T0 + 9 * MIN)).toBe('ringing');
    expect(pbxCallState(calls, T0 + 10 * MIN)).toBe('idle');
  });

  it('the bound counts from the last event heard of the call (a hold after two hours restarts it)', () => {
    const calls = fold([ev('c1', 'connected', T0), ev('c1', 'held', T0 + 2 * HOUR)]);
    expect(pbxCallState(calls, T0 + DEFAULT_CALL_LIMITS.activeMs + HOUR)).toBe('connected');
  });

  it('quiet calls are named for a check against the call records; ended ones are not', () => {
    const calls = fold([ev('a', 'connected', T0), ev('b', 'ringing', T0 + 50 * SEC), ev('c', 'ended', T0)]);
    expect(callsToCheck(calls, T0 + MIN)).toEqual(['a']);
    expect(callsToCheck(calls, T0 + 2 * MIN).sort()).toEqual(['a', 'b']);
  });

  it('a reset first makes every open call due for a check at once, without expiring it', () => {
    const calls = fold([ev('a', 'connected', T0), ev('b', 'ringing', T0 + 5 * SEC)]);
    expect(callsToCheck(calls, T0 + 10 * SEC)).toEqual([]);
    const due = callsDueForCheck(calls, T0 + 10 * SEC);
    expect(callsToCheck(due, T0 + 10 * SEC).sort()).toEqual(['a', 'b']);
    expect(pbxCallState(due, T0 + 10 * SEC)).toBe('connected');
  });

  it("the admin's reset forgets every open call and keeps the tombstones of ended ones", () => {
    const calls = fold([ev('a', 'connected', T0), ev('b', 'ringing', T0 + 5 * SEC), ev('c', 'ended', T0)]);
    const { calls: after, forgotten } = forgetOpenCalls(calls);
    expect(forgotten).toBe(2);
    expect(pbxCallState(after, T0 + 10 * SEC)).toBe('idle');
    expect(Object.keys(after)).toEqual(['c']);
    // A late event of the ended call is still dropped; a call really going on comes back with its next event.
    expect(foldCallEvent(after, ev('c', 'connected', T0 + SEC), T0 + 20 * SEC).verdict).toBe('stale');
    const back = foldCallEvent(after, ev('a', 'held', T0 + 30 * SEC), T0 + 30 * SEC).calls;
    expect(pbxCallState(back, T0 + 30 * SEC)).toBe('connected');
    expect(forgetOpenCalls(after).calls).toBe(after); // nothing to forget: the same object
  });

  it('pruning forgets old tombstones and expired calls, and keeps the object when nothing changes', () => {
    const calls = fold([ev('a', 'ended', T0), ev('b', 'connected', T0)]);
    expect(pruneCalls(calls, T0 + MIN)).toBe(calls);
    expect(Object.keys(pruneCalls(calls, T0 + DEFAULT_CALL_LIMITS.endedKeepMs))).toEqual(['b']);
    expect(pruneCalls(calls, T0 + DEFAULT_CALL_LIMITS.activeMs)).toEqual({});
  });
});
